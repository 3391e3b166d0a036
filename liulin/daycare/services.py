"""Every write of day care: enrol (or wait), admit, check in and out, log care, raise the
absence calls, read health notes.

A place is never read-then-written. Each planned weekday's place is taken by one
conditional UPDATE (`taken = taken + 1 WHERE taken < capacity`), all inside one
transaction: if any planned weekday is full, the whole enrolment goes to the waiting list and
no place is held. The check constraint on DayPlace refuses an oversell anyway. This holds on
SQLite (IMMEDIATE transactions) and PostgreSQL (the UPDATE's row lock).
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from liulin.core import audit, calendar, chain, clock, crypto
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications import kinds
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import can
from liulin.core.roles import Role
from liulin.core.text import clean_text
from liulin.people import proxies

from .models import (
    AbsenceCall,
    Attendance,
    CareLog,
    Centre,
    DayPlace,
    Enrolment,
    EnrolmentEvent,
    FamilyContact,
)
from .workflow import ATTENDANCE_WORKFLOW, ENROLMENT_WORKFLOW

E = Enrolment.State
KIND_DAYCARE = "daycare.family"
kinds.register(KIND_DAYCARE, gettext_lazy("日间照料"))
NOT_FOUND = N_("找不到该长辈的托老登记，或您无权查看。")
# An elder planned for the day who has not arrived by this time is called about, so that the
# family and the grid worker hear of it before 10:00.
ABSENCE_CUTOFF = datetime.time(9, 30)
QR_SALT = "daycare.checkin"
PROXY_SERVICE = "daycare"  # the code registered with people.proxies


# --- who may act ------------------------------------------------------------------------------


def is_care_staff(user, centre):
    return bool(getattr(user, "is_authenticated", False)) and centre.staff.filter(pk=user.pk).exists()


def is_family(user, enrolment):
    """A family contact with an account who consented, or anyone the elder's consent covering
    day care names (people.proxies)."""
    if not getattr(user, "pk", None):
        return False
    return FamilyContact.objects.filter(enrolment=enrolment, user_id=user.pk, consented_at__isnull=False).exists() or (
        proxies.proxy_for(user, enrolment.elder, PROXY_SERVICE) is not None)


def manages(user, centre):
    return can(user, "daycare.manage", centre)


def may_see(user, enrolment):
    return (manages(user, enrolment.centre) or is_care_staff(user, enrolment.centre) or is_family(user, enrolment)
            or can(user, "daycare.view", enrolment.centre))


def _require_manager(actor, centre):
    if not manages(actor, centre):
        if can(actor, "daycare.view", centre):
            raise NotPermitted(_("您的角色不能执行此操作。"))
        raise NotFound(_(NOT_FOUND))


def _require_carer(actor, enrolment, *, family_too=False):
    """Care staff of the centre (or its managers); with `family_too`, a consented family proxy."""
    if is_care_staff(actor, enrolment.centre) or manages(actor, enrolment.centre):
        return "care_staff"
    if family_too and is_family(actor, enrolment):
        return "family"
    if may_see(actor, enrolment):
        raise NotPermitted(_("您的角色不能执行此操作。"))
    raise NotFound(_(NOT_FOUND))


def _event(enrolment, *, actor, action, role="", **data):
    """Append to the enrolment's chain through a row locked in this transaction, so two steps
    on one elder at once (a family QR and a carer's tap) queue rather than fork the chain."""
    locked = Enrolment.objects.select_for_update().only("pk").get(pk=enrolment.pk)
    return chain.append(EnrolmentEvent, locked, actor=actor, actor_role=role, action=action, data=data)


# --- centres and places ------------------------------------------------------------------------


@transaction.atomic
def create_centre(*, community, name, capacity, weekdays=range(5), address="", is_demo=False):
    """Open a centre with `capacity` places on each of `weekdays` (from admin or the demo seed)."""
    if capacity < 1:
        raise Invalid(_("名额至少为 1。"), field="capacity")
    centre = Centre.objects.create(community=community, name=clean_text(name)[:64], address=address, is_demo=is_demo)
    DayPlace.objects.bulk_create([DayPlace(centre=centre, weekday=d, capacity=capacity) for d in weekdays])
    return centre


def _take_places(centre, days):
    """Take one place on each of `days` (weekday numbers), all or none; True if taken.
    Must run inside a transaction the caller rolls back (a savepoint) when False."""
    for day in days:
        if not DayPlace.objects.filter(centre=centre, weekday=day, taken__lt=F("capacity")).update(taken=F("taken") + 1):
            return False
    return True


def _free_places(centre, days):
    DayPlace.objects.filter(centre=centre, weekday__in=list(days), taken__gt=0).update(taken=F("taken") - 1)


def _clean_days(days):
    try:
        numbers = sorted({int(d) for d in days})
    except (TypeError, ValueError):
        raise Invalid(_("照料日无效。"), field="days") from None
    if not numbers or any(d < 0 or d > 6 for d in numbers):
        raise Invalid(_("请选择照料日。"), field="days")
    return numbers


def _try_take(centre, days):
    try:
        with transaction.atomic():
            if not _take_places(centre, days):
                raise _Full
    except _Full:
        return False
    return True


class _Full(Exception):
    pass


@transaction.atomic
def enrol(*, actor, centre, elder, days, care_tags="", care_plan="", health_notes="", contacts=()):
    """Enrol `elder` on weekly `days` (0 = Monday): active if every planned day has a place,
    otherwise on the waiting list. `contacts`: [(name, relation, phone, user or None)]."""
    _require_manager(actor, centre)
    days = _clean_days(days)
    offered = set(DayPlace.objects.filter(centre=centre).values_list("weekday", flat=True))
    if not set(days) <= offered:
        raise Invalid(_("中心在所选的日子不开放。"), field="days")
    state = E.ACTIVE if _try_take(centre, days) else E.WAITING
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                centre=centre, elder=elder, state=state, days="".join(map(str, days)),
                care_tags=clean_text(care_tags)[:200], care_plan=clean_text(care_plan),
                health_cipher=crypto.encrypt(clean_text(health_notes)) if health_notes else "",
                enrolled_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("这位长辈已登记在本中心。"), code="already_enrolled") from None
    for name, relation, phone, user in contacts:
        add_contact(actor=actor, enrolment=enrolment, name=name, relation=relation, phone=phone, user=user)
    _event(enrolment, actor=actor, action="enrol", state=state)
    return enrolment


