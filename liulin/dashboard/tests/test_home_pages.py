import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liulin.accounts.models import User
from liulin.core import clock
from liulin.core.masking import mask_phone
from liulin.dashboard.selectors import percent, years_before
from liulin.people.models import Resident
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.models import Household

pytestmark = pytest.mark.django_db

STAFF = "19900000002"
GRID_WORKER_1 = "19900000004"
PROPERTY_STAFF = "19900000006"
RESIDENT_ALONE = "19900000014"
RESIDENT_FAMILY = "19900000015"


def _tile(response):
    """What the page's tiles (core.plugins) were given, merged: figures, care_tags, organisations ..."""
    return {name: value for tile in response.context["tiles"] for name, value in tile["data"].items()}


def login(client, mobile):
    client.force_login(User.objects.get(mobile=mobile))


def aged(residents, years):
    cutoff = years_before(clock.today(), years)
    return sum(1 for r in residents if r.birth_date <= cutoff)


def assert_no_inline_code(html):
    # The CSP allows no inline styles or scripts.
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_staff_home_shows_the_community_counted_from_rows(client, demo):
    login(client, STAFF)
    response = client.get(reverse("dashboard:staff_home"))
    assert response.status_code == 200
    residents = list(Resident.objects.filter(household__community=demo.community))
    figures = _tile(response)["figures"]
    assert figures["residents"] == len(residents)
    assert figures["aged_60"] == aged(residents, 60) > 0
    assert figures["aged_80"] == aged(residents, 80) > 0
    party = sum(r.is_party_member for r in residents)
    assert (figures["party_members"], figures["party_share"]) == (party, percent(party, len(residents)))
    assert (figures["grids"], figures["estates"], figures["buildings"]) == (6, 6, 32)
    html = response.content.decode()
    assert f'data-figure="residents"><span class="value">{len(residents)}<' in html
    assert_no_inline_code(html)


def test_staff_home_shows_the_articles_shares(client, demo):
    login(client, STAFF)
    response = client.get(reverse("dashboard:staff_home"))
    rows = {row["kind"]: row for row in _tile(response)["organisations"]}
    assert (rows["school"]["members"], rows["school"]["party_members"], rows["school"]["party_share"]) == (273, 77, 28)
    committees = rows["owners_committee"]
    assert (committees["members"], committees["party_members"], committees["party_share"]) == (24, 18, 75)
    teams = rows["culture_team"]
    assert (teams["organisations"], teams["party_members"]) == (17, 120)
    assert rows["partner_unit"]["organisations"] == 8
    html = response.content.decode()
    assert "占 28%" in html and "占 75%" in html


def test_staff_home_lists_facilities_with_their_figures(client, demo):
    login(client, STAFF)
    html = client.get(reverse("dashboard:staff_home")).content.decode()
    for text in ("可容纳 368 人", "共 55 套", "面积 100 平方米", "跑步机：5", "收费 25 元/月", "占地 31 亩",
                 "面积 1700 平方米", "老年优享餐", "雷锋超市", "室外门球场"):
        assert text in html, text


def test_staff_home_counts_care_tags(client, demo):
    login(client, STAFF)
    tags = {t.code: t.residents_count for t in _tile(client.get(reverse("dashboard:staff_home")))["care_tags"]}
    assert tags["living-alone-elderly"] == Resident.objects.filter(care_tags__code="living-alone-elderly").count() > 0
    assert tags["advanced-age"] == Resident.objects.filter(care_tags__code="advanced-age").count() > 0


def test_staff_home_takes_a_fixed_number_of_queries(client, demo, django_assert_max_num_queries):
    login(client, STAFF)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard:staff_home"))
    household = Household.objects.filter(community=demo.community).first()
    for n in range(5):
        ResidentFactory(household=household, relation=Resident.Relation.CHILD, birth_date=date(1950 + n, 1, 1),
                        id_number=make_id_number(birth=date(1950 + n, 1, 1), seq=n))
    # Each app's tile reads its figures in a fixed number of queries (volunteering's: two; 雷锋哨's work: two).
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard:staff_home")).status_code == 200
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("dashboard:staff_home"))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_grid_worker_sees_only_his_grid(client, demo):
    login(client, GRID_WORKER_1)
    response = client.get(reverse("dashboard:staff_home"))
    grid = demo.grids[0]
    in_grid = list(Resident.objects.filter(household__grid=grid))
    figures = _tile(response)["figures"]
    assert figures["residents"] == len(in_grid) < Resident.objects.count()
    assert figures["aged_60"] == aged(in_grid, 60)
    assert (figures["grids"], figures["estates"]) == (1, 1)
    assert figures["households"] == grid.households.count()
    assert _tile(response)["facilities"] == []
    assert grid.name in response.content.decode()


