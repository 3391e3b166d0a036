"""Separation of duties in the work-order loop, against the matrix of docs/kpi.md.

Every action × role × "the ticket is dispatched to the actor's own unit / to another unit":
the actor holds the role over the ticket's community, grid or an organisation that sees
the ticket (its handling unit in the "own" case, its verifying unit in the "other" case),
and the ticket is in a state the action starts from. Allowed cells succeed and record the
role (and, for the unit's work, the unit); refused cells change nothing and say why: 403
naming the rule where the actor sees the ticket and his role would allow the step, 404
where he cannot see it. Then the rule on persons, the KPI credit, and the refusal as the
API and the pages show it.
"""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotFound, NotPermitted
from liulin.core.permissions import can
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory
from liulin.whistle import rollups, routing
from liulin.whistle.models import KpiRollup, Satisfaction, State, TicketEvent
from liulin.whistle.permissions import OFFICE_ROLES
from liulin.whistle.services import callbacks, transitions
from liulin.whistle.tests.duties import matrix, may
from liulin.whistle.tests.factories import CategoryFactory, TicketFactory
from liulin.whistle.workflow import TRANSITIONS, UNIT_WORK

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)
# The state each action is tried from: one of its sources, after dispatch where it has one
# (before dispatch no unit holds the ticket).
SOURCE = {
    "dispatch": State.SUBMITTED,
    "reassign": State.DISPATCHED,
    "return": State.DISPATCHED,
    "accept": State.DISPATCHED,
    "start": State.ACCEPTED,
    "resolve": State.IN_PROGRESS,
    "request_suspension": State.IN_PROGRESS,
    "suspend": State.IN_PROGRESS,
    "resume": State.SUSPENDED,
    "verify": State.RESOLVED,
    "reject": State.RESOLVED,
    "callback": State.VERIFIED,
    "reopen": State.CLOSED,
    "forward": State.DISPATCHED,
    "merge": State.DISPATCHED,
    "withdraw": State.DISPATCHED,
    "close_unresolvable": State.IN_PROGRESS,
}
REFUSAL_CODES = {"not_handling_unit", "own_unit_work"}
ORG_KIND = {
    Role.PROPERTY_STAFF: Organisation.Kind.PROPERTY_COMPANY,
    Role.DEPARTMENT_OFFICER: Organisation.Kind.DEPARTMENT,
    Role.COMMITTEE_MEMBER: Organisation.Kind.OWNERS_COMMITTEE,
    Role.PARTNER_CONTACT: Organisation.Kind.PARTNER_UNIT,
    Role.VOLUNTEER_LEADER: Organisation.Kind.VOLUNTEER_TEAM,
    Role.TEACHER: Organisation.Kind.SCHOOL,
}


@pytest.fixture
def place(db):
    building = BuildingFactory()
    community = building.grid.community
    return {
        "building": building,
        "community": community,
        "category": CategoryFactory(),
        "office": routing.community_office(community),
        "property": OrganisationFactory(community=community, kind=Organisation.Kind.PROPERTY_COMPANY),
        "department": OrganisationFactory(community=community, kind=Organisation.Kind.DEPARTMENT),
        "requester": make_user(Role.RESIDENT),
    }


def unit_for(role, place):
    """(the user, his unit or None) for `role` over the place."""
    building = place["building"]
    if role == Role.RESIDENT:
        return place["requester"], None
    if role in ORG_ROLES:
        kind = ORG_KIND[role]
        extra = {"estate": building.estate} if kind == Organisation.Kind.OWNERS_COMMITTEE else {}
        org = OrganisationFactory(community=place["community"], kind=kind, **extra)
        return make_user(role, org), org
    if role in GRID_ROLES:
        return make_user(role, building.grid), place["office"]
    user = make_user(role, place["community"])
    return user, place["office"] if role in OFFICE_ROLES else None


def ticket_for(place, state, *, handling, verifying):
    fields = {"state": state, "verify_org": verifying}
    if state != State.SUBMITTED:
        fields.update(
            handling_org=handling,
            dispatched_at=NOW - datetime.timedelta(hours=1),
            accept_due=NOW + datetime.timedelta(hours=1),
            resolve_due=NOW + datetime.timedelta(days=7),
        )
    if state == State.SUSPENDED:
        fields.update(state_before_suspension=State.IN_PROGRESS, suspended_at=NOW - datetime.timedelta(minutes=30))
    return TicketFactory(building=place["building"], category=place["category"], requester_user=place["requester"], **fields)


def units_of_case(case, unit, place):
    """(handling unit, verifying unit) of the ticket: the actor's own unit handles it, or
    another unit does and the actor's unit (if any) verifies it, so he still sees it."""
    if case == "own":
        return unit or place["office"], place["department"]
    other = place["property"] if unit != place["property"] else place["office"]
    return other, unit or place["department"]


