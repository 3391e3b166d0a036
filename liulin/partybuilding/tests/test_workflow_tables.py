"""Every action of every state table, tried by every role that could come near it, from
every state: allowed exactly where the table and the scopes say, refused otherwise with
nothing changed (core.testing.workflow)."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.partybuilding import services
from liulin.partybuilding.models import Category, Need, Project, Registration, ServiceRecord, Wish, WishClaim
from liulin.partybuilding.workflow import NEED, PROJECT, REGISTRATION, SERVICE, WISH

from .factories import member, photo

pytestmark = pytest.mark.django_db
R = Role
ROLES = [R.RESIDENT, R.GRID_WORKER, R.COMMUNITY_STAFF, R.PARTNER_CONTACT, R.AUDITOR, R.PROPERTY_STAFF]


def _user(world, role, *, org=None, resident_user=None):
    if role == R.RESIDENT:
        return resident_user
    if role == R.GRID_WORKER:
        return world.grid_worker
    if role in (R.COMMUNITY_STAFF, R.AUDITOR):
        return make_user(role, world.community)
    if role == R.PARTNER_CONTACT:
        return make_user(role, org or world.org)
    return make_user(role, OrganisationFactory(community=world.community))


def _set(model, obj, state):
    model.objects.filter(pk=obj.pk).update(state=state)
    obj.refresh_from_db()
    return obj


def _walk(world, table, action, role, *, states, build, actor_for, attempt, visible, model, events):
    check_every_state(
        table, action, role, states=states, build=build, actor_for=actor_for, attempt=attempt,
        state_of=lambda obj: model.objects.get(pk=obj.pk).state, events_of=lambda obj: events(obj).count(),
        visible=lambda role, state: role in visible,
    )


@pytest.mark.parametrize(("action", "role"), workflow_cases(NEED, ROLES))
def test_need_table(world, action, role):
    def attempt(user, need, action):
        if action == "need_claim":
            return services.claim_need(actor=user, need=need, owner_name="王书记")
        if action == "need_assign":
            resource = services.offer_resource(actor=None, org=world.org, community=world.community, kind="skill", title="维修")
            return services.assign_resource(actor=user, need=need, resource=resource, owner_name="王书记")
        return services.withdraw_need(actor=user, need=need, reason="已由物业解决")

    _walk(world, NEED, action, role, states=Need.State, model=Need, events=lambda n: n.events,
          build=lambda state: _set(Need, world.need(), state),
          actor_for=lambda role, need: _user(world, role, resident_user=world.beneficiary),
          attempt=attempt, visible={R.RESIDENT, R.GRID_WORKER, R.COMMUNITY_STAFF, R.PARTNER_CONTACT, R.AUDITOR})


@pytest.mark.parametrize(("action", "role"), workflow_cases(PROJECT, ROLES))
def test_project_table(world, action, role):
    def build(state):
        project = services.claim_need(actor=world.contact, need=world.need(), owner_name="王书记",
                                      starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31))
        return _set(Project, project, state)

    def done(project, user, state, target):
        need_state = Project.objects.get(pk=project.pk).need.state
        expected = {Project.State.COMPLETED: Need.State.MET, Project.State.CANCELLED: Need.State.OPEN}.get(target, Need.State.MATCHED)
        assert need_state == expected

    check_every_state(
        PROJECT, action, role, states=Project.State, build=build,
        actor_for=lambda role, project: _user(world, role, resident_user=world.beneficiary),
        attempt=lambda user, project, action: services.project_step(actor=user, project=project, action=action, reason="说明"),
        state_of=lambda p: Project.objects.get(pk=p.pk).state, events_of=lambda p: p.events.count(),
        visible=lambda role, state: role in {R.RESIDENT, R.GRID_WORKER, R.COMMUNITY_STAFF, R.PARTNER_CONTACT, R.AUDITOR}, done=done,
    )


@pytest.mark.parametrize(("action", "role"), workflow_cases(REGISTRATION, ROLES))
def test_registration_table(world, action, role):
    made = {}

    def build(state):
        user, registration = member(world.grid, world.org, confirmed=False)
        made[registration.pk] = user
        return _set(Registration, registration, state)

    _walk(world, REGISTRATION, action, role, states=Registration.State, model=Registration, events=lambda r: r.events,
          build=build, actor_for=lambda role, r: _user(world, role, resident_user=made[r.pk]),
          attempt=lambda user, r, action: services.registration_step(actor=user, registration=r, action=action, reason="说明"),
          visible={R.RESIDENT, R.COMMUNITY_STAFF, R.PARTNER_CONTACT, R.AUDITOR})


@pytest.mark.parametrize(("action", "role"), workflow_cases(SERVICE, ROLES))
def test_service_table(world, action, role):
    def build(state):
        record = services.log_service(actor=world.member, registration=world.registration, category=Category.CARE,
                                      served_on=datetime.date(2026, 3, 2), minutes=90, description="陪老人就医",
                                      beneficiary=world.beneficiary.resident)
        return _set(ServiceRecord, record, state)

    _walk(world, SERVICE, action, role, states=ServiceRecord.State, model=ServiceRecord, events=lambda s: s.events,
          build=build, actor_for=lambda role, s: _user(world, role, resident_user=world.beneficiary),
          attempt=lambda user, s, action: services.service_step(actor=user, record=s, action=action, reason="说明"),
          visible={R.RESIDENT, R.GRID_WORKER, R.COMMUNITY_STAFF, R.PARTNER_CONTACT, R.AUDITOR})


WISH_STEPS = [(action, role) for action, role in workflow_cases(WISH, ROLES) if action != "wish_claim"]


@pytest.mark.parametrize(("action", "role"), WISH_STEPS)
def test_wish_table(world, action, role):
    """The resident who delivers is the wish's claimer; the one who confirms, its beneficiary."""

    def build(state):
        wish = world.wish(state=Wish.State.COLLECTED)
        WishClaim.objects.create(wish=wish, registration=world.registration)
        return _set(Wish, wish, state)

    def attempt(user, wish, action):
        if action == "wish_deliver":
            return services.deliver_wish(actor=user, wish=wish, note="送到", photos=[photo()])
        if action == "wish_confirm":
            return services.confirm_wish(actor=user, wish=wish, story="好")
        return services.wish_step(actor=user, wish=wish, action=action, reason="说明")

    resident = world.member if action == "wish_deliver" else world.beneficiary
    _walk(world, WISH, action, role, states=Wish.State, model=Wish, events=lambda w: w.events, build=build,
          actor_for=lambda role, w: _user(world, role, resident_user=resident), attempt=attempt,
          visible={R.RESIDENT, R.GRID_WORKER, R.COMMUNITY_STAFF, R.PARTNER_CONTACT, R.AUDITOR})


@pytest.mark.parametrize("state", list(Wish.State))
def test_wish_claim_from_every_state(world, state):
    """Only a published wish can be claimed; a wish residents cannot see is not found."""
    from liulin.core.errors import Conflict, NotFound

    wish = _set(Wish, world.wish(state=Wish.State.COLLECTED), state)
    if state == Wish.State.PUBLISHED:
        services.claim_wish(actor=world.member, wish=wish)
        assert Wish.objects.get(pk=wish.pk).state == Wish.State.CLAIMED
        return
    refusal = Conflict if state in (Wish.State.CLAIMED, Wish.State.DELIVERED, Wish.State.FULFILLED) else NotFound
    with pytest.raises(refusal):
        services.claim_wish(actor=world.member, wish=wish)
    assert (Wish.objects.get(pk=wish.pk).state, wish.events.count()) == (state, 1)