def test_organisation_staff_see_their_organisation_only(client, demo):
    login(client, PROPERTY_STAFF)
    response = client.get(reverse("dashboard:staff_home"))
    assert _tile(response)["figures"]["residents"] == 0
    assert [(row["kind"], row["organisations"]) for row in _tile(response)["organisations"]] == [("property_company", 1)]


def test_ages_follow_the_clock(client, demo):
    residents = list(Resident.objects.all())
    with time_machine.travel(date(2040, 6, 1), tick=False):
        login(client, STAFF)  # a session from today would have expired by then
        later = _tile(client.get(reverse("dashboard:staff_home")))["figures"]
        assert later["aged_60"] == aged(residents, 60)
    login(client, STAFF)
    now = _tile(client.get(reverse("dashboard:staff_home")))["figures"]
    assert later["aged_60"] > now["aged_60"]


def test_resident_home_shows_only_his_household(client, demo):
    login(client, RESIDENT_FAMILY)
    me = User.objects.get(mobile=RESIDENT_FAMILY).resident
    response = client.get(reverse("dashboard:resident_home"))
    assert response.status_code == 200
    html = response.content.decode()
    members = list(me.household.members.all())
    assert len(members) >= 3
    assert [m["name"] for m in response.context["home"]["members"]][0] == me.name
    assert {m["name"] for m in response.context["home"]["members"]} == {m.name for m in members}
    assert me.household.address in html
    for member in members:
        if member.mobile:
            assert member.mobile not in html and mask_phone(member.mobile) in html
    assert html.count('data-testid="member"') == len(members)
    assert_no_inline_code(html)


def test_resident_home_shows_his_care_tags(client, demo):
    login(client, RESIDENT_ALONE)
    me = User.objects.get(mobile=RESIDENT_ALONE).resident
    html = client.get(reverse("dashboard:resident_home")).content.decode()
    tags = list(me.care_tags.values_list("name", flat=True))
    assert "独居老人" in tags
    assert all(f'data-testid="care-tag">{name}<' in html for name in tags)


def test_resident_home_opens_with_reporting_and_calling_his_grid_worker(client, demo):
    login(client, RESIDENT_ALONE)
    me = User.objects.get(mobile=RESIDENT_ALONE).resident
    worker = User.objects.get(role_assignments__grid=me.household.grid, role_assignments__role="grid_worker")
    assert worker.work_phone  # the demo publishes one
    html = client.get(reverse("dashboard:resident_home")).content.decode()
    buttons = re.findall(r'<a class="btn[^"]*" href="([^"]+)"', html)
    # Reporting first; the call to his grid worker right after the services, before the household.
    assert buttons[0] == reverse("whistle:file")
    assert buttons.index(f"tel:{worker.work_phone}") < buttons.index("#household")
    assert buttons[:buttons.index(f"tel:{worker.work_phone}")] == re.findall(
        r'<a class="btn" href="([^"]+)" data-testid="home-', html)
    assert worker.name in html


def test_a_grid_worker_without_a_work_phone_is_not_offered(client, demo):
    login(client, RESIDENT_ALONE)
    me = User.objects.get(mobile=RESIDENT_ALONE).resident
    worker = User.objects.get(role_assignments__grid=me.household.grid, role_assignments__role="grid_worker")
    User.objects.filter(pk=worker.pk).update(work_phone="", mobile="13812345678")
    html = client.get(reverse("dashboard:resident_home")).content.decode()
    assert 'href="tel:' not in html and "13812345678" not in html  # his login number stays private
    assert f'href="{reverse("whistle:file")}"' in html


def test_residents_land_on_their_own_page(client, demo):
    login(client, RESIDENT_ALONE)
    assert client.get(reverse("core:home")).url == reverse("dashboard:resident_home")
    assert client.get(reverse("dashboard:staff_home")).url == reverse("dashboard:resident_home")
    login(client, STAFF)
    assert client.get(reverse("core:home")).url == reverse("dashboard:staff_home")


def test_account_without_resident_record_gets_a_clear_message(client, demo):
    login(client, PROPERTY_STAFF)
    response = client.get(reverse("dashboard:resident_home"))
    assert response.status_code == 200
    assert "还没有关联居民档案" in response.content.decode()


def test_home_pages_need_login(client):
    for name in ("dashboard:staff_home", "dashboard:resident_home"):
        assert reverse("accounts:login") in client.get(reverse(name)).url
