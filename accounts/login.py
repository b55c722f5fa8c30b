"""Login and logout for everyone, and the login-security services other code calls.

The login page (`LoginView`) takes an ID number or a mobile phone (staff: their username) and a
password. In order, a POST is refused when:

1. its address has failed too many logins lately (`accounts.backends.address_*`);
2. the account is locked: AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME (django-axes,
   counted in the database per account, however the person identified themselves);
3. a CAPTCHA is due (LOGIN_CAPTCHA_AFTER_FAILURES failures on the account) and is missing or
   wrong — the password is then not even checked;
4. the password is wrong.

The answers never tell whether an account exists: an unknown identifier is counted, captcha'd
and locked exactly like a real account, and a wrong password and an unknown account get the same
words. Each outcome is audited (accounts.signals, accounts.audit).

Services: `sessions_end_all`, `password_change_completed`, `account_unlock`, `account_lock_status`.
"""

import secrets
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .audit import audit_record
from .backends import (
    _request_account,
    account_key,
    address_failure_record,
    address_is_blocked,
    address_retry_minutes,
    cooloff_minutes,
    identifier_key,
    key_failures,
)
from .events import logins_ended
from .models import AuditAction

CAPTCHA_DUE_MESSAGE = "登录失败次数较多，需要在登录页输入验证码后才能登录"
LOCKED_MESSAGE = "登录失败次数过多，账号已锁定 {minutes} 分钟，请稍后再试或联系单位/人社局解锁"
ADDRESS_MESSAGE = "您所在的网络地址登录失败次数过多，请 {minutes} 分钟后再试"
INVALID_LOGIN_MESSAGE = "身份证号码/手机号或密码不正确，请重新输入。"
CAPTCHA_INVALID_MESSAGE = "验证码不正确，请重新输入。"
CAPTCHA_REQUIRED_MESSAGE = "登录失败次数较多，请输入图中的验证码。"

# Digits only, none that look alike or read alike (no 0/O, 1/l/7, 8/B): what the picture shows
# can also be read aloud (accounts.speech), as the attention checks' codes are.
_CAPTCHA_CHARS = "234569"
CAPTCHA_LENGTH = 5


def captcha_challenge() -> tuple[str, str]:
    """CAPTCHA_CHALLENGE_FUNCT: five unambiguous digits."""
    text = "".join(secrets.choice(_CAPTCHA_CHARS) for _ in range(CAPTCHA_LENGTH))
    return text, text


