"""Claims made at the same moment, in real threads each on its own connection (SQLite and
PostgreSQL): a wish takes exactly its capacity, a need one unit, a resource its capacity."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import chain
from liulin.core.errors import Conflict
from liulin.core.roles import Role
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.partybuilding import services
from liulin.partybuilding.models import (
    Need,
    Project,
    ProjectEvent,
    ProjectMember,
    Resource,
    Wish,
    WishClaim,
    WishEvent,
)

from .factories import make_world, member, partner_unit

pytestmark = pytest.mark.django_db(transaction=True)


def _outcomes(results, errors):
    assert all(isinstance(e, Conflict) for e in errors), errors
    return sum(1 for r in results if r is not None), sorted({e.code for e in errors})


@pytest.mark.parametrize("capacity", [1, 3])
def test_thirty_members_claim_one_wish_at_once(capacity, tmp_path):
    world = make_world()
    wish = world.wish(capacity=capacity)
    members = [member(world.grid, world.org)[0] for _ in range(30)]
    before = threads_database(tmp_path)
    results, errors = run_at_once([lambda u=u: services.claim_wish(actor=u, wish=Wish.objects.get(pk=wish.pk)) for u in members],
                                  before=before)
    won, codes = _outcomes(results, errors)
    assert won == capacity and codes == ["wish_full"]
    found = read_in_threads(lambda: (
        Wish.objects.values_list("claimed", "state").get(pk=wish.pk), WishClaim.objects.filter(wish=wish).count(),
        WishEvent.objects.filter(wish=wish, action="wish_claim").count(), chain.verify(WishEvent, wish)), before)
    assert found == ((capacity, Wish.State.CLAIMED), capacity, capacity, None)


def test_eight_units_claim_one_need_at_once(tmp_path):
    world = make_world()
    need = world.need()
    contacts = [world.contact, world.other_contact]
    contacts += [make_user(Role.PARTNER_CONTACT, partner_unit(world.community)) for _ in range(6)]
    before = threads_database(tmp_path)
    results, errors = run_at_once([
        lambda u=u: services.claim_need(actor=u, need=Need.objects.get(pk=need.pk), owner_name="负责人") for u in contacts],
        before=before)
    won, codes = _outcomes(results, errors)
    assert won == 1 and codes == ["already_claimed"]
    found = read_in_threads(lambda: (Project.objects.filter(need=need).count(), Need.objects.get(pk=need.pk).state), before)
    assert found == (1, Need.State.MATCHED)


def test_resource_serves_no_more_needs_than_its_capacity(tmp_path):
    world = make_world()
    resource = services.offer_resource(actor=None, org=world.org, community=world.community, kind="volunteers", title="义诊",
                                       capacity=2)
    needs = [world.need() for _ in range(6)]
    staff = [make_user(Role.COMMUNITY_STAFF, world.community) for _ in needs]
    before = threads_database(tmp_path)
    results, errors = run_at_once([
        lambda u=u, n=n: services.assign_resource(actor=u, need=n, resource=Resource.objects.get(pk=resource.pk), owner_name="李医生")
        for u, n in zip(staff, needs, strict=True)], before=before)
    won, codes = _outcomes(results, errors)
    assert won == 2 and codes == ["resource_full"]
    found = read_in_threads(lambda: (
        Resource.objects.get(pk=resource.pk).used, Project.objects.filter(resource=resource).count(),
        Need.objects.filter(pk__in=[n.pk for n in needs], state=Need.State.OPEN).count()), before)
    assert found == (2, 2, 4)


def test_members_taking_tasks_on_a_project_fill_exactly_its_places(tmp_path):
    world = make_world()
    project = services.claim_need(actor=world.contact, need=world.need(), owner_name="王", volunteers_needed=3)
    members = [member(world.grid, world.org)[0] for _ in range(12)]
    before = threads_database(tmp_path)
    results, errors = run_at_once([lambda u=u: services.join_project(actor=u, project=Project.objects.get(pk=project.pk))
                                   for u in members], before=before)
    won, codes = _outcomes(results, errors)
    assert won == 3 and codes == ["project_full"]
    found = read_in_threads(lambda: (Project.objects.get(pk=project.pk).volunteers, ProjectMember.objects.filter(project=project).count(),
                                     chain.verify(ProjectEvent, project)), before)
    assert found == (3, 3, None)
