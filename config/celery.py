"""The Celery app. Its settings (CELERY_* in config/settings/base.py) are the reliable defaults:
late acknowledgement, requeue when a worker dies, one task prefetched at a time, a visibility
timeout longer than the longest task, and transcoding on its own queue."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("anyang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="health.ping")
def health_ping() -> dict:
    """Answer from the worker that ran it: monitoring (and CI) use it to prove a worker is alive."""
    import socket

    from django.db import connection

    return {"pid": os.getpid(), "hostname": socket.gethostname(), "database": connection.vendor}
