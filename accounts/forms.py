import re

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from .identity import id_number_validate
from .login import LoginCaptchaInput
from .models import Organisation, TitleLevel, TitleSeries, User

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


PASSWORD_RULES_HELP = _("至少 8 位，不能过于常见，不能包含身份证号码或手机号码")


def new_password_field(label, help_text="") -> forms.CharField:
    """A field for choosing a password (and its confirmation): capped at 128 characters so no
    one posts megabytes at the password checks, never stripped, never pre-filled."""
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        # Kept after an error elsewhere in the form, so that nobody types it twice more.
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text=help_text,
    )


def captcha_form(form_class, request, **kwargs):
    """A public form with a CAPTCHA, as the request asks: empty on GET; on 换一张 (the CAPTCHA's
    `captcha_refresh` button) the form as typed, a new code and no errors (nothing validated,
    nothing counted); otherwise bound to what was posted."""
    if request.method != "POST":
        return form_class(None, **kwargs)
    if request.POST.get("captcha_refresh"):
        kept = {
            name: values if len(values) > 1 else values[0]
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken" and not name.startswith(("captcha", "captcha_"))
        }
        return form_class(None, initial=kept, **kwargs)
    return form_class(request.POST, **kwargs)


def captcha_field() -> CaptchaField:
    """A CAPTCHA for the public forms that create something or send a text message."""

    return CaptchaField(
        label=_("验证码"),
        widget=LoginCaptchaInput,
        error_messages={"invalid": _("验证码不正确，请重新输入。")},
    )


class AdminLoginForm(LoginForm):
    """Wagtail's login form, whose password field has no translatable label of its own."""

    password = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"placeholder": _("输入密码")}),
        strip=False,
    )


def phone_clean(value: str) -> str:
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if not PHONE_PATTERN.match(phone):
        raise forms.ValidationError(_("请输入 11 位中国大陆手机号码。"))
    return phone


class RegistrationForm(forms.Form):
    """首次注册: real name, ID number, phone, employer, title, accountant, consent."""

    real_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("与身份证上的姓名一致"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        min_length=18,
        help_text=_("18 位居民身份证号码，最后一位 X 大小写均可"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        help_text=_("用于登录和找回密码"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    employer = forms.ModelChoiceField(
        label=_("工作单位"),
        queryset=Organisation.objects.employers().approved().order_by("name"),
        empty_label=_("请选择工作单位"),
        help_text=_(
            "找不到单位？请单位人事部门到平台“用人单位注册”，经所在县（市、区）人社局审核后即可选择"
        ),
    )
    title_series = forms.ModelChoiceField(
        label=_("职称系列"),
        queryset=TitleSeries.objects.all(),
        required=False,
        empty_label=_("暂无职称"),
    )
    title_level = forms.ChoiceField(label=_("职称级别"), choices=TitleLevel.choices)
    is_accountant = forms.BooleanField(
        label=_("我是会计专业技术人员（在会计专区学习专业科目）"), required=False
    )
    password1 = new_password_field(_("密码"), PASSWORD_RULES_HELP)
    password2 = new_password_field(_("确认密码"))
    privacy = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护告知书》"),
        required=True,
        error_messages={"required": _("请阅读并勾选同意《个人信息保护告知书》后再注册。")},
    )
    captcha = captcha_field()

    def clean_real_name(self) -> str:
        name = re.sub(r"\s+", "", self.cleaned_data["real_name"])
        if not re.fullmatch(r"[\u4e00-\u9fff·A-Za-z]{2,50}", name):
            raise forms.ValidationError(_("请填写身份证上的姓名（汉字，少数民族姓名可含“·”）。"))
        return name

    def clean_id_number(self) -> str:
        return id_number_validate(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif password1:
            candidate = User(
                username="", real_name=cleaned.get("real_name", ""), phone=cleaned.get("phone")
            )
            candidate._id_number_plain = cleaned.get("id_number", "")
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    @property
    def privacy_notice_version(self) -> str:
        return settings.PRIVACY_NOTICE_VERSION


class ProfileForm(forms.Form):
    """What a learner may change themselves. Name and ID number only until their identity is
    confirmed (by their employer); after that, only the bureau corrects them."""

    real_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, min_length=18)
    phone = forms.CharField(label=_("手机号码"), max_length=11)
    employer = forms.ModelChoiceField(
        label=_("工作单位"),
        queryset=Organisation.objects.employers().approved().order_by("name"),
        help_text=_("更换工作单位后，需由新单位重新确认；已获得的学时保留不变"),
    )
    title_series = forms.ModelChoiceField(
        label=_("职称系列"),
        queryset=TitleSeries.objects.all(),
        required=False,
        empty_label=_("暂无职称"),
    )
    title_level = forms.ChoiceField(label=_("职称级别"), choices=TitleLevel.choices)
    is_accountant = forms.BooleanField(label=_("我是会计专业技术人员"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        initial = {
            "real_name": user.real_name,
            "id_number": user.id_number_for_owner(),
            "phone": user.phone,
            "employer": user.employer_id,
            "title_series": user.title_series_id,
            "title_level": user.title_level,
            "is_accountant": user.is_accountant,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if user.identity_confirmed:
            del self.fields["real_name"]
            del self.fields["id_number"]

    clean_real_name = RegistrationForm.clean_real_name

    def clean_id_number(self) -> str:
        return id_number_validate(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])


class SmsResetRequestForm(forms.Form):
    phone = forms.CharField(label=_("注册手机号码"), max_length=11)
    captcha = captcha_field()

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])


class SmsResetForm(forms.Form):
    phone = forms.CharField(label=_("注册手机号码"), max_length=11)
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6)
    password1 = new_password_field(_("新密码"), PASSWORD_RULES_HELP)
    password2 = new_password_field(_("确认新密码"))

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned

    def validate_for(self, user: User) -> bool:
        """Check the new password against the account it is for (phone, ID number)."""
        try:
            password_validation.validate_password(self.cleaned_data["password1"], user)
        except forms.ValidationError as error:
            self.add_error("password1", error)
            return False
        return True


class IdentityCorrectionForm(forms.Form):
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, min_length=18)
    reason = forms.CharField(
        label=_("更正原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：本人持身份证到窗口核实，注册时姓名录入错误"),
    )

    clean_real_name = RegistrationForm.clean_real_name

    def clean_id_number(self) -> str:
        return id_number_validate(self.cleaned_data["id_number"])


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("请再次输入您的登录密码"), strip=False, widget=forms.PasswordInput
    )


class IdentityDisputeForm(forms.Form):
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, min_length=18)
    phone = forms.CharField(label=_("联系电话（手机）"), max_length=11)
    description = forms.CharField(
        label=_("情况说明"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：从未在本平台注册过，注册时发现身份证号码已被使用"),
    )
    captcha = captcha_field()

    clean_real_name = RegistrationForm.clean_real_name

    def clean_id_number(self) -> str:
        return id_number_validate(self.cleaned_data["id_number"])

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])


class PrivacyConsentForm(forms.Form):
    privacy = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护告知书》"),
        required=True,
        error_messages={"required": _("请阅读并勾选同意《个人信息保护告知书》后继续。")},
    )
