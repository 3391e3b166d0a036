import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotFound, NotPermitted
from liulin.core.permissions import authorise, get_or_404, require, scoped
from liulin.core.roles import Role
from liulin.people.models import Resident
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import GridFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids():
    grid1 = GridFactory()
    grid2 = GridFactory(community=grid1.community)
    r1 = ResidentFactory(household=HouseholdFactory(building__grid=grid1))
    r2 = ResidentFactory(household=HouseholdFactory(building__grid=grid2))
    return grid1, grid2, r1, r2


def test_grid_worker_sees_only_his_grid(two_grids):
    grid1, grid2, r1, r2 = two_grids
    worker = make_user(Role.GRID_WORKER, grid1)
    assert list(scoped(worker, Resident.objects.all(), "people.view")) == [r1]
    with pytest.raises(NotFound):
        get_or_404(worker, Resident.objects.all(), "people.view", pk=r2.pk)


def test_district_role_covers_every_community_below(two_grids):
    grid1, grid2, r1, r2 = two_grids
    district = grid1.community.parent.parent
    staff = make_user(Role.COMMUNITY_STAFF, district)
    assert set(scoped(staff, Resident.objects.all(), "people.view")) == {r1, r2}


def test_other_community_staff_sees_nothing(two_grids):
    outsider = make_user(Role.COMMUNITY_STAFF, GridFactory().community)
    assert not scoped(outsider, Resident.objects.all(), "people.view").exists()


def test_resident_sees_only_his_household(two_grids):
    grid1, grid2, r1, r2 = two_grids
    spouse = ResidentFactory(household=r1.household, relation=Resident.Relation.SPOUSE)
    user = make_user(Role.RESIDENT, resident=r1)
    assert set(scoped(user, Resident.objects.all(), "people.view")) == {r1, spouse}


def test_auditor_reads_but_may_not_change(two_grids):
    grid1, grid2, r1, r2 = two_grids
    auditor = make_user(Role.AUDITOR, grid1.community)
    assert scoped(auditor, Resident.objects.all(), "people.view").filter(pk=r1.pk).exists()
    with pytest.raises(NotPermitted):
        require(auditor, "people.change", r1)


def test_user_without_roles_sees_nothing(two_grids):
    from liulin.accounts.tests.factories import UserFactory

    assert not scoped(UserFactory(), Resident.objects.all(), "people.view").exists()


def test_authorise_is_404_out_of_sight_403_in_sight_and_quiet_when_allowed(two_grids):
    """One call for "may he act on this?": an object he cannot see does not exist for him
    (404, no scope leaks); one he sees but may not change is refused (403)."""
    grid1, grid2, r1, r2 = two_grids
    auditor = make_user(Role.AUDITOR, grid1.community)  # sees the residents, may not change them
    worker = make_user(Role.GRID_WORKER, grid1)
    with pytest.raises(NotPermitted):
        authorise(auditor, "people.change", r1)
    with pytest.raises(NotFound):
        authorise(worker, "people.change", r2)  # another grid's resident
    authorise(worker, "people.change", r1)
    with pytest.raises(NotFound) as caught:
        authorise(worker, "people.change", r2, not_found="找不到该居民。")
    assert caught.value.detail == "找不到该居民。"


def test_authorise_checks_sight_by_the_given_permission(two_grids):
    grid1, _, r1, _ = two_grids
    auditor = make_user(Role.AUDITOR, grid1.community)
    with pytest.raises(NotFound):
        authorise(auditor, "people.change", r1, view="people.import")  # he holds no people.import
