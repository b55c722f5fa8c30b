"""Forms for employer self-registration, the bureau's review of it, and the staff import."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .forms import captcha_field, new_password_field, phone_clean
from .identity import credit_code_validate
from .models import County, Organisation, OrganisationKind, TitleSeries, User
from .organisation_services import (
    PHONE_TAKEN_MESSAGE,
    REVIEW_REASON_MAX_LENGTH,
    credit_code_taken_message,
    real_name_clean,
)
from .staff_import import MAX_ROWS, MAX_UPLOAD_BYTES

_CONTACT_PHONE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9})$")


def contact_phone_clean(value: str) -> str:
    phone = re.sub(r"[\s()（）]", "", value or "").replace("—", "-")
    if not _CONTACT_PHONE.match(phone):
        raise forms.ValidationError(_("请输入手机号码或带区号的固定电话，如 0372-1234567。"))
    return phone


class EmployerRegistrationForm(forms.Form):
    """用人单位注册: the unit, its contact, and its first employer reviewer."""

    name = forms.CharField(
        label=_("单位名称"),
        max_length=100,
        min_length=4,
        help_text=_("与营业执照或登记证书上的名称一致"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18 位，见营业执照或事业单位法人证书"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    county = forms.ModelChoiceField(
        label=_("所在县（市、区）"),
        queryset=County.objects.all(),
        empty_label=_("请选择"),
        help_text=_("由所在县（市、区）人社局审核；市直单位由市人社局审核"),
    )
    supervising_department = forms.ModelChoiceField(
        label=_("主管部门"),
        queryset=Organisation.objects.approved()
        .filter(kind=OrganisationKind.DEPARTMENT)
        .order_by("name"),
        required=False,
        empty_label=_("无主管部门（如非公企业）"),
        help_text=_("本单位的行业主管部门；没有的可不选"),
    )
    title_series = forms.ModelMultipleChoiceField(
        label=_("本单位主要聘用的职称系列"),
        queryset=TitleSeries.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个职称系列。")},
        help_text=_("可多选"),
    )
    contact_name = forms.CharField(
        label=_("联系人"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        help_text=_("人社局审核时可能与您联系"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    reviewer_name = forms.CharField(
        label=_("审核员姓名"),
        max_length=50,
        help_text=_("负责确认本单位人员、初审学时申报的工作人员"),
    )
    reviewer_phone = forms.CharField(
        label=_("审核员手机号码"),
        max_length=11,
        help_text=_("审核通过后用此手机号码登录"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    password1 = new_password_field(_("密码"), _("至少 8 位，不能过于常见，不能包含手机号码"))
    password2 = new_password_field(_("确认密码"))
    captcha = captcha_field()

    def clean_name(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data["name"])

    def clean_credit_code(self) -> str:
        code = credit_code_validate(self.cleaned_data["credit_code"])
        message = credit_code_taken_message(code)
        if message:
            raise forms.ValidationError(message)
        return code

    def clean_contact_name(self) -> str:
        name = self.cleaned_data["contact_name"].strip()
        if len(name) < 2:
            raise forms.ValidationError(_("请填写联系人姓名。"))
        return name

    def clean_contact_phone(self) -> str:
        return contact_phone_clean(self.cleaned_data["contact_phone"])

    def clean_reviewer_name(self) -> str:
        return real_name_clean(self.cleaned_data["reviewer_name"])

    def clean_reviewer_phone(self) -> str:
        phone = phone_clean(self.cleaned_data["reviewer_phone"])
        if User.objects.filter(phone=phone).exists():
            raise forms.ValidationError(PHONE_TAKEN_MESSAGE)
        return phone

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif password1:
            candidate = User(
                username="",
                real_name=cleaned.get("reviewer_name", ""),
                phone=cleaned.get("reviewer_phone"),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmployerReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("approve", _("通过")), ("reject", _("不予通过"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=REVIEW_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予通过时必填，如：信用代码与单位名称不符、不属于本县（市、区）"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不予通过时必须填写理由。"))
        return cleaned


class StaffImportForm(forms.Form):
    sheet = forms.FileField(
        label=_("人员名单（.xlsx）"),
        error_messages={
            "required": "请选择要上传的 .xlsx 文件。",
            "empty": "上传的文件是空的，请重新选择。",
        },
        help_text=(
            f"Excel 2007 及以上版本的 .xlsx 文件，不超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB、"
            f"{MAX_ROWS} 行；第一行为表头，须有“姓名”“身份证号码”“手机号码”三列"
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if sheet.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件太大：不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。"
            )
        return sheet
