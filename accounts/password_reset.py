"""Password reset by a code sent to the registered phone (找回密码).

The answers never tell whether a phone is registered. Codes live in the database
(`PasswordResetCode`, as keyed digests), so a Redis restart loses none of them: valid for
PASSWORD_RESET_CODE_TTL, void after PASSWORD_RESET_MAX_TRIES wrong tries, one code in force per
phone; one phone gets at most one code a minute, one address PASSWORD_RESET_ADDRESS_LIMIT an hour.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .audit import audit_record
from .backends import account_key, client_ip
from .login import sessions_end_all
from .models import AuditAction, PasswordResetCode, User
from .sms import sms_send

_KEPT = timedelta(days=1)  # requests older than this no longer count for anything


def _digest(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


class ResetRefused(Exception):
    """Too many requests; the message is for the person."""


def reset_code_request(*, phone: str, request=None) -> None:
    """Send a reset code to `phone` if it belongs to an active account; silently nothing if not.

    Raises ResetRefused when the phone or the address asked too often. Any earlier code of the
    phone is void once a new one is sent."""
    now = timezone.now()
    ip = client_ip(request) if request is not None else None
    phone_digest = _digest(phone)
    address_digest = _digest(ip) if ip else ""
    with transaction.atomic():
        PasswordResetCode.objects.filter(created_at__lt=now - _KEPT).delete()
        if (
            address_digest
            and PasswordResetCode.objects.filter(
                address_digest=address_digest, created_at__gte=now - timedelta(hours=1)
            ).count()
            >= settings.PASSWORD_RESET_ADDRESS_LIMIT
        ):
            raise ResetRefused("获取验证码过于频繁，请一小时后再试。")
        interval = timedelta(seconds=settings.PASSWORD_RESET_PHONE_INTERVAL)
        if PasswordResetCode.objects.filter(
            phone_digest=phone_digest, created_at__gt=now - interval
        ).exists():
            raise ResetRefused("验证码已发送，请 1 分钟后再重新获取。")
        user = User.objects.filter(phone=phone, is_active=True).first()
        code = f"{secrets.randbelow(10**6):06d}" if user is not None else ""
        PasswordResetCode.objects.filter(phone_digest=phone_digest, used_at__isnull=True).update(
            used_at=now
        )
        PasswordResetCode.objects.create(
            phone_digest=phone_digest,
            address_digest=address_digest,
            user=user,
            code_digest=_digest(code) if code else "",
            created_at=now,
            expires_at=now + timedelta(seconds=settings.PASSWORD_RESET_CODE_TTL),
        )
    if user is None:
        return
    minutes = settings.PASSWORD_RESET_CODE_TTL // 60
    sms_send(
        phone=phone,
        text=f"【安阳继续教育】您的密码重置验证码为 {code}，{minutes} 分钟内有效。如非本人操作请忽略。",
    )


def _code_in_force(phone: str) -> PasswordResetCode | None:
    return (
        PasswordResetCode.objects.filter(
            phone_digest=_digest(phone),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            tries__lt=settings.PASSWORD_RESET_MAX_TRIES,
        )
        .exclude(code_digest="")
        .order_by("-created_at")
        .first()
    )


def _code_checked(phone: str, code: str) -> tuple[PasswordResetCode | None, User | None]:
    """The code in force for `phone` and its account if `code` is right, else (entry, None).

    A wrong try is counted by one conditional UPDATE (so parallel guesses each count and none
    passes the limit), and the limit is checked before comparing."""
    entry = _code_in_force(phone)
    if entry is None:
        return None, None
    if not hmac.compare_digest(entry.code_digest, _digest(code.strip())):
        PasswordResetCode.objects.filter(
            pk=entry.pk, tries__lt=settings.PASSWORD_RESET_MAX_TRIES
        ).update(tries=F("tries") + 1)
        return entry, None
    return entry, User.objects.filter(pk=entry.user_id, is_active=True).first()


def reset_code_check(*, phone: str, code: str) -> User | None:
    """The account the code was sent for, if `code` is right; None otherwise."""
    return _code_checked(phone, code)[1]


def password_reset_complete(*, phone: str, code: str, password: str, request=None) -> User | None:
    """Set a new password if the code is right; ends every session of the account. The code is
    used up. Returns the user, or None if the code was wrong or expired."""
    entry, user = _code_checked(phone, code)
    if user is None:
        return None
    with transaction.atomic():
        # Using the code up is atomic: of two requests with the right code, one wins.
        used = PasswordResetCode.objects.filter(pk=entry.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            return None
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action=AuditAction.PASSWORD_RESET, actor=user, subject=user, request=request)
    sessions_end_all(user)
    # Proving the phone is as good as the password: failures counted so far are forgiven.
    AxesProxyHandler.reset_attempts(username=account_key(user))
    return user
