"""Every write of counselling: open and withdraw a slot (booking the room through venues),
book an appointment, take a step of its table, write a note, read the notes.

Confidentiality:
- the room is booked by the system (`actor=None`) in the counsellor's name with the purpose
  “已预约” when the slot opens, so venue staff and the room's calendar never learn whether a
  client booked, let alone who;
- a cancellation or a no-show notifies the client and the counsellor, nobody else;
- notes are encrypted (core.crypto) and decrypted for the appointment's counsellor alone;
- every reading of an appointment, a list of them or the notes is an access-log row
  (core.audit), every step a chained event.

One appointment per slot: the partial unique index refuses a second one on SQLite and
PostgreSQL alike; the read before it only names the conflict first."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from liulin.core import audit, calendar, chain, clock, crypto
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.models import AccessLog
from liulin.core.notifications import kinds
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import can
from liulin.core.roles import Role
from liulin.core.text import clean_text
from liulin.venues.services import bookings as venue_bookings

from .models import Appointment, AppointmentEvent, Note, Slot
from .permissions import is_counsellor, is_resident
from .workflow import APPOINTMENT_WORKFLOW, SLOT_WORKFLOW

A = Appointment.State
KIND = "counselling"
kinds.register(KIND, gettext_lazy("心理咨询"))
NOT_FOUND = N_("找不到该预约，或您无权查看。")
SLOT_NOT_FOUND = N_("找不到该咨询时段，或您无权查看。")
# What the room's calendar says: a taken hour, never whose.
ROOM_PURPOSE = "已预约"
MIN_MINUTES, MAX_MINUTES = 15, 180
MAX_NOTE = 5000


# --- who may act ------------------------------------------------------------------------------


def _capacity(actor, appointment):
    """The role `actor` acts in on `appointment`: COUNSELLOR for the slot's counsellor, RESIDENT
    for the client; anyone else does not see it (NotFound)."""
    if getattr(actor, "pk", None) is None:
        raise NotFound(_(NOT_FOUND))
    if appointment.slot.counsellor_id == actor.pk and is_counsellor(actor):
        return Role.COUNSELLOR
    if appointment.client_id == actor.pk and is_resident(actor):
        return Role.RESIDENT
    raise NotFound(_(NOT_FOUND))


def log_access(*, actor, appointments, field):
    """One access-log row per appointment shown to `actor` (a list, a page, an API answer)."""
    now = clock.now()
    rows = [AccessLog(at=now, actor=actor, target_type=Appointment._meta.label_lower, target_id=str(a.pk), field=field,
                      reason="counselling") for a in appointments]
    if rows:
        AccessLog.objects.bulk_create(rows)


# --- slots ------------------------------------------------------------------------------------


@transaction.atomic
def open_slot(*, actor, room, start, minutes=50, now=None, is_demo=False):
    """Open a slot of `minutes` from `start` in `room` (a venues resource of the counsellor's
    community), booking the room through venues. Raises Invalid, NotPermitted, Conflict."""
    now = now or clock.now()
    if actor is not None and not is_counsellor(actor):
        raise NotPermitted(_("只有心理咨询师才能开放咨询时段。"), code="not_counsellor")
    if actor is not None and not can(actor, "counselling.counsel", room):
        raise NotFound(_("找不到该咨询室，或您无权查看。"))
    if not MIN_MINUTES <= int(minutes) <= MAX_MINUTES:
        raise Invalid(_("时长须在 %(a)d 到 %(b)d 分钟之间。") % {"a": MIN_MINUTES, "b": MAX_MINUTES}, field="minutes",
                      code="invalid_minutes")
    start = clock.bounded(start, field="start")
    if start.tzinfo is None:
        raise Invalid(_("时间须带时区。"), code="naive_time", field="start")
    end = start + datetime.timedelta(minutes=int(minutes))
    if start <= now:
        raise Invalid(_("不能开放已经过去的时间。"), code="in_the_past", field="start")
    counsellor = actor
    booking = venue_bookings.book_facility(actor=None, resource=room, start=start, end=end, purpose=ROOM_PURPOSE,
                                           booker=counsellor, now=now, is_demo=is_demo, for_service=True)
    slot = Slot.objects.create(counsellor=counsellor, community_id=room.community_id, room=room, room_booking=booking,
                               starts_at=start, ends_at=end, created_at=now, is_demo=is_demo)
    audit.record(actor=actor, action="counselling.open_slot", target=slot)
    return slot


@transaction.atomic
def withdraw_slot(*, actor, slot, now=None):
    """Withdraw an open slot nobody holds; the room's booking is cancelled with it."""
    now = now or clock.now()
    if not (is_counsellor(actor) and slot.counsellor_id == actor.pk):
        raise NotFound(_(SLOT_NOT_FOUND))
    current = Slot.objects.select_for_update().get(pk=slot.pk)
    step = SLOT_WORKFLOW.transition_for("withdraw", current.state)
    if Appointment.objects.filter(slot=current).exclude(state=A.CANCELLED).exists():
        raise Conflict(_("该时段已有预约，请先取消预约。"), code="slot_held")
    if not Slot.objects.filter(pk=current.pk, state=current.state).update(state=step.target):
        raise Conflict(_("状态已变化，请刷新后再试。"), code="state_changed")
    if current.room_booking is not None:
        try:
            venue_bookings.cancel(actor=None, booking=current.room_booking, reason=_("时段撤下"), now=now)
        except Conflict:
            pass  # the room's booking was already released (cancelled at the desk, or over)
    audit.record(actor=actor, action="counselling.withdraw_slot", target=current)
    slot.state = step.target
    return slot


