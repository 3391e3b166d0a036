from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from liulin.accounts.models import RoleAssignment, User
from liulin.core.roles import Role
from liulin.demo.logins import ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED_ROLES = set(Role)


def test_every_role_has_a_demo_account(demo):
    roles = set(RoleAssignment.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert roles == {r.value for r in REQUIRED_ROLES}
    grid_workers = RoleAssignment.objects.filter(role=Role.GRID_WORKER, user__is_demo=True)
    # The listed logins work grids 1 and 2; the demo work orders give every grid a worker.
    assert {demo.grids[0].pk, demo.grids[1].pk} <= {ra.grid_id for ra in grid_workers}


def test_demo_logins_prints_every_account_and_the_password(demo):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for role in REQUIRED_ROLES:
        assert str(role.label) in text
    for account in ACCOUNTS:
        assert account.mobile in text
    assert DEMO_PASSWORD in text
    assert "第一网格" in text and "第二网格" in text
    assert "http://127.0.0.1:8000/accounts/login/" in text


def test_demo_logins_link_to_the_address_the_server_listens_on(demo):
    out = StringIO()
    call_command("demo_logins", address="127.0.0.1:8101", stdout=out)
    assert "http://127.0.0.1:8101/accounts/login/" in out.getvalue()
    assert ":8000" not in out.getvalue()


def test_resident_accounts_belong_to_resident_records(demo):
    # The listed logins; the apps' demo data adds more residents (party members, owners...).
    listed = [a.mobile for a in ACCOUNTS]
    residents = User.objects.filter(role_assignments__role=Role.RESIDENT, is_demo=True, mobile__in=listed).select_related("resident")
    assert residents.count() == 2
    assert all(u.resident is not None and u.resident.household_id for u in residents)
    assert len({u.resident.household_id for u in residents}) == 2


def test_the_demo_password_passes_the_validators(demo):
    users = list(User.objects.filter(is_demo=True, mobile__in=[a.mobile for a in ACCOUNTS]))
    assert len(users) == len(ACCOUNTS)
    for user in users:
        assert validate_password(DEMO_PASSWORD, user) is None  # raises ValidationError when refused
    # The validators are on: a weak password is refused for the same accounts.
    with pytest.raises(ValidationError):
        validate_password("12345678", users[0])


# Each role lands on its own work (plugins.register_landing); others on the overview.
LANDINGS = {
    Role.RESIDENT: "dashboard:resident_home",
    Role.HOTLINE_OPERATOR: "whistle:console",
    Role.PROPERTY_STAFF: "whistle:worklist",
    Role.DEPARTMENT_OFFICER: "whistle:worklist",
    Role.GRID_WORKER: "whistle:worklist",
    Role.VOLUNTEER_LEADER: "volunteering:lead",
    Role.PARTNER_CONTACT: "partybuilding:home",
    Role.COUNSELLOR: "counselling:home",
    Role.VENUE_MANAGER: "venues:today",
    Role.TEACHER: "activities:list",
    Role.COMMITTEE_MEMBER: "deliberation:home",
    Role.AUDITOR: "dashboard:cockpit",
}


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: f"{a.role.value}-{a.mobile}")
def test_each_demo_account_logs_in_and_lands_on_its_home(client, demo, account):
    response = client.post(reverse("accounts:login"), {"username": account.mobile, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    home = client.get(reverse("core:home"))
    expected = LANDINGS.get(account.role, "dashboard:staff_home")
    assert home.url == reverse(expected)
    assert client.get(home.url).status_code == 200


def test_a_second_department_has_a_demo_login(demo):
    """The demo routes work to two departments (城管局 handles, 住建局 verifies property and
    municipal orders): each has an officer to log in as, listed by demo_logins."""
    from liulin.demo import facts
    from liulin.whistle.demo_seed import DEMO_HANDLERS, DEMO_VERIFIERS

    housing = facts.DEPARTMENTS[1][0]
    assert housing in DEMO_VERIFIERS.values()
    officers = RoleAssignment.objects.filter(role=Role.DEPARTMENT_OFFICER, user__is_demo=True).select_related("org", "user")
    by_org = {ra.org.name: ra.user.mobile for ra in officers}
    assert by_org[housing] == "19900000016"
    assert set(DEMO_HANDLERS.values()) <= set(by_org)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "19900000016" in out.getvalue() and housing in out.getvalue()
