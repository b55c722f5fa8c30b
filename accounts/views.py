from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .forms import (
    IdentityDisputeForm,
    PrivacyConsentForm,
    ProfileForm,
    RegistrationForm,
    SmsResetForm,
    SmsResetRequestForm,
    captcha_form,
)
from .login import password_change_completed
from .password_reset import (
    ResetRefused,
    password_reset_complete,
    reset_code_check,
    reset_code_request,
)
from .services import (
    IdNumberTaken,
    Registration,
    RegistrationError,
    identity_dispute_submit,
    learner_register,
    privacy_accept,
    profile_update,
)
from .speech import digits_wav, speech_available


@never_cache
@sensitive_post_parameters("id_number", "password1", "password2")
def register(request: HttpRequest) -> HttpResponse:
    """首次注册 for learners; they are logged in and wait for their employer's confirmation."""
    if request.user.is_authenticated:
        return redirect("my_area")
    form = captcha_form(RegistrationForm, request)
    id_taken = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = learner_register(
                registration=Registration(
                    real_name=data["real_name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    password=data["password1"],
                    employer=data["employer"],
                    title_series=data["title_series"],
                    title_level=data["title_level"],
                    is_accountant=data["is_accountant"],
                    privacy_notice_version=form.privacy_notice_version,
                ),
                request=request,
            )
        except IdNumberTaken:
            id_taken = True
            form.add_error(
                "id_number",
                "该身份证号码已被注册。如果不是您本人注册的，请联系人社局核查（见下方说明）。",
            )
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
            messages.success(request, "注册成功。请等待工作单位确认您的身份。")
            return redirect("my_area")
    return render(request, "accounts/register.html", {"form": form, "id_taken": id_taken})


@never_cache
@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    """The owner's own profile: the only page that shows their full ID number."""
    user = request.user
    return render(
        request,
        "my/profile.html",
        {"person": user, "id_number": user.id_number_for_owner()},
    )


@never_cache
@login_required
@sensitive_post_parameters("id_number")
def my_profile_edit(request: HttpRequest) -> HttpResponse:
    """The learner corrects their own data (name and ID number only until confirmed)."""
    user = request.user
    if not user.is_learner:
        return redirect("my_profile")
    form = ProfileForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            changed = profile_update(user=user, data=form.cleaned_data, request=request)
        except IdNumberTaken:
            form.add_error("id_number", "该身份证号码已被注册。如有疑问请联系人社局核查。")
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            if "employer" in changed:
                messages.success(request, "资料已保存。已更换工作单位，请等待新单位确认。")
            elif changed:
                messages.success(request, "资料已保存。")
            else:
                messages.info(request, "资料没有变化。")
            return redirect("my_profile")
    return render(request, "my/profile_edit.html", {"form": form})


@never_cache
@login_required
@sensitive_post_parameters()
def my_password(request: HttpRequest) -> HttpResponse:
    """修改密码: the old one, then the new one twice; ends the user's other sessions."""
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        password_change_completed(request, user)
        messages.success(request, "密码已修改。您在其他设备上的登录已退出。")
        return redirect("my_area")
    return render(request, "my/password.html", {"form": form})


@never_cache
@sensitive_post_parameters()
def password_reset(request: HttpRequest) -> HttpResponse:
    """找回密码, step 1: a code to the registered phone (same answer whether or not it is)."""
    form = captcha_form(SmsResetRequestForm, request)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            reset_code_request(phone=phone, request=request)
        except ResetRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.info(request, "如果该手机号码已注册，验证码已发送，10 分钟内有效。")
            return redirect(f"{reverse('password_reset_confirm')}?phone={phone}")
    return render(request, "accounts/password_reset.html", {"form": form})


@never_cache
@sensitive_post_parameters()
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    """找回密码, step 2: the code and a new password."""
    form = SmsResetForm(
        request.POST if request.method == "POST" else None,
        initial={"phone": request.GET.get("phone", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The code first: nothing about the account (not even which password rules it trips,
        # which would leak its ID number) is said to someone without the right code.
        user = reset_code_check(phone=data["phone"], code=data["code"])
        if user is None:
            form.add_error("code", "验证码不正确或已过期，请重新获取。")
        elif form.validate_for(user):
            done = password_reset_complete(
                phone=data["phone"], code=data["code"], password=data["password1"], request=request
            )
            if done is not None:
                messages.success(request, "密码已重置，请用新密码登录。")
                return redirect("login")
            form.add_error("code", "验证码不正确或已过期，请重新获取。")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


@never_cache
@sensitive_post_parameters("id_number")
def id_dispute(request: HttpRequest) -> HttpResponse:
    """身份证号码被他人注册: ask the bureau to look into it."""
    form = captcha_form(IdentityDisputeForm, request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity_dispute_submit(
            real_name=data["real_name"],
            id_number=data["id_number"],
            phone=data["phone"],
            description=data["description"],
        )
        return render(request, "accounts/id_dispute_done.html")
    return render(request, "accounts/id_dispute.html", {"form": form})


@never_cache
@login_required
def my_consent(request: HttpRequest) -> HttpResponse:
    """The privacy notice, for a learner who has not accepted it yet (e.g. imported by their
    employer): nothing else opens until they do."""
    form = PrivacyConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        privacy_accept(user=request.user, version=settings.PRIVACY_NOTICE_VERSION, request=request)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("my_area")
        return redirect(target)
    return render(
        request,
        "my/consent.html",
        {"form": form, "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION},
    )


@never_cache
def captcha_audio(request: HttpRequest, key: str) -> HttpResponse:
    """The CAPTCHA code of `key` read aloud (the picture's alternative); 404 for an unknown or
    expired code, 503 without espeak-ng."""
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None or not store.challenge.isdigit():
        raise Http404
    if not speech_available():
        return HttpResponse("语音验证码暂不可用，请使用图片验证码或联系客服", status=503)
    response = HttpResponse(digits_wav(store.challenge), content_type="audio/wav")
    response["Cache-Control"] = "no-store"
    return response