def extras(action, place, ticket):
    if action in ("dispatch", "reassign"):
        return {"org": place["department"]}
    if action == "forward":
        return {"forwarded_to": "区住建局"}
    if action == "merge":
        return {"parent": ticket_for(place, State.DISPATCHED, handling=ticket.handling_org, verifying=ticket.verify_org)}
    return {}


def test_the_matrix_names_every_action_and_role():
    assert list(matrix()) == list(TRANSITIONS)
    for action, row in matrix().items():
        assert list(row) == [role.value for role in Role], action
        # A role the table does not give the step never has it; a role it gives may somewhere.
        assert {role for role, cases in row.items() if cases} == {role.value for role in TRANSITIONS[action].roles}, action


CASES = [(action, role, case) for action in TRANSITIONS for role in Role for case in ("own", "other")]


@pytest.mark.parametrize(("action", "role", "case"), CASES, ids=[f"{a}-{r}-{c}" for a, r, c in CASES])
def test_action_role_unit(place, action, role, case):
    user, unit = unit_for(role, place)
    handling, verifying = units_of_case(case, unit, place)
    state = SOURCE[action]
    ticket = ticket_for(place, state, handling=handling, verifying=verifying)
    attempt = lambda: transitions.act(  # noqa: E731
        actor=user, ticket=ticket, action=action, reason="测试原因", now=NOW, **extras(action, place, ticket)
    )

    if may(action, role, case):
        attempt()
        (event,) = TicketEvent.objects.filter(ticket=ticket)
        assert (event.action, event.from_state, event.actor_role, event.actor) == (action, state, role, user)
        if action in UNIT_WORK:
            assert event.data["unit"] == handling.pk == unit.pk
        return

    sees = can(user, "whistle.view", ticket)
    with pytest.raises(NotPermitted if sees else NotFound) as refused:
        attempt()
    if sees and role in TRANSITIONS[action].roles:
        assert refused.value.code in REFUSAL_CODES, refused.value.detail
    ticket.refresh_from_db()
    assert ticket.state == state
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


# --- one person, one duty ----------------------------------------------------------------


def _step(user, ticket, action, **kw):
    return transitions.act(actor=user, ticket=ticket, action=action, reason=f"测试：{action}", now=NOW, **kw)


def _resolved_by(place, handler):
    ticket = ticket_for(place, State.DISPATCHED, handling=place["property"], verifying=None)
    for action in ("accept", "start", "resolve"):
        _step(handler, ticket, action)
    return ticket


def test_a_handler_never_verifies_what_he_handled_whatever_roles_he_holds(place):
    """Property staff who is also the community's secretary: he resolves as the unit, and
    may not verify it as the community (which may, as another unit)."""
    person = make_user(Role.PROPERTY_STAFF, place["property"])
    person.role_assignments.create(role=Role.COMMUNITY_SECRETARY, area=place["community"])
    ticket = _resolved_by(place, person)
    with pytest.raises(NotPermitted) as refused:
        _step(person, ticket, "verify")
    assert refused.value.code == "duties_separated"
    assert ticket.state == State.RESOLVED
    _step(make_user(Role.COMMUNITY_SECRETARY, place["community"]), ticket, "verify")
    assert ticket.state == State.VERIFIED


def test_the_verifier_does_not_take_the_callback(place):
    """The reported loop: community staff verified and then rated the property company's
    ticket satisfied. The verifier may not call back; another operator may."""
    ticket = _resolved_by(place, make_user(Role.PROPERTY_STAFF, place["property"]))
    staff = make_user(Role.COMMUNITY_STAFF, place["community"])
    _step(staff, ticket, "verify")
    with pytest.raises(NotPermitted) as refused:
        callbacks.record_callback(actor=staff, ticket=ticket, solved=True, satisfaction=Satisfaction.SATISFIED, now=NOW)
    assert refused.value.code == "duties_separated"
    ticket.refresh_from_db()
    assert ticket.state == State.VERIFIED and not ticket.callbacks.exists()
    operator = make_user(Role.HOTLINE_OPERATOR, place["community"])
    callbacks.record_callback(actor=operator, ticket=ticket, solved=True, satisfaction=Satisfaction.SATISFIED, now=NOW)
    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED


def test_community_staff_cannot_work_a_property_ticket_nor_a_department_verify_its_own(place):
    staff = make_user(Role.COMMUNITY_STAFF, place["community"])
    ticket = ticket_for(place, State.DISPATCHED, handling=place["property"], verifying=None)
    with pytest.raises(NotPermitted) as refused:
        _step(staff, ticket, "accept")
    assert refused.value.code == "not_handling_unit"
    assert place["property"].name in refused.value.detail

    department = place["department"]
    own = ticket_for(place, State.DISPATCHED, handling=department, verifying=department)
    officer = make_user(Role.DEPARTMENT_OFFICER, department)
    for action in ("accept", "start", "resolve"):
        _step(officer, own, action)
    with pytest.raises(NotPermitted) as refused:
        _step(make_user(Role.DEPARTMENT_OFFICER, department), own, "verify")
    assert refused.value.code == "own_unit_work"
    _step(staff, own, "verify")  # the community checks the department's work
    assert own.state == State.VERIFIED


