"""Resident ID numbers (居民身份证号码, GB 11643): validation, encryption at rest, a keyed digest
for lookups, and masking. The full number leaves this module only for its owner's own eyes and
the bureau's audited export.

Keys come from settings (the environment in production): ID_NUMBER_KEYS is a list of Fernet keys,
newest first — add a new key at the front to rotate, re-encrypt with `id_number_reencrypt`, then
drop the old one. ID_NUMBER_HASH_KEY keys the lookup digest and must not change.
"""

import datetime
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def id_number_normalise(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_validate(value: str) -> str:
    """Return the normalised number, or raise ValidationError with a clear Chinese message."""
    number = id_number_normalise(value)
    if not _ID_PATTERN.match(number):
        raise ValidationError(_("身份证号码应为 18 位：前 17 位为数字，最后一位为数字或 X。"))
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效，请核对。")) from None
    if not datetime.date(1900, 1, 1) <= birth <= datetime.date.today():
        raise ValidationError(_("身份证号码中的出生日期无效，请核对。"))
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确，请逐位核对后重新输入。"))
    return number


def id_number_mask(number: str) -> str:
    """4105**********123X: the first four and last four characters only."""
    number = id_number_normalise(number)
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def phone_mask(phone: str | None) -> str:
    """138****0001: a mobile number as staff lists show it (empty stays empty)."""
    phone = (phone or "").strip()
    if len(phone) != 11:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[7:]}"


def _fernet() -> MultiFernet:
    keys = settings.ID_NUMBER_KEYS
    if not keys:
        raise RuntimeError("ID_NUMBER_KEYS is not configured")
    return MultiFernet([Fernet(key) for key in keys])


def id_number_encrypt(number: str) -> str:
    return _fernet().encrypt(id_number_normalise(number).encode()).decode()


def id_number_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def id_number_reencrypt(token: str) -> str:
    """Re-encrypt under the newest key (key rotation)."""
    return _fernet().rotate(token.encode()).decode()


def id_number_digest(number: str) -> str:
    key = settings.ID_NUMBER_HASH_KEY.encode()
    return hmac.new(key, id_number_normalise(number).encode(), hashlib.sha256).hexdigest()


# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_validate(value: str) -> str:
    """Return the normalised 18-character code, or raise ValidationError in Chinese."""
    code = (value or "").strip().replace(" ", "").upper()
    if not _CREDIT_PATTERN.match(code):
        raise ValidationError(_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"))
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对营业执照或登记证书。"))
    return code
