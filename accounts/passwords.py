"""Password rules beyond Django's: a password must not contain the ID number or the phone."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class IdentityPasswordValidator:
    """Refuse passwords containing the person's ID number, its last 6+ characters, or their
    phone number. Works on an unsaved user too: pass `id_number` through `user._id_number_plain`
    at registration, where the number is not yet stored."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        lowered = password.lower()
        phone = getattr(user, "phone", "") or ""
        if phone and phone in lowered:
            raise ValidationError(_("密码不能包含手机号码。"), code="password_has_phone")
        id_number = getattr(user, "_id_number_plain", "") or ""
        if not id_number and getattr(user, "id_number_ciphertext", ""):
            id_number = user.id_number_for_owner()
        id_number = id_number.lower()
        if id_number and (id_number in lowered or id_number[-6:] in lowered):
            raise ValidationError(_("密码不能包含身份证号码。"), code="password_has_id_number")

    def get_help_text(self) -> str:
        return _("密码不能包含身份证号码或手机号码。")


class MinimumLengthValidator:
    """Django's minimum length, with a Chinese message (Django's zh-hans catalogue lacks its
    plural form, so the English one shows)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码长度太短，至少需要 %(min_length)d 个字符。"),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
