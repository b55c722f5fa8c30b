"""The security audit log (等保, PIPL): who did what, to whom, when, from where, with what outcome.

`audit_record` is the one way to write it. Rows are append-only (the database refuses UPDATE and
DELETE, see accounts/migrations/0002). `detail` holds ids, codes and reasons, never what someone
typed, a password or an ID number: an ID-number-shaped value that slips in is masked.
"""

import re
from contextvars import ContextVar
from typing import Any

from .identity import id_number_mask
from .models import AuditEvent

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _ID_LIKE.sub(lambda match: id_number_mask(match.group(0)), value)
    if isinstance(value, dict):
        return {str(key): _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _scrub(str(value))


def request_ip(request) -> str | None:
    """The client's address as axes and the per-address limit see it (django-ipware, configured by
    the AXES_IPWARE_* settings for the proxies in front of us)."""
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None)
    if ip is None:
        from axes.helpers import get_client_ip_address

        ip = get_client_ip_address(request)
    return ip or None


def audit_record(
    *, action, actor=None, subject=None, request=None, succeeded: bool = True, **detail
) -> AuditEvent:
    """Write one audit row. `actor` and `subject` are users (or None); `detail` is JSON."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        subject=subject,
        ip_address=request_ip(request),
        succeeded=succeeded,
        detail=_scrub(detail),
    )


# The request being served, so that changes made deep inside a library (e.g. Wagtail's user
# admin changing someone's groups) can be audited with their actor and address.
_current_request: ContextVar = ContextVar("audit_current_request", default=None)


def current_request():
    return _current_request.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
