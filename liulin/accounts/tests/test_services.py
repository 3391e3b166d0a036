import pytest

from liulin.accounts import services
from liulin.accounts.models import RoleAssignment
from liulin.accounts.tests.factories import PASSWORD, UserFactory
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.models import AuditLog
from liulin.core.permissions import has_perm_anywhere
from liulin.core.roles import Role
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import GridFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.mark.parametrize("weak", ["12345678", "password", "abc", "13800001111"])
def test_weak_password_is_rejected_and_old_one_kept(weak):
    user = UserFactory(mobile="13800001111")
    with pytest.raises(Invalid) as exc:
        services.change_password(actor=user, user=user, new_password=weak)
    assert exc.value.code == "weak_password" and exc.value.field == "new_password"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_strong_password_is_set_and_audited():
    user = UserFactory()
    services.change_password(actor=user, user=user, new_password="Xiang-Lin-2026!")
    user.refresh_from_db()
    assert user.check_password("Xiang-Lin-2026!")
    assert AuditLog.objects.filter(action="user.password_change", target_id=str(user.pk)).exists()


def test_nobody_changes_another_users_password():
    user, other = UserFactory(), UserFactory()
    with pytest.raises(NotPermitted):
        services.change_password(actor=other, user=user, new_password="Xiang-Lin-2026!")


def test_assign_role_on_the_right_kind_of_scope(admin, community):
    user = UserFactory()
    assignment = services.assign_role(actor=admin, user=user, role=Role.COMMUNITY_STAFF, scope=community)
    assert assignment.area == community
    assert has_perm_anywhere(user, "people.view")
    assert AuditLog.objects.filter(action="role.assign", target_id=str(user.pk), actor=admin).exists()


@pytest.mark.parametrize(
    "role, make_scope",
    [
        (Role.GRID_WORKER, lambda community: community),
        (Role.COMMUNITY_STAFF, lambda community: GridFactory(community=community)),
        (Role.PROPERTY_STAFF, lambda community: community),
        (Role.GRID_WORKER, lambda community: None),
    ],
)
def test_wrong_scope_kind_is_refused(admin, community, role, make_scope):
    user = UserFactory()
    with pytest.raises(Invalid):
        services.assign_role(actor=admin, user=user, role=role, scope=make_scope(community))
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_resident_role_needs_a_resident_record(admin):
    with pytest.raises(Invalid, match="居民档案"):
        services.assign_role(actor=admin, user=UserFactory(), role=Role.RESIDENT)
    linked = UserFactory(resident=ResidentFactory())
    assert services.assign_role(actor=admin, user=linked, role=Role.RESIDENT).scope == "本户"


def test_same_role_twice_is_a_conflict(admin):
    org = OrganisationFactory()
    user = UserFactory()
    services.assign_role(actor=admin, user=user, role=Role.PROPERTY_STAFF, scope=org)
    with pytest.raises(Conflict):
        services.assign_role(actor=admin, user=user, role=Role.PROPERTY_STAFF, scope=org)


def test_revoke_then_assign_again(admin, community):
    user = UserFactory()
    assignment = services.assign_role(actor=admin, user=user, role=Role.AUDITOR, scope=community)
    services.revoke_role(actor=admin, assignment=assignment)
    assert not has_perm_anywhere(user, "people.view")
    assert AuditLog.objects.filter(action="role.revoke", target_id=str(user.pk)).exists()
    again = services.assign_role(actor=admin, user=user, role=Role.AUDITOR, scope=community)
    assert again.pk == assignment.pk and again.active
    assert has_perm_anywhere(user, "people.view")


def test_only_administrators_grant_roles(community):
    staff = UserFactory()
    with pytest.raises(NotPermitted):
        services.assign_role(actor=staff, user=staff, role=Role.COMMUNITY_SECRETARY, scope=community)
    assert not RoleAssignment.objects.exists()
