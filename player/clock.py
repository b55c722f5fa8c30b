"""The server's clock, the only one crediting reads (tests replace `now` to control it)."""

from django.utils import timezone


def now():
    return timezone.now()