def test_a_superuser_does_no_units_work(place):
    admin = make_user(Role.RESIDENT)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    ticket = ticket_for(place, State.DISPATCHED, handling=place["property"], verifying=None)
    with pytest.raises(NotPermitted):
        _step(admin, ticket, "accept")
    _step(admin, ticket, "reassign", org=place["department"])
    assert ticket.handling_org == place["department"]


# --- KPI credit ----------------------------------------------------------------------------


def test_credit_goes_to_the_unit_whose_member_acted(place):
    """The whole loop on an office ticket worked by a grid worker: the office is credited with
    the acceptance, the verified resolution and the callback; the property company, which
    also serves the community, with nothing."""
    grid_worker = make_user(Role.GRID_WORKER, place["building"].grid)
    ticket = TicketFactory(
        building=place["building"], category=place["category"], requester_user=place["requester"], verify_org=place["department"]
    )
    _step(make_user(Role.HOTLINE_OPERATOR, place["community"]), ticket, "dispatch", org=place["office"])
    for action in ("accept", "start", "resolve"):
        _step(grid_worker, ticket, action)
    _step(make_user(Role.DEPARTMENT_OFFICER, place["department"]), ticket, "verify")  # not his unit's work
    callbacks.record_callback(actor=ticket.requester_user, ticket=ticket, solved=True, satisfaction=Satisfaction.SATISFIED, now=NOW)

    rows = KpiRollup.objects.filter(grain=KpiRollup.Grain.COMMUNITY)
    office = rows.get(org_key=place["office"].pk)
    assert (office.dispatched, office.accepted, office.resolved, office.callbacks, office.satisfied) == (1, 1, 1, 1, 1)
    assert not rows.filter(org_key=place["property"].pk).exists()
    assert rollups.differences() == []


def test_rollups_credit_the_unit_recorded_on_the_work(place):
    """`event_deltas` reads the acting unit from the event, not from who holds the ticket."""
    replay = rollups.Replay(tier=1, org=1, round_start=NOW, round_month=NOW.date().replace(day=1), round_org=1)
    accept = TicketEvent(action="accept", at=NOW, data={"unit": 7})
    [(_month, unit, counts)] = rollups.event_deltas(None, accept, replay)
    assert unit == 7 and counts["accepted"] == 1
    replay.advance(TicketEvent(action="resolve", at=NOW, data={"unit": 7}))
    [(_month, unit, counts)] = rollups.event_deltas(None, TicketEvent(action="verify", at=NOW, data={}), replay)
    assert unit == 7 and counts["resolved"] == 1
    old = rollups.Replay(tier=1, org=1, round_start=NOW, round_month=NOW.date().replace(day=1), round_org=1)
    assert rollups.event_deltas(None, TicketEvent(action="accept", at=NOW, data={}), old)[0][1] == 1


# --- the refusal in the API and on the page -----------------------------------------------


def test_api_refuses_a_grid_worker_accepting_for_a_department(client, place):
    """The reported request: the grid worker accepted a ticket dispatched to 城管 (200)."""
    ticket = ticket_for(place, State.DISPATCHED, handling=place["department"], verifying=None)
    client.force_login(make_user(Role.GRID_WORKER, place["building"].grid))
    response = client.post(f"/api/v1/tickets/{ticket.pk}/accept", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_handling_unit"
    assert place["department"].name in response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.state == State.DISPATCHED


def test_page_shows_the_refusal_on_the_form(client, place):
    ticket = ticket_for(place, State.RESOLVED, handling=place["office"], verifying=None)
    staff = make_user(Role.COMMUNITY_STAFF, place["community"])
    client.force_login(staff)
    page = client.get(f"/whistle/t/{ticket.pk}/")
    assert page.status_code == 200
    assert 'data-testid="do-verify"' not in page.content.decode()  # no button for what he may not do
    response = client.post(f"/whistle/t/{ticket.pk}/act/", {"action": "verify"})
    assert response.status_code == 403
    assert "承办单位不能对自己承办的工单核单通过" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED


def test_page_hides_the_second_duty(client, place):
    handler = make_user(Role.PROPERTY_STAFF, place["property"])
    handler.role_assignments.create(role=Role.COMMUNITY_STAFF, area=place["community"])
    ticket = _resolved_by(place, handler)
    client.force_login(handler)
    assert 'data-testid="do-verify"' not in client.get(f"/whistle/t/{ticket.pk}/").content.decode()
    response = client.post(f"/whistle/t/{ticket.pk}/act/", {"action": "verify"})
    assert response.status_code == 403
    assert "办理、核单、回访须由不同的人完成" in response.content.decode()
