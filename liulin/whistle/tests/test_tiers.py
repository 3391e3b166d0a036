"""One way to change a ticket's tier, and one rule for a merge target.

A supervisor's escalation, the sweep's automatic escalation and a whistle all go through
`tiers.change_tiers`, and so all leave the same traces: the tier on the row, an event saying
who (a person in his role, or "system") moved it from which tier to which, the KPI counter
(the recount agrees), and the ticket's next deadline check queued."""

import datetime

import pytest
from django_tasks import default_task_backend

from liulin.core.calendar import local_zone
from liulin.core.errors import Invalid
from liulin.core.roles import Role
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle import rollups
from liulin.whistle.events import verify_chain
from liulin.whistle.models import KpiRollup, State, Tier
from liulin.whistle.services import intake, tiers, transitions, whistles
from liulin.whistle.tasks import sweep_deadlines
from liulin.whistle.tests.factories import actor_for, ticket_in_state

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime.datetime(2025, 9, 22, 9, 0, tzinfo=local_zone())


@pytest.fixture(autouse=True)
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


@pytest.fixture
def changes(monkeypatch):
    """Every call of the one tier function, as (action, ticket ids)."""
    calls, real = [], tiers.change_tiers

    def spy(tickets, **kwargs):
        calls.append((kwargs["action"], [t.pk for t in tickets]))
        return real(tickets, **kwargs)

    monkeypatch.setattr(tiers, "change_tiers", spy)
    return calls


def checks_queued_for(backend, ticket):
    return [r for r in backend.results if r.args == [ticket.pk]]


def escalations():
    return sum(KpiRollup.objects.filter(grain="community").values_list("escalations", flat=True))


def test_a_supervisors_escalation(changes, queued):
    ticket = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    supervisor = actor_for(ticket, Role.COMMUNITY_SECRETARY)
    default_task_backend.clear()
    transitions.escalate(actor=supervisor, ticket=ticket, reason="群众反映强烈", now=MONDAY_9)
    assert changes == [("escalate", [ticket.pk])]
    ticket.refresh_from_db()
    assert ticket.tier == Tier.COMMUNITY
    event = ticket.events.get(action="escalate")
    assert (event.actor, event.actor_role) == (supervisor, Role.COMMUNITY_SECRETARY)
    assert event.data == {"automatic": False, "from_tier": Tier.GRID, "to_tier": Tier.COMMUNITY}
    assert checks_queued_for(queued, ticket)
    assert escalations() == 1 and rollups.differences() == []
    assert verify_chain(ticket) is None


def test_the_sweeps_escalation_is_the_systems(changes):
    ticket = ticket_in_state(State.IN_PROGRESS, now=MONDAY_9)
    sweep_deadlines(ticket.resolve_due + datetime.timedelta(minutes=1))
    assert changes == [("escalate", [ticket.pk])]
    ticket.refresh_from_db()
    assert ticket.tier == Tier.COMMUNITY
    escalate, overdue = ticket.events.order_by("-seq")[:2]
    assert (overdue.action, escalate.action) == ("overdue", "escalate")
    assert (escalate.actor, escalate.actor_role) == (None, tiers.SYSTEM_ROLE)
    assert escalations() == 1 and rollups.differences() == []
    assert verify_chain(ticket) is None


def test_a_whistle_raises_through_the_same_function(changes, queued, town):
    ticket, _ = intake.file_ticket(actor=town.staff, channel="grid_patrol", category="illegal-building",
                                   description="楼顶违建，影响邻居采光", building=town.b1, now=MONDAY_9)
    default_task_backend.clear()
    whistles.blow(actor=town.secretary, community=town.community, kind="progress", title="违建久拖不决", reason="",
                  tickets=[ticket], departments=[town.department], now=MONDAY_9 + datetime.timedelta(hours=1))
    assert changes == [("whistle", [ticket.pk])]
    ticket.refresh_from_db()
    assert ticket.tier == Tier.WHISTLE
    event = ticket.events.get(action="whistle")
    assert (event.actor, event.actor_role) == (town.secretary, Role.COMMUNITY_SECRETARY)
    assert (event.data["from_tier"], event.data["to_tier"]) == (Tier.GRID, Tier.WHISTLE)
    assert escalations() == 1 and rollups.differences() == []
    assert verify_chain(ticket) is None


@pytest.mark.parametrize("target", ["itself", "closed", "merged", "other_community"])
@pytest.mark.parametrize("path", ["step", "duplicates"])
def test_one_rule_and_one_code_for_a_merge_target(path, target):
    child = ticket_in_state(State.DISPATCHED, now=MONDAY_9)
    staff = actor_for(child, Role.COMMUNITY_STAFF)
    parent = {
        "itself": lambda: child,
        "closed": lambda: ticket_in_state(State.CLOSED, now=MONDAY_9, building=child.building),
        "merged": lambda: ticket_in_state(State.MERGED, now=MONDAY_9, building=child.building),
        "other_community": lambda: ticket_in_state(State.DISPATCHED, now=MONDAY_9, org=OrganisationFactory()),
    }[target]()
    if target == "other_community":
        staff.role_assignments.create(role=Role.COMMUNITY_STAFF, area=parent.community)
    with pytest.raises(Invalid) as refused:
        if path == "step":
            transitions.act(actor=staff, ticket=child, action="merge", parent=parent, now=MONDAY_9)
        else:
            intake.merge(actor=staff, child=child, parent=parent, now=MONDAY_9)
    assert (refused.value.code, refused.value.field) == ("parent_invalid", "parent")
    child.refresh_from_db()
    assert child.state == State.DISPATCHED
