import pytest
from django.urls import reverse

from liulin.people.selectors import search_residents
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def names(staff, q):
    return {r.name for r in search_residents(staff, q)}


@pytest.mark.parametrize(
    "q, expected",
    [
        ("zs", {"张三"}),
        ("ZS", {"张三"}),
        ("zhangsan", {"张三"}),
        ("zhang", {"张三"}),
        ("张", {"张三"}),
        ("5678", {"张三"}),
        ("987654321", {"李四"}),
        ("3栋", {"张三"}),
        ("中南小苑", {"张三"}),
        ("同心家园8栋502", {"李四"}),
        ("中南小苑 zs", {"张三"}),
        ("中南小苑 ls", set()),
        ("", {"张三", "李四"}),
    ],
)
def test_search_by_name_pinyin_phone_tail_and_address(staff, q, expected):
    assert names(staff, q) == expected


def test_search_never_reaches_outside_the_scope(town):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role

    worker = make_user(Role.GRID_WORKER, town["grid1"])
    assert names(worker, "ls") == set()
    assert names(worker, "4321") == set()


def test_list_page_runs_a_fixed_number_of_queries(staff_client, town, django_assert_max_num_queries):
    building = town["b1"]
    for n in range(30):
        ResidentFactory(household=HouseholdFactory(building=building, room=f"{n + 1:02d}01"))
    # session + user + role assignments + count + page + care tags (+ savepoints): never one per row.
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("people:resident_list"), {"q": ""})
    assert response.status_code == 200
    assert response.content.decode().count("resident-row") == 25
