"""Every write to the resident registry. Keyword-only, acting user first, one transaction,
an audit row per change."""

import hmac
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liulin.core import audit, clock, crypto, limits
from liulin.core.errors import Invalid
from liulin.core.masking import mask_id
from liulin.core.permissions import can, require
from liulin.core.validators import validate_id_number, validate_mobile
from liulin.territory.models import Household

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


def birth_date_in_id(id_number):
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def _check_birth_date(resident, id_number):
    """The birth date is part of the ID number; a mismatch is almost always a typo in one of them."""
    if not resident.birth_date:
        resident.birth_date = birth_date_in_id(id_number)
    elif resident.birth_date != birth_date_in_id(id_number):
        raise Invalid(_("出生日期与身份证号中的出生日期不一致，请核对。"), code="birth_date_mismatch", field="birth_date")


def _apply_id_number(resident, id_number):
    if not id_number:
        resident.id_cipher, resident.id_hash, resident.id_masked = "", None, ""
        return
    id_number = clean_id_number(id_number)
    _check_birth_date(resident, id_number)
    resident.id_cipher = crypto.encrypt(id_number)
    resident.id_hash = crypto.keyed_hash(id_number)
    resident.id_masked = mask_id(id_number)


def _apply_name(resident):
    resident.name = resident.name.strip()
    if not resident.name:
        raise Invalid(_("姓名不能为空。"), field="name")
    if len(resident.name) > Resident._meta.get_field("name").max_length:
        raise Invalid(_("姓名太长（最多 32 个字）。"), field="name")
    resident.name_pinyin = pinyin.full(resident.name)
    resident.name_initials = pinyin.initials(resident.name)


def _save(resident):
    if resident.is_party_member is False:
        resident.party_branch = None
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise Invalid(_("该身份证号已登记在另一位居民名下。"), code="duplicate_id", field="id_number") from None