APPLY_NOTE_MAX = 200


@transaction.atomic
def apply_for(*, actor, centre, elder, days, note=""):
    """A family member (or grid worker) whose consent covers day care asks for a place for
    `elder` on weekly `days`: the enrolment waits, and takes its places only when the centre's
    manager admits it after meeting her (the care plan and health notes are theirs to write).
    The applicant becomes a consented contact; the elder is told (people.proxies) and the
    centre's care staff are asked to follow up."""
    proxy = proxies.acting_for(actor, elder, PROXY_SERVICE)
    household = elder.household
    if household is None or household.community_id != centre.community_id:
        raise NotPermitted(_("只能申请长辈所在社区的照料中心。"), code="other_community")
    days = _clean_days(days)
    offered = set(DayPlace.objects.filter(centre=centre).values_list("weekday", flat=True))
    if not set(days) <= offered:
        raise Invalid(_("中心在所选的日子不开放。"), field="days")
    note = clean_text(note or "", field="note").strip()
    if len(note) > APPLY_NOTE_MAX:
        raise Invalid(_("说明最多 %(n)d 字。") % {"n": APPLY_NOTE_MAX}, code="too_long", field="note")
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(centre=centre, elder=elder, state=E.WAITING, days="".join(map(str, days)),
                                                 enrolled_by=actor)
    except IntegrityError:
        raise Conflict(_("这位长辈已登记在本中心。"), code="already_enrolled") from None
    with translation.override(settings.LANGUAGE_CODE):  # a record of the centre, in its language
        relation = str(proxy.get_relation_display())[:16]
    FamilyContact.objects.create(enrolment=enrolment, name=actor.name[:32], relation=relation, user=actor, consented_at=clock.now())
    _event(enrolment, actor=actor, action="apply", role="proxy", state=E.WAITING, days=days, note=note)
    proxies.record_act(proxy=proxy, actor=actor, service=PROXY_SERVICE, action=N_("申请日间照料"), target=enrolment,
                       summary=centre.name)
    _tell_care_staff(enrolment)
    return enrolment


def _tell_care_staff(enrolment):
    url = reverse("daycare:today", args=[enrolment.centre_id])
    send([Notice(kind=KIND_DAYCARE, text=N_("{centre} 收到一份家属代长辈提交的托老申请，请联系家属评估后入托。"),
                 params={"centre": enrolment.centre.name}, user_id=pk, target=enrolment, url=url)
          for pk in enrolment.centre.staff.values_list("pk", flat=True)])


def add_contact(*, actor, enrolment, name, relation, phone="", user=None):
    _require_manager(actor, enrolment.centre)
    return FamilyContact.objects.create(
        enrolment=enrolment, name=clean_text(name)[:32], relation=clean_text(relation)[:16],
        phone_cipher=crypto.encrypt(phone) if phone else "", user=user, consented_at=clock.now() if user else None,
    )


