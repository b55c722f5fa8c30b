"""Idle expiry, enforced on the server (DESIGN.md §1; the accounts issue, "Login security").

Each logged-in session keeps the time of its last activity. Pages refresh it, at most once every
SESSION_ACTIVITY_REFRESH seconds (so a session is not written on every request); after
SESSION_IDLE_TIMEOUT seconds without activity the next request is logged out, audited, and (for a
page) sent to the login page with a message.

Requests under SESSION_IDLE_PASSIVE_PATHS (the player's heartbeats) are checked but do not count
as activity by themselves: the player calls `activity_touch(request.session)` for a heartbeat of a
visible, playing tab, so that a learner watching a lesson stays logged in and a forgotten hidden
tab does not keep a session alive. A websocket consumer does the same with `scope["session"]`
(then `session.save()`), and closes with 4401 when `session_is_idle(session)`.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

LAST_ACTIVITY_KEY = "_last_activity"
IDLE_MESSAGE = "由于长时间未操作，您已退出登录"


def _now() -> int:
    return int(timezone.now().timestamp())


def activity_touch(session, *, force: bool = False) -> bool:
    """Record activity now, unless it was recorded less than SESSION_ACTIVITY_REFRESH seconds ago.
    Returns whether the session changed (the caller saves it if nothing else will)."""
    now = _now()
    last = session.get(LAST_ACTIVITY_KEY)
    if force or last is None or now - last >= settings.SESSION_ACTIVITY_REFRESH:
        session[LAST_ACTIVITY_KEY] = now
        return True
    return False


def session_idle_seconds(session) -> int:
    last = session.get(LAST_ACTIVITY_KEY)
    return 0 if last is None else max(0, _now() - last)


def session_is_idle(session) -> bool:
    return session_idle_seconds(session) > settings.SESSION_IDLE_TIMEOUT


def _wants_page(request) -> bool:
    if request.path_info.startswith("/api/") or request.headers.get("x-requested-with"):
        return False
    return request.accepts("text/html")


def _login_url(request) -> str:
    if request.path_info.startswith(settings.ADMIN_URL_PREFIX):
        try:
            return reverse("wagtailadmin_login")
        except NoReverseMatch:
            pass
    return settings.LOGIN_URL


class IdleTimeoutMiddleware:
    """Place after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request that carries a session cookie can be logged in; leaving the others alone
        # keeps anonymous pages free of a session lookup (and of `Vary: Cookie`).
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        if session_is_idle(session):
            from .audit import audit_record
            from .models import AuditAction

            audit_record(
                action=AuditAction.SESSION_EXPIRED,
                actor=user,
                subject=user,
                request=request,
                idle_seconds=session_idle_seconds(session),
            )
            request.session_idle_expired = True  # this session only: see accounts.signals
            logout(request)
            if _wants_page(request):
                messages.info(request, IDLE_MESSAGE)
                return redirect_to_login(request.get_full_path(), _login_url(request))
            return None  # an API or heartbeat request goes on as anonymous (401/403/4401)
        passive = any(
            request.path_info.startswith(prefix) for prefix in settings.SESSION_IDLE_PASSIVE_PATHS
        )
        if not passive:
            activity_touch(session)
        return None