def build_resident(*, id_number="", care_tags=(), **fields):
    """An unsaved, validated resident (used by create and by the xlsx dry run)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"is_demo"}
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    resident = Resident(**fields)
    resident.mobile = _clean_mobile(resident.mobile)
    _apply_name(resident)
    _check_choices(resident)
    _apply_id_number(resident, id_number)
    _check_birth_date_known(resident)
    return resident


GENDERS = frozenset(Resident.Gender.values)
RELATIONS = frozenset(Resident.Relation.values)


def _check_choices(resident):
    if resident.gender not in GENDERS:
        raise Invalid(_("性别应为“男”或“女”。"), code="invalid_gender", field="gender")
    if resident.relation not in RELATIONS:
        labels = "、".join(Resident.Relation.labels)
        raise Invalid(f"与户主关系应为：{labels}。", code="invalid_relation", field="relation")


def _check_birth_date_known(resident):
    if not resident.birth_date:
        raise Invalid(_("请填写出生日期（或填写身份证号自动带出）。"), code="birth_date_required", field="birth_date")
    if resident.birth_date > clock.today():
        raise Invalid(_("出生日期不能晚于今天。"), field="birth_date")


def _require_household_access(actor, household):
    """Staff may register people only into households in their own scope; actor=None is a system job
    (seed, command line) run by someone who already holds the server."""
    if actor is None:
        return
    if household is None:
        raise Invalid(_("请选择住户。"), code="household_required", field="household")
    if not can(actor, "people.change", household):
        raise Invalid(_("请选择您负责范围内的住户。"), code="household_out_of_scope", field="household")


@transaction.atomic
def create_resident(*, actor, id_number="", care_tags=(), **fields):
    resident = build_resident(id_number=id_number, **fields)
    _require_household_access(actor, resident.household)
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
    if "household" in changes:
        _require_household_access(actor, resident.household)
    resident.mobile = _clean_mobile(resident.mobile)
    _apply_name(resident)
    _check_choices(resident)
    if id_number is not None:
        _apply_id_number(resident, id_number)
    elif "birth_date" in changes and resident.id_cipher:
        _check_birth_date(resident, crypto.decrypt(resident.id_cipher))
    _check_birth_date_known(resident)
    resident.updated_at = clock.now()
    _save(resident)
    if care_tags is not None:
        resident.care_tags.set(care_tags)
    audit.record(actor=actor, action="resident.update", target=resident, fields=sorted(changes))
    return resident


@transaction.atomic
def household_for_room(*, actor, building, room):
    """The household at `room` of `building`, registered on first use (a new family moving in)."""
    room = (room or "").strip()
    if not room:
        raise Invalid(_("请填写房号。"), code="room_required", field="room")
    if len(room) > Household._meta.get_field("room").max_length:
        raise Invalid(_("房号太长。"), code="room_too_long", field="room")
    if actor is not None and not can(actor, "people.change", building):
        raise Invalid(_("请选择您负责范围内的楼栋。"), code="building_out_of_scope", field="building")
    household, created = Household.objects.get_or_create(building=building, room=room)
    if created:
        audit.record(actor=actor, action="household.create", target=household)
    return household


@transaction.atomic
def register_resident(*, actor, building, room, **fields):
    """Register a resident at building + room (the room becomes a household if it is new)."""
    household = household_for_room(actor=actor, building=building, room=room)
    return create_resident(actor=actor, household=household, **fields)


@transaction.atomic
def edit_resident(*, actor, resident, building, room, **changes):
    """Edit a resident, moving him to building + room if that changed."""
    require(actor, "people.change", resident)
    household = household_for_room(actor=actor, building=building, room=room)
    return update_resident(actor=actor, resident=resident, household=household, **changes)


REVEALABLE = {"mobile": "people.reveal_phone", "id_number": "people.reveal_id"}


@transaction.atomic
def reveal(*, actor, resident, field, reason):
    """Return the plain phone or ID number, for a permitted role with a stated reason; logged."""
    if field not in REVEALABLE:
        raise Invalid(_("只能查看手机号或身份证号。"), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid(_("请填写查看原因。"), code="reason_required", field="reason")
    require(actor, REVEALABLE[field], resident, message="您的角色不能查看完整的个人信息。")
    # A stolen or misused staff account must not read the registry out one reveal at a time.
    limits.check("reveal", actor.pk, settings.LIULIN_REVEAL_RATE_LIMIT,
                 detail=_("查看完整信息过于频繁，请 %(seconds)s 秒后再试。"))
    audit.record_access(actor=actor, target=resident, field=field, reason=reason[:200])
    if field == "mobile":
        return resident.mobile
    return crypto.decrypt(resident.id_cipher) if resident.id_cipher else ""


# How many typed ID numbers one user may check in a clock hour. The mask, the age and the
# gender leave some 16,000 numbers for a person; at this pace trying them takes weeks, each
# try in the access log.
ID_CHECKS_PER_HOUR = getattr(settings, "PEOPLE_ID_CHECKS_PER_HOUR", 30)


def check_id_number(*, actor, resident, id_number):
    """Whether `id_number`, typed from what the person says, is the one registered for
    `resident`: yes or no through the keyed hash, never the number itself. This is how a role
    that may not reveal the ID confirms a person; each check is logged and counted per user.

    The count is taken before the transaction: a limit counted in the database cache inside
    it would be rolled back with a refused check, and malformed numbers must count too."""
    require(actor, "people.check_id", resident, message=_("您的角色不能核对该居民的身份证号。"))
    if not resident.id_hash:
        raise Invalid(_("该居民未登记身份证号。"), code="no_id_number", field="id_number")
    limits.check("people:id-check", actor.pk, f"{ID_CHECKS_PER_HOUR}/h", code="id_check_rate_limited",
                 detail=_("核对次数过多，请 %(seconds)s 秒后再试。"))
    return _matches_registered_id(actor=actor, resident=resident, id_number=id_number)


@transaction.atomic
def _matches_registered_id(*, actor, resident, id_number):
    number = clean_id_number(id_number)
    match = hmac.compare_digest(crypto.keyed_hash(number), resident.id_hash)
    audit.record_access(actor=actor, target=resident, field="id_number_check", reason="match" if match else "no match")
    return match
