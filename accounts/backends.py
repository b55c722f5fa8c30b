"""Signing in with an ID number, a mobile phone or (staff) a username, and the limits around it.

- `IdentifierBackend` checks the password of the account the identifier names.
- `LockoutBackend` (django-axes, first in AUTHENTICATION_BACKENDS) refuses locked accounts and
  addresses over the per-address limit before any password is checked.
- `axes_username` (AXES_USERNAME_CALLABLE) gives axes one key per ACCOUNT — `user:<pk>` whether
  the person typed their ID number, their phone or their username — and, for an identifier that
  names no account, a keyed digest of it: nothing typed is ever stored in axes' tables or logs.
- `address_*`: the per-address limit, counted in Django's cache (Redis in production).

Nothing here stores or logs an ID number: it is looked up through its keyed digest only.
"""

import hashlib
import hmac
import logging
import re

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from config.db import hot_get

from .identity import id_number_digest

log = logging.getLogger(__name__)

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_SHAPE = re.compile(r"^1\d{10}$")


def identifier_normalise(value: str | None) -> str:
    """What people type, tidied: surrounding and inner spaces dropped, a lowercase x raised."""
    return re.sub(r"\s+", "", value or "").upper()


def account_for_identifier(identifier: str | None):
    """The account an identifier names, or None: an 18-character ID number (by its digest), an
    11-digit mainland mobile number, or else an exact username. Does not check who may use which
    (see `IdentifierBackend`)."""
    User = get_user_model()
    raw = (identifier or "").strip()
    if not raw:
        return None
    normalised = identifier_normalise(raw)
    user = None
    if _ID_SHAPE.match(normalised):
        user = User.objects.filter(id_number_digest=id_number_digest(normalised)).first()
    elif _MOBILE_SHAPE.match(normalised):
        user = User.objects.filter(phone=normalised).first()
    if user is None:
        user = User.objects.filter(username=raw).first()
    return user


def _request_account(request, identifier: str | None):
    """`account_for_identifier`, remembered on the request (axes asks several times)."""
    if request is None:
        return account_for_identifier(identifier)
    memo = request.__dict__.setdefault("_login_accounts", {})
    if identifier not in memo:
        memo[identifier] = account_for_identifier(identifier)
    return memo[identifier]


def account_key(user) -> str:
    """The one key under which axes counts an account's failures."""
    return f"user:{user.pk}"


def unknown_key(identifier: str | None) -> str:
    """A keyed digest of an identifier that names no account: the same for every spelling of it,
    useless to anyone without the server's secret (a phone number space is small enough to try)."""
    secret = f"{settings.SECRET_KEY}:login-identifier".encode()
    digest = hmac.new(secret, identifier_normalise(identifier).encode(), hashlib.sha256)
    return f"unknown:{digest.hexdigest()[:40]}"


def identifier_key(identifier: str | None, request=None) -> str:
    user = _request_account(request, identifier)
    return account_key(user) if user is not None else unknown_key(identifier)


def axes_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the account key for whatever was typed."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and field in credentials:
        identifier = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        identifier = data.get(field)
    return identifier_key(identifier, request)


def key_failures(key: str) -> int:
    """Failures counted against `key` within the cool-off (axes' own reckoning)."""
    since = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(username=key, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


# --- The per-address limit ---------------------------------------------------------------------
# One address may fail LOGIN_ADDRESS_FAILURE_LIMIT logins, across all accounts, within a window of
# LOGIN_ADDRESS_WINDOW that starts at its first failure; then it is refused until the window ends.
# Counted in the cache: if the cache is down the limit is skipped (the per-account lockout, kept in
# the database, still holds) rather than refusing everyone.


def client_ip(request) -> str | None:
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None)
    return ip if ip is not None else get_client_ip_address(request)


def _address_keys(ip: str) -> tuple[str, str]:
    tag = hashlib.sha256(ip.encode()).hexdigest()[:32]
    return f"login-addr:{tag}:start", f"login-addr:{tag}:count"


