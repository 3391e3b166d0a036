"""雷锋哨 as the platform's work-order provider (core.workorders): other apps file orders
through the kernel and hear back when they move, without importing this app.

An order filed for an origin carries that origin's channel (a meeting's action item files
on the channel 议事结果), so the workflow tells the kernel of a change only for tickets
on a tracked channel: no extra query for any other ticket.
"""

from liulin.core import workorders
from liulin.core.errors import Invalid

from .models import Category, Channel, State, Ticket
from .workflow import TERMINAL_STATES

CHANNEL_OF_ORIGIN = {"deliberation.actionitem": Channel.DELIBERATION, "housing.defect": Channel.HOUSING,
                     "property.inspection": Channel.PROPERTY}
ORIGIN_OF_CHANNEL = {channel: origin for origin, channel in CHANNEL_OF_ORIGIN.items()}
DONE_STATES = frozenset({State.VERIFIED, State.CLOSED})


def as_work_order(ticket):
    return workorders.WorkOrder(
        id=ticket.pk,
        number=ticket.number,
        state=ticket.state,
        state_label=State(ticket.state).label,
        ended=ticket.state in TERMINAL_STATES or ticket.state in DONE_STATES,
        done=ticket.state in DONE_STATES,
    )


def file(*, actor, origin, category, description, building=None, now=None):
    from .services import intake

    channel = CHANNEL_OF_ORIGIN.get(origin)
    if channel is None:
        raise Invalid(f"未知的工单来源“{origin}”。", code="unknown_origin")
    ticket, _ = intake.file_ticket(actor=actor, channel=channel, category=category, description=description,
                                   building=building, now=now)
    return as_work_order(ticket)


def status(ids):
    return {t.pk: as_work_order(t) for t in Ticket.objects.filter(pk__in=ids).only("pk", "number", "state")}


def categories():
    return list(Category.objects.filter(is_active=True).order_by("sort", "code").values_list("code", "name"))


def state_changed(ticket):
    """Tell the kernel that a ticket filed for another app changed state (in the step's
    transaction; the listeners run after commit)."""
    origin = ORIGIN_OF_CHANNEL.get(ticket.channel)
    if origin is not None:
        workorders.changed(origin, as_work_order(ticket))


def register():
    workorders.register_provider(workorders.WorkOrderProvider(file=file, status=status, categories=categories))
