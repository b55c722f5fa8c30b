"""The processing queue as the services see it: a port that media/apps.py fills with the Celery
task's enqueuer when the app is ready. Domain code never imports celery (STYLE.md §3), and the
services never import the tasks that wrap them."""

from collections.abc import Callable

from django.db import transaction

_enqueue: Callable[[int], None] | None = None


def processing_enqueuer_set(enqueue: Callable[[int], None]) -> None:
    global _enqueue
    _enqueue = enqueue


def processing_enqueue_after_commit(asset_id: int) -> None:
    """Queue processing of the asset once the current transaction commits (at once outside one):
    a worker must never find the row as it was before."""
    if _enqueue is None:
        raise RuntimeError("video processing queue not set up (media app not ready)")
    enqueue = _enqueue
    transaction.on_commit(lambda: enqueue(asset_id))
