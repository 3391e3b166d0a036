"""Validators for Chinese identifiers: mobile numbers and resident ID numbers (GB 11643-1999)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import clock
from .errors import Invalid

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def validate_mobile(value):
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(_("手机号应为 11 位数字，以 13–19 开头。"), code="invalid_mobile")


def id_check_char(first17):
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value):
    return (value or "").strip().upper()


def validate_id_number(value):
    """Validate an 18-digit resident ID number: digits, a real birth date, GB 11643 check character."""
    value = normalise_id_number(value)
    if len(value) == 15 and value.isdigit():
        raise ValidationError(_("15 位旧身份证号已停止使用，请填写 18 位身份证号。"), code="legacy_id")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(_("身份证号应为 18 位：17 位数字加 1 位数字或 X。"), code="invalid_id")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="invalid_id_birth") from None
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="bad_id_checksum")
    return value


def validate_date_in_range(value):
    """Form fields' face of `clock.bounded`: a date a query can use without overflowing."""
    try:
        clock.bounded(value)
    except Invalid as error:
        raise ValidationError(error.detail, code=error.code) from None