# --- appointments -----------------------------------------------------------------------------


def _taken():
    return Conflict(_("该时段已被预约，请选择其他时间。"), code="slot_taken")


def book(*, actor, slot, now=None, is_demo=False):
    """Book `slot` for the acting resident. One appointment per slot (the database's rule)."""
    now = now or clock.now()
    if not is_resident(actor):
        raise NotPermitted(_("实名登记的居民才能预约心理咨询。"), code="real_name_required")
    household = getattr(actor.resident, "household", None)
    if household is None or household.community_id != slot.community_id or slot.state != Slot.State.OPEN:
        raise NotFound(_(SLOT_NOT_FOUND))
    if slot.counsellor_id == actor.pk:
        raise Invalid(_("不能预约自己的咨询时段。"), code="own_slot")
    if slot.starts_at <= now:
        raise Invalid(_("该时段已经开始或结束。"), code="in_the_past")
    if Appointment.objects.filter(slot=slot).exclude(state=A.CANCELLED).exists():
        raise _taken()
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(slot=slot, client=actor, created_at=now, is_demo=is_demo)
            chain.new_chain(AppointmentEvent, appointment)
            chain.append(AppointmentEvent, appointment, actor=actor, actor_role=Role.RESIDENT, action="book", at=now,
                         data={"state": A.BOOKED})
    except IntegrityError:
        raise _taken() from None
    appointment.slot = slot
    return appointment


def _notify(appointment, text, now):
    """The client and the counsellor, nobody else."""
    when = appointment.slot.starts_at.astimezone(calendar.local_zone()).strftime("%m-%d %H:%M")
    url = f"/counselling/appointments/{appointment.pk}/"
    send([Notice(kind=KIND, text=text, params={"when": when}, user_id=u, target=appointment, url=url)
          for u in (appointment.client_id, appointment.slot.counsellor_id)])


NOTICES = {
    "cancel": N_("您在 {when} 的心理咨询预约已取消。"),
    "mark_no_show": N_("您在 {when} 的心理咨询预约登记为未到。"),
}


@transaction.atomic
def act(*, actor, appointment, action, reason="", now=None):
    """Take `action` (a row of APPOINTMENT_WORKFLOW) on `appointment`."""
    now = now or clock.now()
    if action not in APPOINTMENT_WORKFLOW.transitions:
        raise NotFound(_("没有这个操作。"), code="unknown_action")
    role = _capacity(actor, appointment)
    if role not in APPOINTMENT_WORKFLOW.roles_of(action):
        raise NotPermitted(_("您的角色不能执行此操作。"))
    current = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
    step = APPOINTMENT_WORKFLOW.transition_for(action, current.state)
    reason = clean_text(reason or "", field="reason").strip()[:200]
    if action in ("attend", "mark_no_show") and now < current.slot.starts_at:
        raise Invalid(_("咨询开始后才能登记。"), code="too_soon")
    if not Appointment.objects.filter(pk=current.pk, state=current.state).update(state=step.target):
        raise Conflict(_("预约状态已变化，请刷新后再试。"), code="state_changed")
    chain.append(AppointmentEvent, current, actor=actor, actor_role=role, action=action, at=now,
                 data={"from": current.state, "to": step.target, "reason": reason})
    if action in NOTICES:
        _notify(current, NOTICES[action], now)
    appointment.state = step.target
    return appointment


# --- notes ------------------------------------------------------------------------------------


def _require_counsellor(actor, appointment):
    if _capacity(actor, appointment) != Role.COUNSELLOR:
        raise NotPermitted(_("咨询记录仅咨询师本人可见。"), code="counsellor_only")


@transaction.atomic
def write_note(*, actor, appointment, text, now=None):
    """Write an encrypted note on `appointment`; its counsellor alone may."""
    now = now or clock.now()
    _require_counsellor(actor, appointment)
    text = clean_text(text or "", field="text").strip()
    if not text:
        raise Invalid(_("请填写记录内容。"), code="text_required", field="text")
    if len(text) > MAX_NOTE:
        raise Invalid(_("记录不能超过 %(n)d 字。") % {"n": MAX_NOTE}, code="too_long", field="text")
    note = Note.objects.create(appointment=appointment, author=actor, cipher=crypto.encrypt(text), written_at=now)
    chain.append(AppointmentEvent, appointment, actor=actor, actor_role=Role.COUNSELLOR, action="note", at=now,
                 data={"note": note.pk})
    return note


@transaction.atomic
def read_notes(*, actor, appointment):
    """The notes of `appointment`, decrypted, for its counsellor alone; each reading logged."""
    _require_counsellor(actor, appointment)
    audit.record_access(actor=actor, target=appointment, field="notes", reason="counselling")
    return [{"id": n.pk, "written_at": n.written_at, "text": crypto.decrypt(n.cipher)}
            for n in Note.objects.filter(appointment=appointment)]
