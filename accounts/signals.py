"""Receivers that audit logins and logouts wherever they happen (our login page, the Wagtail
admin's, registration), count failures per address, and end sessions on logout. Connected in
AccountsConfig.ready()."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .audit import audit_record, current_request
from .backends import _request_account, address_failure_record
from .login import sessions_end_all
from .middleware import login_started
from .models import AuditAction, User


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        login_started(request.session)
    audit_record(
        action=AuditAction.LOGIN_SUCCEEDED,
        actor=user,
        subject=user,
        request=request,
        via=getattr(request, "path", "") or "",
    )


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    identifier = (credentials or {}).get(get_user_model().USERNAME_FIELD)
    account = _request_account(request, identifier) if identifier else None
    reason = getattr(request, "login_refusal", None) or "credentials"
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        subject=account,
        request=request,
        succeeded=False,
        reason=reason,
        via=getattr(request, "path", "") or "",
    )
    if request is not None and reason in ("credentials", "captcha"):
        address_failure_record(request)


@receiver(user_locked_out, dispatch_uid="accounts.audit_locked_out")
def on_locked_out(sender, request=None, username=None, **kwargs):
    # axes also signals each refusal during a lockout; only the failure that locked counts here.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None or getattr(request, "login_refusal", None):
        return
    subject = None
    if username and username.startswith("user:"):
        subject = get_user_model().objects.filter(pk=username.removeprefix("user:")).first()
    audit_record(
        action=AuditAction.LOCKED_OUT,
        subject=subject,
        request=request,
        succeeded=False,
        failures=failures,
    )


@receiver(user_logged_out, dispatch_uid="accounts.end_sessions_on_logout")
def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    if getattr(request, "session_idle_expired", False):
        return  # idle expiry ends this session only, and is audited as such

    sessions_end_all(user)
    audit_record(
        action=AuditAction.LOGGED_OUT,
        actor=user,
        subject=user,
        request=request,
        via=getattr(request, "path", "") or "",
    )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.audit_role_change")
def on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Every change of someone's roles (groups) is audited, whoever makes it and however."""
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return

    request = current_request()
    names = sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    audit_record(
        action=AuditAction.ROLE_CHANGED,
        actor=getattr(request, "user", None),
        subject=instance,
        request=request,
        change={"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action],
        groups=names,
    )