@transaction.atomic
def act(*, actor, enrolment, action, reason=""):
    """Take a step of ENROLMENT_WORKFLOW, under the row lock."""
    enrolment = Enrolment.objects.select_for_update().select_related("centre").get(pk=enrolment.pk)
    roles = ENROLMENT_WORKFLOW.roles_of(action)
    if manages(actor, enrolment.centre) and any(can_role(actor, r) for r in roles):
        role = "manager"
    elif Role.RESIDENT in roles and is_family(actor, enrolment):
        role = "family"
    elif may_see(actor, enrolment):
        raise NotPermitted(_("您的角色不能执行此操作。"))
    else:
        raise NotFound(_(NOT_FOUND))
    step = ENROLMENT_WORKFLOW.transition_for(action, enrolment.state)
    reason = clean_text(reason)[:200]
    if step.needs_reason and not reason:
        raise Invalid(_("请填写原因。"), field="reason")
    if action in ("admit",) and not _try_take(enrolment.centre, enrolment.weekdays):
        raise Conflict(_("所选的日子已满，暂不能入托。"), code="full")
    if action == "end" and enrolment.state in (E.ACTIVE, E.SUSPENDED):
        _free_places(enrolment.centre, enrolment.weekdays)
    enrolment.state = step.target
    enrolment.save(update_fields=["state"])
    _event(enrolment, actor=actor, action=action, role=role, reason=reason)
    return enrolment


def can_role(actor, role):
    from liulin.core.permissions import active_assignments

    return getattr(actor, "is_superuser", False) or any(a.role == role for a in active_assignments(actor))


# --- a day at the centre ------------------------------------------------------------------------


def checkin_code(enrolment):
    """The code in the family's QR: it names the enrolment, signed so it cannot be guessed."""
    return signing.dumps(enrolment.pk, salt=QR_SALT)


def enrolment_from_code(code):
    try:
        pk = signing.loads(code, salt=QR_SALT)
    except signing.BadSignature:
        raise NotFound(_("二维码无效。")) from None
    found = Enrolment.objects.select_related("centre").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("二维码无效。"))
    return found


@transaction.atomic
def check_in(*, actor, enrolment, method=Attendance.Method.STAFF):
    role = _require_carer(actor, enrolment, family_too=True)
    if role == "family":
        method = Attendance.Method.QR
    if enrolment.state != E.ACTIVE:
        raise Conflict(_("该长辈当前不在托，不能签到。"), code="not_active")
    now = clock.now()
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(enrolment=enrolment, day=calendar.local_date(now), checked_in_at=now,
                                                   checked_in_by=actor, method=method)
    except IntegrityError:
        raise Conflict(_("今天已经签到。"), code="already_checked_in") from None
    AbsenceCall.objects.filter(enrolment=enrolment, day=attendance.day, done_at__isnull=True).update(
        done_at=now, outcome=_("已到站"))
    _event(enrolment, actor=actor, action="check_in", role=role, method=method)
    if role == "family":
        _record_family_act(actor, attendance, enrolment, N_("日间照料签到"), now)
    return attendance


@transaction.atomic
def check_out(*, actor, attendance):
    attendance = Attendance.objects.select_for_update().select_related("enrolment__centre").get(pk=attendance.pk)
    role = _require_carer(actor, attendance.enrolment, family_too=True)
    ATTENDANCE_WORKFLOW.transition_for("check_out", attendance.state)
    attendance.state = Attendance.State.LEFT
    attendance.checked_out_at = max(clock.now(), attendance.checked_in_at)
    attendance.checked_out_by = actor
    attendance.save(update_fields=["state", "checked_out_at", "checked_out_by"])
    _event(attendance.enrolment, actor=actor, action="check_out", role=role)
    if role == "family":
        _record_family_act(actor, attendance, attendance.enrolment, N_("日间照料离站"), attendance.checked_out_at)
    return attendance


def _record_family_act(actor, attendance, enrolment, action, now):
    """A family member acting under the elder's consent (people.proxies): both names, the
    attendance's and the consent's record, and the elder is told. A family contact with no
    consent on file has nothing to record."""
    proxy = proxies.proxy_for(actor, enrolment.elder, PROXY_SERVICE)
    if proxy is not None:
        proxies.record_act(proxy=proxy, actor=actor, service=PROXY_SERVICE, action=action, target=attendance,
                           summary=enrolment.centre.name, now=now)


def family_users(enrolment):
    return list(FamilyContact.objects.filter(enrolment=enrolment, user__isnull=False, consented_at__isnull=False)
                .values_list("user_id", flat=True))


