"""Password reset by a code sent to the registered phone (找回密码).

The answers never tell whether a phone is registered. Codes live in the cache (Redis in
production) as a keyed digest, valid for PASSWORD_RESET_CODE_TTL, void after
PASSWORD_RESET_MAX_TRIES wrong tries; one phone gets at most one code a minute, one address
PASSWORD_RESET_ADDRESS_LIMIT an hour.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .audit import audit_record
from .backends import client_ip
from .models import AuditAction, User
from .sms import sms_send


def _digest(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _code_key(phone: str) -> str:
    return f"pwreset:code:{_digest(phone)}"


class ResetRefused(Exception):
    """Too many requests; the message is for the person."""


def reset_code_request(*, phone: str, request=None) -> None:
    """Send a reset code to `phone` if it belongs to an active account; silently nothing if not.

    Raises ResetRefused when the phone or the address asked too often."""
    ip = client_ip(request) if request is not None else None
    if ip:
        address_key = f"pwreset:addr:{_digest(ip)}"
        cache.add(address_key, 0, 3600)
        if cache.incr(address_key) > settings.PASSWORD_RESET_ADDRESS_LIMIT:
            raise ResetRefused("获取验证码过于频繁，请一小时后再试。")
    if not cache.add(f"pwreset:sent:{_digest(phone)}", 1, settings.PASSWORD_RESET_PHONE_INTERVAL):
        raise ResetRefused("验证码已发送，请 1 分钟后再重新获取。")
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    cache.delete(_tries_key(phone))
    cache.set(
        _code_key(phone),
        {"digest": _digest(code), "tries": 0, "user": user.pk},
        settings.PASSWORD_RESET_CODE_TTL,
    )
    minutes = settings.PASSWORD_RESET_CODE_TTL // 60
    sms_send(
        phone=phone,
        text=f"【安阳继续教育】您的密码重置验证码为 {code}，{minutes} 分钟内有效。如非本人操作请忽略。",
    )


def _tries_key(phone: str) -> str:
    return f"pwreset:tries:{_digest(phone)}"


def reset_code_check(*, phone: str, code: str) -> User | None:
    """The account the code was sent for, if `code` is right; None otherwise.

    Wrong tries are counted with an atomic increment on a key of their own (so parallel guesses
    each count), the limit is checked before comparing, and the code entry itself is never
    rewritten (a guess cannot revive or extend a code)."""
    entry = cache.get(_code_key(phone))
    if not entry:
        return None
    tries_key = _tries_key(phone)
    cache.add(tries_key, 0, settings.PASSWORD_RESET_CODE_TTL)
    if (cache.get(tries_key) or 0) >= settings.PASSWORD_RESET_MAX_TRIES:
        cache.delete(_code_key(phone))
        return None
    if not hmac.compare_digest(entry["digest"], _digest(code.strip())):
        if cache.incr(tries_key) >= settings.PASSWORD_RESET_MAX_TRIES:
            cache.delete(_code_key(phone))
        return None
    return User.objects.filter(pk=entry["user"], is_active=True).first()


def password_reset_complete(*, phone: str, code: str, password: str, request=None) -> User | None:
    """Set a new password if the code is right; ends every session of the account. The code is
    used up. Returns the user, or None if the code was wrong or expired."""
    from axes.handlers.proxy import AxesProxyHandler

    from .backends import account_key
    from .login import sessions_end_all

    user = reset_code_check(phone=phone, code=code)
    # Using the code up is atomic: of two requests with the right code, one wins.
    if user is None or not cache.delete(_code_key(phone)):
        return None
    cache.delete(_tries_key(phone))
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action=AuditAction.PASSWORD_RESET, actor=user, subject=user, request=request)
    sessions_end_all(user)
    # Proving the phone is as good as the password: failures counted so far are forgiven.
    AxesProxyHandler.reset_attempts(username=account_key(user))
    return user
