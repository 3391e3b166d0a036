"""The one way a ticket's tier (网格 grid → 社区 community → 吹哨 whistle) changes.

Three paths raise a tier: a supervisor's escalation (`transitions.escalate`), the deadline
sweep's automatic escalation on a breached resolve limit (`tasks.resolve_breaches`), and a
whistle blown on the ticket (`whistles.blow`). Each calls `change_tiers` inside its own
transaction with the tickets locked, so every tier change is written alike: the row, an
event on the ticket's chain saying who (a person in a role, or the system) moved it from
which tier to which, its KPI counters, the notices (sent after commit, core.notifications)
and the ticket's next deadline check queued.
"""

from django.db.models import Case, IntegerField, Value, When

from .. import events, notifications, rollups, tasks
from ..models import Ticket

SYSTEM_ROLE = "system"


def change_tiers(tickets, *, actor, role, action, to_tier, reason="", data=None, now):
    """Move each of `tickets` (held by the caller's transaction; updated in memory too) to
    `to_tier(ticket)`, with the event `action` ("escalate" or "whistle") carrying `data` and
    the tiers. `actor` None is the system (role "system"). Returns [(ticket, event)]."""
    moves = [(ticket, int(to_tier(ticket))) for ticket in tickets]
    if not moves:
        return []
    tier = Case(*[When(pk=ticket.pk, then=Value(to)) for ticket, to in moves], output_field=IntegerField())
    Ticket.objects.filter(pk__in=[ticket.pk for ticket, _ in moves]).update(tier=tier, updated_at=now)
    steps = []
    for ticket, to in moves:
        step_data = {**(data or {}), "from_tier": int(ticket.tier), "to_tier": to}
        steps.append((ticket, {"actor": actor, "actor_role": role or (SYSTEM_ROLE if actor is None else ""), "action": action,
                               "from_state": ticket.state, "to_state": ticket.state, "reason": reason, "data": step_data,
                               "at": now}))
        ticket.tier, ticket.updated_at = to, now
    built = events.append_events(steps)
    rollups.apply_events(built)
    notifications.notify_transitions(built)
    tasks.schedule_checks([ticket for ticket, _ in moves])
    return built
