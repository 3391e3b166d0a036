"""Counselling API (/api/v1/counselling): slots (a counsellor opens and withdraws them, a
resident lists the free ones of his community and books one), appointments (the client's own,
the counsellor's clients'), their steps, and the counsellor's encrypted notes. Every answer
naming a client is written to the access log. Errors are {detail, code}."""

from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from liulin.core.errors import NotFound
from liulin.core.schemas import ERRORS

from . import selectors, services
from .schemas import (
    CounsellingActionIn,
    CounsellingAppointmentOut,
    CounsellingNoteIn,
    CounsellingNoteOut,
    CounsellingSlotIn,
    CounsellingSlotOut,
)

router = Router(tags=["counselling"])


def _slot(slot):
    return {"id": slot.pk, "room_id": slot.room_id, "room_name": slot.room.name, "counsellor_name": slot.counsellor.name,
            "starts_at": slot.starts_at, "ends_at": slot.ends_at, "state": slot.state, "held": bool(getattr(slot, "held", False))}


def _appointment(user, a):
    return {"id": a.pk, "slot_id": a.slot_id, "room_name": a.slot.room.name, "counsellor_name": a.slot.counsellor.name,
            "client_name": selectors.client_name(user, a), "starts_at": a.slot.starts_at, "ends_at": a.slot.ends_at,
            "state": a.state, "state_label": a.get_state_display()}


@router.get("/slots", response=list[CounsellingSlotOut], summary="本社区可预约的咨询时段（居民）")
def slots(request):
    return [_slot(s) for s in selectors.bookable_slots(request.user)[:200]]


@router.get("/slots/mine", response=list[CounsellingSlotOut], summary="我开放的咨询时段（咨询师）")
def my_slots(request):
    return [_slot(s) for s in selectors.my_slots(request.user)[:200]]


@router.post("/slots", response={201: CounsellingSlotOut, **ERRORS}, summary="开放咨询时段（咨询师；同时预约咨询室）")
def open_slot(request, payload: CounsellingSlotIn):
    room = selectors.rooms_for(request.user).filter(pk=payload.room_id).first()
    if room is None:
        raise NotFound(_("找不到该咨询室，或您无权查看。"))
    slot = services.open_slot(actor=request.user, room=room, start=payload.start, minutes=payload.minutes)
    return Status(201, _slot(slot))


@router.post("/slots/{int:slot_id}/withdraw", response={200: CounsellingSlotOut, **ERRORS}, summary="撤下咨询时段（咨询师）")
def withdraw(request, slot_id: int):
    slot = selectors.my_slot(request.user, slot_id)
    return _slot(services.withdraw_slot(actor=request.user, slot=slot))


@router.post("/slots/{int:slot_id}/book", response={201: CounsellingAppointmentOut, **ERRORS}, summary="预约心理咨询（居民）")
def book(request, slot_id: int):
    slot = selectors.bookable_slot(request.user, slot_id)
    appointment = services.book(actor=request.user, slot=slot)
    return Status(201, _appointment(request.user, appointment))


@router.get("/appointments", response=list[CounsellingAppointmentOut], summary="我的咨询预约（来访者本人或咨询师）")
def appointments(request):
    found = list(selectors.appointments_for(request.user)[:200])
    services.log_access(actor=request.user, appointments=found, field="appointment_list")
    return [_appointment(request.user, a) for a in found]


@router.get("/appointments/{int:appointment_id}", response=CounsellingAppointmentOut, summary="咨询预约详情（留痕）")
def appointment(request, appointment_id: int):
    found = selectors.appointment_for(request.user, appointment_id)
    services.log_access(actor=request.user, appointments=[found], field="appointment")
    return _appointment(request.user, found)


@router.post("/appointments/{int:appointment_id}/actions/{action}", response={200: CounsellingAppointmentOut, **ERRORS},
             summary="取消、登记已咨询或未到")
def act(request, appointment_id: int, action: str, payload: CounsellingActionIn):
    found = selectors.appointment_for(request.user, appointment_id)
    return _appointment(request.user, services.act(actor=request.user, appointment=found, action=action, reason=payload.reason))


@router.get("/appointments/{int:appointment_id}/notes", response={200: list[CounsellingNoteOut], **ERRORS},
            summary="咨询记录（仅咨询师本人，留痕）")
def notes(request, appointment_id: int):
    found = selectors.appointment_for(request.user, appointment_id)
    return services.read_notes(actor=request.user, appointment=found)


@router.post("/appointments/{int:appointment_id}/notes", response={201: CounsellingNoteOut, **ERRORS},
             summary="写咨询记录（加密保存，仅咨询师本人）")
def write_note(request, appointment_id: int, payload: CounsellingNoteIn):
    found = selectors.appointment_for(request.user, appointment_id)
    note = services.write_note(actor=request.user, appointment=found, text=payload.text)
    return Status(201, {"id": note.pk, "written_at": note.written_at, "text": payload.text.strip()})
