"""Every action of the four state tables, from every state, by every role: allowed where
the table says, refused (and nothing changed) everywhere else."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.housing import services
from liulin.housing.models import Application, Lease, RenewalRequest, Round
from liulin.housing.workflow import APPLICATION_WORKFLOW, LEASE_WORKFLOW, RENEWAL_WORKFLOW, ROUND_WORKFLOW

from .factories import GOOD, Town

pytestmark = pytest.mark.django_db

ROLES = [Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.RESIDENT, Role.GRID_WORKER]
SEES = {Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR}


def _actor(town, role, person=None):
    if role == Role.RESIDENT:
        return person.user if person is not None else town.resident().user
    if role == Role.GRID_WORKER:
        return make_user(role, town.grid)
    return make_user(role, town.community)


@pytest.mark.parametrize(("action", "role"), workflow_cases(ROUND_WORKFLOW, ROLES))
def test_round_table(action, role):
    town = Town()
    check_every_state(
        ROUND_WORKFLOW, action, role, states=Round.State,
        build=lambda state: town.round(state),
        actor_for=lambda role, round_: _actor(town, role),
        attempt=lambda user, round_, action: services.act_on_round(actor=user, round=round_, action=action, reason="开奖号码录入有误",
                                                                   public_value=f"{round_.pk}-双色球 2026140 期 03 08 15 21 27 30 + 11"),
        state_of=lambda round_: Round.objects.get(pk=round_.pk).state,
        events_of=lambda round_: round_.events.count(),
        # A resident sees no round through the permission layer (only open ones, through selectors).
        visible=lambda role, state: role in SEES,
    )


def _application_actions():
    return [(a, r) for a, r in workflow_cases(APPLICATION_WORKFLOW, ROLES) if APPLICATION_WORKFLOW.roles_of(a)]


@pytest.mark.parametrize(("action", "role"), _application_actions())
def test_application_table(action, role):
    town = Town()

    def build(state):
        return town.application_in(state)

    def attempt(user, application, action):
        return services.act_on_application(actor=user, application=application, action=action, reason="缺少社保缴纳证明")

    check_every_state(
        APPLICATION_WORKFLOW, action, role, states=Application.State,
        build=build,
        actor_for=lambda role, application: _actor(town, role, application.applicant),
        attempt=attempt,
        state_of=lambda application: Application.objects.get(pk=application.pk).state,
        events_of=lambda application: application.events.count(),
        visible=lambda role, state: role in SEES or role == Role.RESIDENT,
    )


@pytest.mark.parametrize(("action", "role"), workflow_cases(LEASE_WORKFLOW, ROLES))
def test_lease_table(action, role):
    town = Town()
    check_every_state(
        LEASE_WORKFLOW, action, role, states=Lease.State,
        build=lambda state: town.lease_in(state),
        actor_for=lambda role, lease: _actor(town, role, lease.tenant if role == Role.RESIDENT else None),
        attempt=lambda user, lease, action: services.act_on_lease(actor=user, lease=lease, action=action, reason="严重违约",
                                                                  answers=GOOD),
        state_of=lambda lease: Lease.objects.get(pk=lease.pk).state,
        events_of=lambda lease: lease.events.count(),
        visible=lambda role, state: role in SEES or role == Role.RESIDENT,
    )


def _renewal_actions():
    return [(a, r) for a, r in workflow_cases(RENEWAL_WORKFLOW, ROLES) if RENEWAL_WORKFLOW.roles_of(a)]


@pytest.mark.parametrize(("action", "role"), _renewal_actions())
def test_renewal_request_table(action, role):
    town = Town()

    def build(state):
        lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
        return RenewalRequest.objects.create(lease=lease, state=state, answers=GOOD, term_months=36, requested_at=clock.now())

    check_every_state(
        RENEWAL_WORKFLOW, action, role, states=RenewalRequest.State,
        build=build,
        actor_for=lambda role, request: _actor(town, role, request.lease.tenant if role == Role.RESIDENT else None),
        attempt=lambda user, request, action: services.act_on_renewal_request(actor=user, request=request, action=action,
                                                                              reason="已在本市购房"),
        state_of=lambda request: RenewalRequest.objects.get(pk=request.pk).state,
        events_of=lambda request: request.lease.events.count(),
        visible=lambda role, state: role in SEES or role == Role.RESIDENT,
    )


def test_platform_steps_are_refused_to_people():
    town = Town()
    application = town.application_in(Application.State.WAITING)
    with pytest.raises(Exception) as refused:
        services.act_on_application(actor=town.staff, application=application, action="offer")
    assert getattr(refused.value, "code", "") == "unknown_action"
    request = RenewalRequest.objects.create(lease=town.lease_in(Lease.State.ACTIVE, ends_in_days=30), answers=GOOD, term_months=36,
                                            requested_at=clock.now())
    with pytest.raises(Exception) as refused:
        services.act_on_renewal_request(actor=town.staff, request=request, action="renewed")
    assert getattr(refused.value, "code", "") == "unknown_action"
