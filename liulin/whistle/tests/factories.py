"""Factories for 雷锋哨 tests.

`TicketFactory` makes a SUBMITTED ticket whose grid and community come from its building and
whose policy comes from its category. `ticket_in_state(state)` drives a ticket to any state
through the workflow service, so its events, timestamps and deadlines are real.
`actor_for(ticket, role)` makes a user holding `role` over that ticket's scope.
"""

import factory
from factory.django import DjangoModelFactory

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory
from liulin.whistle.models import (
    Category,
    CategoryPolicy,
    Channel,
    SlaPolicy,
    State,
    Ticket,
    Urgency,
)

WORKDAY_MINUTES = 7 * 60

# Test policies, one per urgency (12345 practice; the seeded rows hold the same figures).
URGENCY_LIMITS = {
    Urgency.EMERGENCY: {"accept_minutes": 30, "resolve_minutes": 120, "working_time": False, "remind_before_minutes": 10},
    Urgency.NORMAL: {"accept_minutes": 120, "resolve_minutes": 7 * WORKDAY_MINUTES, "working_time": True},
    Urgency.COMPLEX: {"accept_minutes": 120, "resolve_minutes": 15 * WORKDAY_MINUTES, "working_time": True},
}


class SlaPolicyFactory(DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    code = factory.Sequence(lambda n: f"test-policy-{n}")
    name = factory.Sequence(lambda n: f"测试时限{n}")
    accept_minutes = 120
    resolve_minutes = 7 * WORKDAY_MINUTES
    working_time = True
    remind_before_minutes = 60
    escalate_on_breach = True


class CategoryFactory(DjangoModelFactory):
    """A category with its own policy for each urgency."""

    class Meta:
        model = Category
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"test-category-{n}")
    name = factory.Sequence(lambda n: f"测试类别{n}")
    responsible_kind = "property_company"

    @factory.post_generation
    def policies(category, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for urgency, limits in URGENCY_LIMITS.items():
            CategoryPolicy.objects.create(category=category, urgency=urgency, policy=SlaPolicyFactory(**limits))


def _policy_of(ticket):
    return CategoryPolicy.objects.get(category=ticket.category, urgency=ticket.urgency).policy


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"T{n:010d}")
    channel = Channel.SELF_SERVICE
    category = factory.SubFactory(CategoryFactory)
    urgency = Urgency.NORMAL
    description = "楼道灯坏了，晚上看不见路。"
    building = factory.SubFactory(BuildingFactory)
    grid = factory.LazyAttribute(lambda t: t.building.grid)
    community = factory.LazyAttribute(lambda t: t.building.grid.community)
    requester_user = factory.LazyFunction(lambda: make_user(Role.RESIDENT))
    policy = factory.LazyAttribute(_policy_of)


def handling_org_for(ticket):
    return ticket.handling_org or OrganisationFactory(community=ticket.community, kind=Organisation.Kind.PROPERTY_COMPANY)


def actor_for(ticket, role, *, org=None):
    """A new user holding `role` over `ticket`: its community, its grid, its handling unit
    (or `org`), or - for a resident - the requester himself."""
    role = Role(role)
    if role == Role.RESIDENT:
        return ticket.requester_user
    if role in GRID_ROLES:
        return make_user(role, ticket.grid)
    if role in ORG_ROLES:
        return make_user(role, org or handling_org_for(ticket))
    return make_user(role, ticket.community)


DISPATCHER = Role.COMMUNITY_STAFF
HANDLER = Role.PROPERTY_STAFF
SUPERVISOR = Role.COMMUNITY_SECRETARY
VERIFIER = Role.COMMUNITY_SECRETARY

# The steps (role, action) that lead from SUBMITTED to each state.
_TO_DISPATCHED = [(DISPATCHER, "dispatch")]
_TO_ACCEPTED = _TO_DISPATCHED + [(HANDLER, "accept")]
_TO_IN_PROGRESS = _TO_ACCEPTED + [(HANDLER, "start")]
_TO_RESOLVED = _TO_IN_PROGRESS + [(HANDLER, "resolve")]
_TO_VERIFIED = _TO_RESOLVED + [(VERIFIER, "verify")]
PATHS = {
    State.SUBMITTED: [],
    State.DISPATCHED: _TO_DISPATCHED,
    State.ACCEPTED: _TO_ACCEPTED,
    State.IN_PROGRESS: _TO_IN_PROGRESS,
    State.SUSPENDED: _TO_IN_PROGRESS + [(SUPERVISOR, "suspend")],
    State.RESOLVED: _TO_RESOLVED,
    State.VERIFIED: _TO_VERIFIED,
    State.CLOSED: _TO_VERIFIED + [(Role.RESIDENT, "callback")],
    State.FORWARDED: [(DISPATCHER, "forward")],
    State.MERGED: [(DISPATCHER, "merge")],
    State.WITHDRAWN: [(Role.RESIDENT, "withdraw")],
    State.UNRESOLVABLE: _TO_DISPATCHED + [(Role.COMMUNITY_SECRETARY, "close_unresolvable")],
}


def drive(ticket, steps, *, now=None, org=None):
    """Take `steps` [(role, action)] on `ticket` through the workflow service."""
    from liulin.whistle.services import transitions

    for role, action in steps:
        extra = {}
        if action in ("dispatch", "reassign"):
            extra["org"] = org or handling_org_for(ticket)
        if action == "forward":
            extra["forwarded_to"] = "区城管局"
        if action == "merge":
            extra["parent"] = TicketFactory(category=ticket.category, building=ticket.building)
        ticket = transitions.act(
            actor=actor_for(ticket, role),
            ticket=ticket,
            action=action,
            reason=f"测试：{action}",
            now=now,
            **extra,
        )
    return ticket


def ticket_in_state(state, *, now=None, org=None, **kw):
    """A ticket driven to `state` through `act` (so events, timestamps and deadlines are real)."""
    ticket = TicketFactory(**kw)
    return drive(ticket, PATHS[State(state)], now=now, org=org)
