"""How long a login lasts, enforced on the server (DESIGN.md §4, §5): one rule for pages, the
HTTP API and the player's websocket.

- Idle: each logged-in session keeps the time of its last activity. Pages refresh it, at most once
  every SESSION_ACTIVITY_REFRESH seconds (so a session is not written on every request); after
  SESSION_IDLE_TIMEOUT seconds without activity the login ends.
- Age: SESSION_ABSOLUTE_LIFETIME seconds (12 hours) after the login it ends, whatever was done;
  the session cookie's sliding expiry never extends it.

Requests under SESSION_IDLE_PASSIVE_PATHS (the player's heartbeats) are checked but do not count
as activity by themselves: the player calls `activity_touch(session)` for a heartbeat of a
visible, playing tab, so that a learner watching a lesson stays logged in and a forgotten hidden
tab does not keep a session alive. The websocket consumer holds the login's deadlines
(`session_login_deadlines`, which audits and ends a login that has ended), asks again when one
passes or a minute has gone by, and closes with 4401 then.
"""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    logout,
)
from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from config.db import hot_get

from .audit import audit_record
from .models import AuditAction

LAST_ACTIVITY_KEY = "_last_activity"
LOGIN_AT_KEY = "_login_at"
IDLE_MESSAGE = "由于长时间未操作，您已退出登录"
AGE_MESSAGE = "登录已超过 12 小时，为保护您的账号安全，请重新登录"
MESSAGES = {"idle": IDLE_MESSAGE, "age": AGE_MESSAGE}

clock_now = None  # a clock of the tests' (moved together with the player's), else timezone.now


def _now() -> int:
    return int((clock_now or timezone.now)().timestamp())


def login_started(session) -> None:
    """Mark the start of a login (on every successful login): the 12 hours count from here."""
    session[LOGIN_AT_KEY] = _now()
    activity_touch(session, force=True)


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


def session_end_reason(session) -> str | None:
    """ "age" if the login is older than SESSION_ABSOLUTE_LIFETIME, "idle" if it has been idle
    longer than SESSION_IDLE_TIMEOUT, None while it lasts. A session from before logins carried
    their start counts from its first check."""
    started = session.get(LOGIN_AT_KEY)
    if started is None:
        session[LOGIN_AT_KEY] = started = _now()
    if _now() - started > settings.SESSION_ABSOLUTE_LIFETIME:
        return "age"
    if session_is_idle(session):
        return "idle"
    return None


def session_expire_audit(*, user, session, reason: str, request=None) -> None:
    audit_record(
        action=AuditAction.SESSION_EXPIRED,
        actor=user,
        subject=user,
        request=request,
        reason=reason,
        idle_seconds=session_idle_seconds(session),
    )


@dataclass(frozen=True)
class LoginDeadlines:
    """When a login that was just checked ends without more activity (epoch seconds of the
    login clock, `login_now`): idle at `idle`, by age at `age`."""

    idle: int
    age: int
    activity: int  # the last activity the session records


def login_now() -> int:
    """The login clock (epoch seconds): the tests move it together with the player's."""
    return _now()


def session_login_deadlines(
    session_key: str | None, user_id, *, touch: bool = False
) -> LoginDeadlines | None:
    """For a websocket: whether the session `session_key` is still a login of user `user_id`
    (not logged out or ended elsewhere, not idle, not past 12 hours) and, if so, when it would
    end; None if it has ended (a login that has just ended is audited and its session deleted).
    `touch` records activity (a visible, playing heartbeat), as the HTTP player does with
    `activity_touch`. The player's socket holds the answer and asks again only at those moments,
    at least once a minute, and when a logout elsewhere is pushed to it."""

    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if str(store.get(SESSION_KEY)) != str(user_id):  # {} once expired, deleted or ended
        return None
    User = get_user_model()
    # One prepared statement (config.db.hot_get): the ORM built and compiled this query on every
    # call, two thirds of a socket's login check (a thousand sockets' checks fall in the same
    # minute after a reconnect storm; issue 17).
    user = hot_get(User, User._meta.pk.column, user_id)
    if (
        user is None
        or not user.is_active
        or store.get(HASH_SESSION_KEY) != user.get_session_auth_hash()
    ):
        return None  # logged out everywhere, or the password changed
    reason = session_end_reason(store)
    if reason is not None:
        session_expire_audit(user=user, session=store, reason=reason)
        store.delete()
        return None
    if touch:
        activity_touch(store)
    if store.modified:
        store.save()
    return _deadlines(store)