class LoginCaptchaInput(CaptchaTextInput):
    """The captcha image (served from our own origin: the site CSP allows it), a 换一张 button
    (a submit that redraws the form with what was typed and a new code: no script, so it works
    where scripts do not), the same code read aloud (accounts.views.captcha_audio) and the
    answer box. The answer is never shown again after an error: a new code is drawn."""

    def render(self, name, value, attrs=None, renderer=None):
        self.fetch_captcha_store(name, value, attrs, self.generator)
        field_id = (attrs or {}).get("id") or f"id_{name}"
        required = mark_safe(" required") if (attrs or {}).get("required") else ""  # noqa: S308
        return format_html(
            '<span class="captcha">'
            '<img class="captcha__image" src="{image}" alt="验证码图片：5 位数字。看不清可点“换一张”或“听语音验证码”" '
            'width="{width}" height="{height}" data-captcha-image>'
            '<button type="submit" name="captcha_refresh" value="1" class="captcha__refresh" '
            "formnovalidate>换一张</button>"
            '<a class="captcha__audio" href="{audio}" target="_blank" rel="noopener">听语音验证码</a>'
            '<input type="hidden" name="{name}_0" value="{key}">'
            '<input type="text" name="{name}_1" id="{id}_1" class="captcha__answer" '
            'autocomplete="off" inputmode="numeric" autocorrect="off" '
            'spellcheck="false" maxlength="8"{required}>'
            "</span>",
            image=self.image_url(),
            width=settings.CAPTCHA_IMAGE_SIZE[0],
            height=settings.CAPTCHA_IMAGE_SIZE[1],
            audio=reverse("captcha_audio_spoken", kwargs={"key": self._key}),
            name=name,
            key=self._key,
            id=field_id,
            required=required,
        )


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="身份证号码或手机号",
        help_text="工作人员可使用用户名登录",
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = CaptchaField(
        label="验证码",
        required=False,
        widget=LoginCaptchaInput(),
        error_messages={"invalid": CAPTCHA_INVALID_MESSAGE, "required": CAPTCHA_REQUIRED_MESSAGE},
    )

    error_messages = {
        "invalid_login": INVALID_LOGIN_MESSAGE,
        "inactive": INVALID_LOGIN_MESSAGE,
    }

    def __init__(self, request=None, *args, captcha_required: bool = False, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.captcha_required = captcha_required
        self.fields["captcha"].required = captcha_required
        self.captcha_failed = False

    def clean(self):
        if "captcha" in self._errors:
            # A missing or wrong captcha: the password is not checked at all.
            self.captcha_failed = True
            return self.cleaned_data
        if self.request is not None and self.cleaned_data.get("captcha"):
            self.request.login_captcha_passed = True  # for accounts.backends.LockoutBackend
        return super().clean()

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


def _captcha_due(key: str) -> bool:
    return key_failures(key) >= settings.LOGIN_CAPTCHA_AFTER_FAILURES


def _refusal_response(request, reason: str):
    """The page for a refused login: the account locked, or the address over its limit."""
    login_url = settings.LOGIN_URL
    status = 429
    if reason == "address":
        message = ADDRESS_MESSAGE.format(minutes=address_retry_minutes())
    elif reason == "captcha":
        # Only a login form without a CAPTCHA (the Wagtail admin's) gets here: send them to ours.
        message, status = CAPTCHA_DUE_MESSAGE, 403
        if request.path_info.startswith(settings.ADMIN_URL_PREFIX):
            login_url = f"{settings.LOGIN_URL}?{urlencode({'next': settings.ADMIN_URL_PREFIX})}"
    else:
        message = LOCKED_MESSAGE.format(minutes=cooloff_minutes())
    return render(
        request,
        "accounts/locked.html",
        {"message": message, "reason": reason, "login_url": login_url},
        status=status,
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: what axes' middleware answers once a login was refused as locked
    (here and on the Wagtail admin's login page)."""
    return _refusal_response(request, getattr(request, "login_refusal", None) or "locked")


class LoginView(DjangoLoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and (user.is_staff or user.has_perm("wagtailadmin.access_admin")):
            try:
                return reverse("wagtailadmin_home")
            except NoReverseMatch:
                pass
        try:
            return reverse("my_area")
        except NoReverseMatch:
            return resolve_url(settings.LOGIN_REDIRECT_URL)

    def post(self, request, *args, **kwargs):
        identifier = request.POST.get("username", "")
        account = _request_account(request, identifier) if identifier.strip() else None
        if address_is_blocked(request):
            self._audit_failure(account, "address")
            return _refusal_response(request, "address")
        key = identifier_key(identifier, request)
        if key_failures(key) >= settings.AXES_FAILURE_LIMIT:
            self._audit_failure(account, "locked")
            return _refusal_response(request, "locked")
        self.captcha_required = _captcha_due(key)
        if request.POST.get("captcha_refresh"):
            # "换一张": a fresh image, what was typed kept, nothing counted.
            form = LoginForm(
                request, initial={"username": identifier}, captcha_required=self.captcha_required
            )
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["captcha_required"] = getattr(self, "captcha_required", False)
        return kwargs

    def form_invalid(self, form):
        request = self.request
        refusal = getattr(request, "login_refusal", None)
        if refusal == "captcha":
            # The CAPTCHA fell due while this form was on its way: ask for it, count nothing.
            request.axes_locked_out = False
            form.captcha_required = True
        elif getattr(request, "axes_locked_out", False):
            # The failure that locked the account (axes' middleware would answer the same).
            return _refusal_response(request, refusal or "locked")
        if form.captcha_failed:
            identifier = request.POST.get("username", "")
            account = _request_account(request, identifier) if identifier.strip() else None
            self._audit_failure(account, "captcha")
            address_failure_record(request)
        failures = getattr(request, "axes_failures_since_start", None)
        if form.captcha_required or (failures or 0) >= settings.LOGIN_CAPTCHA_AFTER_FAILURES:
            form.fields["captcha"].required = True
        return super().form_invalid(form)

    def _audit_failure(self, account, reason: str) -> None:
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            subject=account,
            request=self.request,
            succeeded=False,
            reason=reason,
            via=self.request.path,
        )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def logout_view(request):
    """POST (with its CSRF token) logs out, ending every session of the user (accounts.signals).
    GET asks for confirmation: a link alone cannot log anyone out."""
    if request.method == "POST":
        if request.user.is_authenticated:
            logout(request)
            messages.info(request, "您已退出登录。")
        return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return render(request, "accounts/login.html", {"logout_confirm": True})


# --- Services ---------------------------------------------------------------------------------


def sessions_end_all(user, *, request=None) -> None:
    """End every session of `user` at once, in O(1): raise their session generation, which is
    part of every session's auth hash, so each of their sessions fails verification on its next
    request. If `request` is the user's own, that session is kept (its hash is renewed).
    Sends `logins_ended` after commit: an open player socket is told to check its login
    (otherwise it finds out within a minute).
    """

    users = get_user_model().objects.filter(pk=user.pk)
    users.update(session_generation=F("session_generation") + 1)
    user.session_generation = users.values_list("session_generation", flat=True).get()
    if request is not None and getattr(request, "user", None) == user:
        update_session_auth_hash(request, user)
    user_id = user.pk
    transaction.on_commit(lambda: logins_ended.send(sender=None, user_id=user_id))


def password_change_completed(request, user) -> None:
    """Call after a user's password was changed and saved (by themselves, or a reset): audits it
    and ends every other session of theirs; the current one stays logged in if it is theirs."""
    own = request is not None and getattr(request, "user", None) == user
    audit_record(
        action=AuditAction.PASSWORD_CHANGED,
        actor=user if own else getattr(request, "user", None),
        subject=user,
        request=request,
    )
    sessions_end_all(user, request=request if own else None)


def account_lock_status(user) -> dict:
    """For staff pages: how many recent failures the account has and whether it is locked."""
    failures = key_failures(account_key(user))
    return {
        "failures": failures,
        "locked": failures >= settings.AXES_FAILURE_LIMIT,
        "captcha": failures >= settings.LOGIN_CAPTCHA_AFTER_FAILURES,
    }


def account_unlock(*, actor, user, request=None) -> int:
    """Clear the failures counted against `user`'s account (however they identified themselves),
    audited. The caller checks that `user` is within the actor's scope; this checks the
    permission. Returns how many attempt records were cleared."""
    if not actor.has_perm("accounts.unlock_user"):
        raise PermissionDenied("解除账号锁定需要相应权限")
    cleared = AxesProxyHandler.reset_attempts(username=account_key(user))
    audit_record(
        action=AuditAction.UNLOCKED,
        actor=actor,
        subject=user,
        request=request,
        attempts_cleared=cleared,
    )
    return cleared
