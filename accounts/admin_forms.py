"""Wagtail's user forms, for people with one Chinese name and an organisation: the real name
replaces first/last name, e-mail is optional, and staff are placed in their organisation."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from .models import Organisation, User

_FIELDS = {"username", "real_name", "organisation", "email", "is_superuser", "groups"}


class _StaffFields(forms.ModelForm):
    first_name = None
    last_name = None
    email = forms.EmailField(required=False, label=_("电子邮箱"))
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    organisation = forms.ModelChoiceField(
        label=_("所属机构"),
        queryset=Organisation.objects.approved().order_by("kind", "name"),
        required=False,
        help_text=_("工作人员所属的机构决定其可见范围；学员无需填写"),
    )


class StaffUserCreationForm(_StaffFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = _FIELDS
        widgets = {"groups": forms.CheckboxSelectMultiple}


class StaffUserEditForm(_StaffFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = User
        fields = _FIELDS | {"is_active"}
        widgets = {"groups": forms.CheckboxSelectMultiple}