def _deadlines(session) -> LoginDeadlines:
    activity = session.get(LAST_ACTIVITY_KEY) or _now()
    return LoginDeadlines(
        idle=activity + settings.SESSION_IDLE_TIMEOUT + 1,
        age=session[LOGIN_AT_KEY] + settings.SESSION_ABSOLUTE_LIFETIME + 1,
        activity=activity,
    )


# The backends whose get_user is the user row's is_active and nothing more (what
# session_login_read checks itself); a login through another is left to Django.
_ROW_BACKENDS = ("accounts.backends.IdentifierBackend",)


def session_login_read(data: dict, user) -> LoginDeadlines | None:
    """For the player's HTTP heartbeat on the event loop (player.http_heartbeat), which reads the
    session row and the user row itself: the login's deadlines if the decoded session `data` is
    a current login of `user` (an unsaved User carrying the row's id, password, generation and
    is_active) exactly as Django's get_user and this module's rules would accept it without
    writing anything — else None, and the request goes to Django, which decides (and audits,
    logs out, or updates the session) as for every request."""
    if str(data.get(SESSION_KEY)) != str(user.pk) or not user.is_active:
        return None
    backend = data.get(BACKEND_SESSION_KEY)
    if backend not in _ROW_BACKENDS or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    session_hash = data.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None  # a password changed, logged out everywhere, or a fallback secret's hash
    if LOGIN_AT_KEY not in data or LAST_ACTIVITY_KEY not in data:
        return None  # a session from before the login's start was kept: Django records it
    if session_end_reason(data) is not None:
        return None  # ended: Django audits it and logs out
    return _deadlines(data)


def session_activity_update(session_key: str, data: dict, connection):
    """For the socket's login check on the event loop (player.loop_db.login_check), which has
    read the session and the user itself and had `data` accepted by session_login_read: when a
    watching heartbeat's activity is due to be recorded (activity_touch's rule), the UPDATE that
    records it — (statement, values prepared for `connection`) — with the login's deadlines after
    it; None when nothing is due. The statement is accounts.sessions' own save's."""
    from .sessions import SessionStore, session_update_sql

    store = SessionStore(session_key)
    store._session_cache = dict(data)  # as loaded: the expiry is worked out from it
    if not activity_touch(store):
        return None
    sql, values = session_update_sql(store.create_model_instance(store._session_cache), connection)
    return sql, values, _deadlines(store._session_cache)


def session_login_check(session_key: str | None, user_id, *, touch: bool = False) -> bool:
    """Whether the session is still a login of the user (session_login_deadlines)."""
    return session_login_deadlines(session_key, user_id, touch=touch) is not None


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
        reason = session_end_reason(session)
        if reason is not None:
            session_expire_audit(user=user, session=session, reason=reason, request=request)
            request.session_idle_expired = True  # this session only: see accounts.signals
            logout(request)
            if _wants_page(request):
                messages.info(request, MESSAGES[reason])
                return redirect_to_login(request.get_full_path(), _login_url(request))
            return None  # an API or heartbeat request goes on as anonymous (401/403/4401)
        passive = any(
            request.path_info.startswith(prefix) for prefix in settings.SESSION_IDLE_PASSIVE_PATHS
        )
        if not passive:
            activity_touch(session)
        return None