def _window() -> int:
    return int(settings.LOGIN_ADDRESS_WINDOW)


def address_is_blocked(request) -> bool:
    ip = client_ip(request)
    if not ip:
        return False
    start_key, count_key = _address_keys(ip)
    try:
        values = cache.get_many([start_key, count_key])
    except Exception:  # the cache is down: see above
        log.warning("login address limit skipped: cache unavailable", exc_info=True)
        return False
    start = values.get(start_key)
    if start is None or timezone.now().timestamp() - start >= _window():
        return False
    return (values.get(count_key) or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def address_failure_record(request) -> None:
    ip = client_ip(request)
    if not ip:
        return
    start_key, count_key = _address_keys(ip)
    now = timezone.now().timestamp()
    window = _window()
    try:
        start = cache.get(start_key)
        if start is None or now - start >= window:
            cache.set_many({start_key: now, count_key: 0}, timeout=window)
        try:
            cache.incr(count_key)
        except ValueError:  # expired in between
            cache.set(count_key, 1, timeout=window)
    except Exception:
        log.warning("login address limit not counted: cache unavailable", exc_info=True)


def address_retry_minutes() -> int:
    return max(1, _window() // 60)


# --- Backends ---------------------------------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend (it must come first), plus the per-address limit and the CAPTCHA rule
    for every login form, the Wagtail admin's included.

    Refuses, before any password is checked: an address over its limit; a locked account; an
    account with LOGIN_CAPTCHA_AFTER_FAILURES failures when the form did not check a CAPTCHA
    (`request.login_captcha_passed`, set by accounts.login.LoginForm). A refusal sets
    `request.login_refusal` ("address", "locked" or "captcha") for the audit and the answer, and
    is not counted against the account. Without a request (Django's test client `login()`, a
    shell) there is no address and nothing can be recorded, but the account rules still hold.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.AXES_ENABLED:
            return None
        if request is None:
            failures = key_failures(identifier_key(username))
            if failures >= settings.LOGIN_CAPTCHA_AFTER_FAILURES:
                raise AxesBackendPermissionDenied("locked out or CAPTCHA due")
            return None
        AxesProxyHandler.update_request(request)
        refusal = None
        if address_is_blocked(request):
            refusal = "address"
        else:
            failures = key_failures(identifier_key(username, request))
            if failures >= settings.AXES_FAILURE_LIMIT:
                refusal = "locked"
            elif failures >= settings.LOGIN_CAPTCHA_AFTER_FAILURES and not getattr(
                request, "login_captcha_passed", False
            ):
                refusal = "captcha"
        if refusal:
            request.login_refusal = refusal
            # With AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off, axes neither counts this nor
            # extends a lock, and its middleware answers with accounts.login.lockout_response.
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied(f"login refused: {refusal}")
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:  # locked in the meantime
            request.login_refusal = "locked"
            raise


class IdentifierBackend(ModelBackend):
    """Password login by ID number or mobile phone; by username only for accounts that have no ID
    number (staff and service accounts): a learner's generated username is not a way in."""

    def get_user(self, user_id):
        """As ModelBackend.get_user, with one prepared statement (a login's every request)."""
        User = get_user_model()
        user = hot_get(User, User._meta.pk.column, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        user = _request_account(request, username)
        if (
            user is not None
            and user.is_learner
            and not user.is_staff
            and self._by_username_only(user, username)
        ):
            user = None
        if user is None:
            # Spend the time a password check takes, so that timing does not reveal accounts.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def _by_username_only(user, identifier: str) -> bool:
        normalised = identifier_normalise(identifier)
        if _ID_SHAPE.match(normalised) and user.id_number_digest == id_number_digest(normalised):
            return False
        return not (_MOBILE_SHAPE.match(normalised) and user.phone == normalised)


def cooloff_minutes() -> int:
    return max(1, int(get_cool_off().total_seconds() // 60))