@transaction.atomic
def log_care(*, actor, enrolment, kind, text, value=None, unit=""):
    """Write one care-log line for today; an incident is sent to the family at once."""
    _require_carer(actor, enrolment)
    if kind not in CareLog.Kind.values:
        raise Invalid(_("未知的记录类别。"), field="kind")
    text = clean_text(text)[:200]
    if not text:
        raise Invalid(_("请填写内容。"), field="text")
    unit = clean_text(unit)[:12]
    if kind == CareLog.Kind.READING and (value is None or not unit):
        raise Invalid(_("测量须填写数值和单位。"), field="value")
    if value is not None and not (-1000 < float(value) < 100000):
        raise Invalid(_("数值超出范围。"), field="value")
    now = clock.now()
    entry = CareLog.objects.create(enrolment=enrolment, day=calendar.local_date(now), at=now, kind=kind, text=text,
                                   value=value, unit=unit, by=actor)
    _event(enrolment, actor=actor, action="log", role="care_staff", kind=kind)
    if kind == CareLog.Kind.INCIDENT:
        url = reverse("daycare:family_day", args=[enrolment.pk])
        send([Notice(kind=KIND_DAYCARE, text=N_("日间照料中心记录了一条意外情况：{text}"), params={"text": text},
                     user_id=u, target=enrolment, url=url) for u in family_users(enrolment)])
    return entry


@transaction.atomic
def reveal_health(*, actor, enrolment, reason):
    """The health notes, to the centre's care staff only; each reading is logged."""
    if not is_care_staff(actor, enrolment.centre):
        if may_see(actor, enrolment):
            raise NotPermitted(_("只有照护人员可以查看健康备注。"))
        raise NotFound(_(NOT_FOUND))
    reason = clean_text(reason)[:200]
    if not reason:
        raise Invalid(_("请填写查看原因。"), field="reason")
    audit.record_access(actor=actor, target=enrolment, field="health_notes", reason=reason)
    _event(enrolment, actor=actor, action="reveal_health", role="care_staff")
    return crypto.decrypt(enrolment.health_cipher) if enrolment.health_cipher else ""


# --- absence calls -----------------------------------------------------------------------------


def _grid_workers(grid_ids):
    from liulin.accounts.models import RoleAssignment

    rows = RoleAssignment.objects.filter(role=Role.GRID_WORKER, active=True, grid_id__in=grid_ids).values_list("grid_id", "user_id")
    found = {}
    for grid_id, user_id in rows:
        found.setdefault(grid_id, []).append(user_id)
    return found


def raise_absence_calls(*, now=None):
    """From ABSENCE_CUTOFF on a day that is not a statutory holiday: for each active elder
    planned for today who has not arrived, one call task (once per elder per day, however
    often or on however many nodes this runs), told to the family and the grid worker.
    Returns the calls raised now."""
    now = now or clock.now()
    local = timezone.localtime(now, calendar.local_zone())
    day = local.date()
    if local.time() < ABSENCE_CUTOFF or calendar.statutory_holiday(day):
        return []
    expected = (Enrolment.objects.filter(state=E.ACTIVE, days__contains=str(day.weekday()))
                .exclude(attendances__day=day).exclude(absence_calls__day=day)
                .select_related("elder__household"))
    raised = []
    for enrolment in expected:
        with transaction.atomic():
            call, created = AbsenceCall.objects.get_or_create(enrolment=enrolment, day=day, defaults={"raised_at": now})
            if created:
                raised.append(call)
    if not raised:
        return []
    workers = _grid_workers({c.enrolment.elder.household.grid_id for c in raised if c.enrolment.elder.household_id})
    notices = []
    for call in raised:
        enrolment = call.enrolment
        grid = enrolment.elder.household.grid_id if enrolment.elder.household_id else None
        users = set(family_users(enrolment)) | set(workers.get(grid, []))
        url = reverse("daycare:today", args=[enrolment.centre_id])
        notices += [Notice(kind=KIND_DAYCARE, text=N_("{centre}：今天计划到站的长辈尚未到站，请在 10:00 前电话确认。"),
                           params={"centre": enrolment.centre.name}, user_id=u, target=call, url=url) for u in users]
    send(notices)
    return raised


@transaction.atomic
def close_call(*, actor, call, outcome):
    call = AbsenceCall.objects.select_for_update().select_related("enrolment__centre").get(pk=call.pk)
    _require_carer(actor, call.enrolment)
    if call.done_at is not None:
        raise Conflict(_("该电话已处理。"), code="already_done")
    call.done_at, call.outcome = clock.now(), clean_text(outcome)[:200] or _("已联系")
    call.save(update_fields=["done_at", "outcome"])
    _event(call.enrolment, actor=actor, action="close_call", role="care_staff")
    return call
