"""Every write of 党建引领惠邻, split by aggregate. Keyword-only, acting user first, one
transaction; a refused step changes nothing. `actor=None` is the system (the demo seed, a
periodic sweep)."""

from .lists import (
    assign_resource,
    claim_need,
    join_project,
    offer_resource,
    project_step,
    raise_need,
    raise_need_from_ticket,
    withdraw_need,
)
from .members import (
    evaluate_member,
    log_service,
    register_member,
    registration_step,
    send_due_quarterly_reports,
    send_quarterly_reports,
    service_step,
)
from .partners import record_activity, report_in
from .wishes import claim_wish, collect_wish, confirm_wish, deliver_wish, raise_unclaimed_wishes, wish_step

__all__ = [
    "assign_resource", "claim_need", "claim_wish", "collect_wish", "confirm_wish", "deliver_wish", "evaluate_member", "join_project",
    "log_service", "offer_resource", "project_step", "raise_need", "raise_need_from_ticket", "raise_unclaimed_wishes",
    "record_activity", "register_member", "registration_step", "report_in", "send_due_quarterly_reports", "send_quarterly_reports",
    "service_step", "wish_step", "withdraw_need",
]
