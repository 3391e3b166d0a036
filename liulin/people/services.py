"""Every write to the resident registry. Keyword-only, acting user first, one transaction,
an audit row per change."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from liulin.core import audit, clock, crypto
from liulin.core.errors import Invalid
from liulin.core.masking import mask_id
from liulin.core.permissions import require
from liulin.core.validators import validate_id_number, validate_mobile

from . import pinyin
from .models import Resident

EDITABLE_FIELDS = (
    "name", "gender", "birth_date", "mobile", "household", "relation", "is_party_member", "party_branch", "notes",
)


def _clean_mobile(mobile):
    mobile = (mobile or "").strip()
    if mobile:
        try:
            validate_mobile(mobile)
        except ValidationError as e:
            raise Invalid(e.messages[0], code="invalid_mobile", field="mobile") from None
    return mobile


def clean_id_number(id_number):
    try:
        return validate_id_number(id_number)
    except ValidationError as e:
        raise Invalid(e.messages[0], code=e.error_list[0].code, field="id_number") from None


def _apply_id_number(resident, id_number):
    if not id_number:
        resident.id_cipher, resident.id_hash, resident.id_masked = "", None, ""
        return
    id_number = clean_id_number(id_number)
    resident.id_cipher = crypto.encrypt(id_number)
    resident.id_hash = crypto.keyed_hash(id_number)
    resident.id_masked = mask_id(id_number)


def _apply_name(resident):
    resident.name = resident.name.strip()
    if not resident.name:
        raise Invalid("姓名不能为空。", field="name")
    resident.name_pinyin = pinyin.full(resident.name)
    resident.name_initials = pinyin.initials(resident.name)


def _save(resident):
    if resident.is_party_member is False:
        resident.party_branch = None
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise Invalid("该身份证号已登记在另一位居民名下。", code="duplicate_id", field="id_number") from None


def build_resident(*, id_number="", care_tags=(), **fields):
    """An unsaved, validated resident (used by create and by the xlsx dry run)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"is_demo"}
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    resident = Resident(**fields)
    resident.mobile = _clean_mobile(resident.mobile)
    _apply_name(resident)
    _apply_id_number(resident, id_number)
    if resident.birth_date and resident.birth_date > clock.today():
        raise Invalid("出生日期不能晚于今天。", field="birth_date")
    return resident


@transaction.atomic
def create_resident(*, actor, id_number="", care_tags=(), **fields):
    resident = build_resident(id_number=id_number, **fields)
    _save(resident)
    if care_tags:
        resident.care_tags.set(care_tags)
    audit.record(actor=actor, action="resident.create", target=resident)
    return resident


@transaction.atomic
def update_resident(*, actor, resident, id_number=None, care_tags=None, **changes):
    require(actor, "people.change", resident)
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise TypeError(f"unknown resident field: {field}")
        setattr(resident, field, value)
    resident.mobile = _clean_mobile(resident.mobile)
    _apply_name(resident)
    if id_number is not None:
        _apply_id_number(resident, id_number)
    resident.updated_at = clock.now()
    _save(resident)
    if care_tags is not None:
        resident.care_tags.set(care_tags)
    audit.record(actor=actor, action="resident.update", target=resident, fields=sorted(changes))
    return resident


REVEALABLE = {"mobile": "people.reveal_phone", "id_number": "people.reveal_id"}


@transaction.atomic
def reveal(*, actor, resident, field, reason):
    """Return the plain phone or ID number, for a permitted role with a stated reason; logged."""
    if field not in REVEALABLE:
        raise Invalid("只能查看手机号或身份证号。", field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid("请填写查看原因。", code="reason_required", field="reason")
    require(actor, REVEALABLE[field], resident, message="您的角色不能查看完整的个人信息。")
    audit.record_access(actor=actor, target=resident, field=field, reason=reason[:200])
    if field == "mobile":
        return resident.mobile
    return crypto.decrypt(resident.id_cipher) if resident.id_cipher else ""
