"""A masked phone cannot be rebuilt through search: a partial match uses only the digits a
role already sees (the last four); longer ones are for roles that may reveal the phone, and
each is written to the access log."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from liulin.accounts.models import RoleAssignment
from liulin.accounts.tests.factories import make_user
from liulin.core.models import AccessLog
from liulin.core.roles import Role
from liulin.whistle.services import intake

pytestmark = pytest.mark.django_db

API = "/api/v1/people/residents"
ZHANG_PHONE = "13812345678"  # shown as 138****5678


def api_names(client, q):
    return {item["name"] for item in client.get(API, {"q": q}).json()["items"]}


def page_names(client, q):
    html = client.get(reverse("people:resident_list"), {"q": q}).content.decode()
    return {name for name in ("张三", "李四") if f">{name}</a>" in html}


def export_names(client, q):
    response = client.get(reverse("people:export"), {"q": q})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return {row[0] for row in list(workbook.worksheets[0].iter_rows(values_only=True))[1:]}


def rebuild_by_search(names):
    """The attack: put one guessed digit at a time in front of the visible tail and keep the
    digit that still finds 张三. Returns the digits rebuilt."""
    known = ZHANG_PHONE[-4:]
    while len(known) < len(ZHANG_PHONE):
        found = next((d for d in "0123456789" if "张三" in names(d + known)), None)
        if found is None:
            break
        known = found + known
    return known


@pytest.fixture
def auditor_client(client, town):
    client.force_login(make_user(Role.AUDITOR, town["community"]))
    return client


@pytest.mark.parametrize("names", [api_names, page_names, export_names], ids=["api", "page", "export"])
def test_a_role_without_reveal_cannot_rebuild_a_masked_phone(auditor_client, names):
    search = lambda q: names(auditor_client, q)  # noqa: E731
    assert "张三" in search("5678")  # the tail it sees still finds the person
    assert "张三" in search("678")
    assert rebuild_by_search(search) == "5678"
    assert search(ZHANG_PHONE) == set()  # nor may it confirm a guessed full number
    assert not AccessLog.objects.exists()


def test_a_role_that_may_reveal_searches_longer_digits_and_each_search_is_logged(staff_client, staff):
    assert api_names(staff_client, "45678") == {"张三"}
    assert page_names(staff_client, "2345678") == {"张三"}
    assert export_names(staff_client, ZHANG_PHONE) == {"张三"}
    rows = AccessLog.objects.filter(actor=staff, field="mobile_search").order_by("pk")
    assert [(r.target_type, r.reason) for r in rows] == [
        ("people.resident", "45678"), ("people.resident", "2345678"), ("people.resident", ZHANG_PHONE),
    ]
    api_names(staff_client, "5678")  # the visible tail is no access
    assert AccessLog.objects.count() == 3


def test_longer_digits_reach_only_the_rows_whose_phone_the_user_may_reveal(client, town):
    """An auditor of the community who is also grid worker of grid 1 sees both residents but
    may reveal only 张三's phone: 李四's hidden digits stay unsearchable."""
    user = make_user(Role.AUDITOR, town["community"])
    RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, grid=town["grid1"])
    client.force_login(user)
    assert api_names(client, "") == {"张三", "李四"}
    assert api_names(client, "45678") == {"张三"}
    assert api_names(client, "54321") == set()
    assert api_names(client, "4321") == {"李四"}


def test_hotline_finds_callers_by_full_number_logged_and_by_last_four(town):
    operator = make_user(Role.HOTLINE_OPERATOR, town["community"])
    assert intake.caller_lookup(operator, "+86 138-1234-5678") == [town["zhang"]]
    assert AccessLog.objects.get().field == "mobile_search"
    assert intake.caller_lookup(operator, "5678") == [town["zhang"]]
    assert intake.caller_lookup(operator, "45678") == []  # neither a full number nor the visible tail
    assert AccessLog.objects.count() == 1
