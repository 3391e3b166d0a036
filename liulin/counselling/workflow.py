"""The state tables of counselling (core.workflow).

Appointment: 已预约 booked → 已咨询 attended (the counsellor), or 已取消 cancelled (the
client or the counsellor; the slot opens again), or 未到 no-show (the counsellor).
Slot: 开放 open → 已撤下 withdrawn (the counsellor, while nobody holds it; the room's
booking is cancelled with it).

The roles here say in which capacity one may act; on which appointment is narrower than any
scope: the client on his own, the counsellor on those of his slots (services._capacity).
Community staff, venue managers and auditors take no step and see no appointment."""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import Appointment, Slot

A = Appointment.State
S = Slot.State

APPOINTMENT_WORKFLOW = Workflow("counselling", [
    transition("cancel", _("取消预约"), [A.BOOKED], A.CANCELLED, (Role.RESIDENT, Role.COUNSELLOR)),
    transition("attend", _("已咨询"), [A.BOOKED], A.ATTENDED, (Role.COUNSELLOR,)),
    transition("mark_no_show", _("登记未到"), [A.BOOKED], A.NO_SHOW, (Role.COUNSELLOR,)),
], state_label=lambda state: A(state).label)

SLOT_WORKFLOW = Workflow("counselling", [
    transition("withdraw", _("撤下时段"), [S.OPEN], S.WITHDRAWN, (Role.COUNSELLOR,)),
], state_label=lambda state: S(state).label)
