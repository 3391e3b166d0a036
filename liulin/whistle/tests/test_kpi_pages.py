"""The ranking (red/black list) and the KPI, ranking, recurring and public pages."""

import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle import kpi
from liulin.whistle.models import Channel, Ticket
from liulin.whistle.tests.test_kpi import MARCH, Town, at, callback, dispatch, ev, handle

pytestmark = pytest.mark.django_db


@pytest.fixture
def league():
    return make_league()


def make_league():
    """Four units, one ticket each in March, and one whose only round was taken back.
    Composite (0.1·响应 + 0.5·解决 + 0.4·满意):
      甲 in time, solved, 满意        → 0.1 + 0.5 + 0.4       = 1.00
      乙 in time, solved, 基本满意    → 0.1 + 0.5 + 0.4·0.9   = 0.96
      丙 late,    solved, 满意        → 0   + 0.5 + 0.4       = 0.90
      丁 late,    not solved, 不满意  → 0                      = 0.00
      戊 round taken back in time: no rate → unranked."""
    town = Town()
    units = {}
    plan = [
        ("甲", 30, True, "satisfied"),
        ("乙", 30, True, "basic"),
        ("丙", 180, True, "satisfied"),
        ("丁", 180, False, "unsatisfied"),
    ]
    for name, accept_after, solved, satisfaction in plan:
        org = OrganisationFactory(name=f"{name}物业", community=town.community, kind=Organisation.Kind.PROPERTY_COMPANY)
        units[name] = org
        ticket = town.ticket()
        dispatch(ticket, org, at(2, 9))
        handle(ticket, accept=at(2, 9) + datetime.timedelta(minutes=accept_after), resolve=at(3, 9), verify=at(3, 10))
        callback(ticket, at(4, 9), solved, satisfaction)
    units["戊"] = OrganisationFactory(name="戊物业", community=town.community, kind=Organisation.Kind.PROPERTY_COMPANY)
    ticket = town.ticket()
    dispatch(ticket, units["戊"], at(2, 9))
    ev(ticket, "merge", at(2, 9, 10), to_state="merged")
    town.units = units
    return town


def test_ranking_orders_by_composite_with_red_and_black_lists(league):
    staff = make_user(Role.COMMUNITY_STAFF, league.community)
    result = kpi.ranking(staff, MARCH, list_size=1, threshold=0.8)
    assert [r.label for r in result.rows] == ["甲物业", "乙物业", "丙物业", "丁物业"]
    assert [r.rank for r in result.rows] == [1, 2, 3, 4]
    assert [round(r.composite, 4) for r in result.rows] == [1.0, 0.96, 0.9, 0.0]
    assert [r.label for r in result.red] == ["甲物业"]
    assert [r.label for r in result.black] == ["丁物业"]
    assert [r.label for r in result.unranked] == ["戊物业"]
    # A stricter line puts 丙 (0.90) on the black list too, worst first; 乙 (0.96) stays off.
    stricter = kpi.ranking(staff, MARCH, list_size=1, threshold=0.95)
    assert [r.label for r in stricter.black] == ["丁物业", "丙物业"]
    # Two places on each list: red 甲 乙, black 丁 丙 - never the same unit on both.
    two = kpi.ranking(staff, MARCH, list_size=2, threshold=0)
    assert [r.label for r in two.red] == ["甲物业", "乙物业"] and [r.label for r in two.black] == ["丁物业", "丙物业"]
    one_unit = kpi.ranking(make_user(Role.PROPERTY_STAFF, league.units["丙"]), MARCH, list_size=3)
    assert [r.label for r in one_unit.rows] == ["丙物业"] and one_unit.black == []


def test_the_dashboard_shows_the_table_and_the_chart_data(client, league):
    client.force_login(make_user(Role.COMMUNITY_STAFF, league.community))
    response = client.get(reverse("whistle:kpi"), {"start": "2026-03", "end": "2026-03", "group_by": "handling_org"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="kpi-row"') == 6  # the filings before any unit, 甲 乙 丙 丁 戊
    assert "甲物业" in html and "100.0%" in html and "96.00" in html
    data = json.loads(re.search(r'<script id="kpi-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["labels"] == ["未派单", "甲物业", "乙物业", "丙物业", "丁物业", "戊物业"]
    assert data["series"][3]["data"] == [None, 100.0, 96.0, 90.0, 0.0, None]
    # No inline script: every <script> has a src, except the JSON data block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html


def test_a_grid_worker_dashboard_counts_only_his_grid(client, league):
    other = league.ticket(building=league.other_building)
    dispatch(other, league.units["甲"], at(5, 9))
    client.force_login(make_user(Role.GRID_WORKER, league.other_grid))
    response = client.get(reverse("whistle:kpi"), {"start": "2026-03", "end": "2026-03", "group_by": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "(0/1)" in html  # his one dispatch, not yet accepted
    assert "乙物业" not in html


def test_bad_months_give_a_form_error_and_residents_are_refused(client, league):
    client.force_login(make_user(Role.COMMUNITY_STAFF, league.community))
    response = client.get(reverse("whistle:kpi"), {"start": "2026-13", "end": "x"})
    assert response.status_code == 200
    assert "请按“年-月”填写" in response.content.decode()
    client.force_login(make_user(Role.RESIDENT))
    assert client.get(reverse("whistle:kpi")).status_code == 403
    assert client.get(reverse("whistle:kpi_ranking")).status_code == 403
    assert client.get(reverse("whistle:recurring")).status_code == 403


def test_the_ranking_page_lists_red_and_black(client, league, settings):
    settings.LIULIN_KPI_LIST_SIZE = 1
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, league.community))
    response = client.get(reverse("whistle:kpi_ranking"), {"month": "2026-03", "by": "handling_org"})
    html = response.content.decode()
    red = html.split('data-testid="red-list"')[1].split("</section>")[0]
    black = html.split('data-testid="black-list"')[1].split("</section>")[0]
    assert "甲物业" in red and "丁物业" not in red
    assert "丁物业" in black and "甲物业" not in black


def test_the_public_page_shows_units_and_rates_without_login_or_personal_data(client, league):
    ticket = Ticket.objects.filter(handling_org=None).first() or Ticket.objects.first()
    Ticket.objects.filter(pk=ticket.pk).update(contact_name="王秘密", contact_phone="13912345678")
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=datetime.UTC)):
        response = client.get(reverse("whistle:kpi_public"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "甲物业" in html and "丁物业" in html and "96.00" in html
    assert "王秘密" not in html and "13912345678" not in html
    other_month = client.get(reverse("whistle:kpi_public"), {"month": "2026-04"}).content.decode()
    assert "甲物业" not in other_month


def test_recurring_page_and_the_proactive_task_button(client, league):
    for day in range(1, 5):
        ticket = league.ticket()
        Ticket.objects.filter(pk=ticket.pk).update(created_at=at(day, 10))
    secretary = make_user(Role.COMMUNITY_SECRETARY, league.community)
    client.force_login(secretary)
    page = client.get(reverse("whistle:recurring"), {"month": "2026-03", "months": "3"}).content.decode()
    assert page.count('data-testid="cluster"') == 1 and 'data-testid="make-task"' in page
    response = client.post(
        reverse("whistle:recurring_task"), {"category": league.category.pk, "grid": league.grid.pk, "month": "2026-03"}
    )
    task = Ticket.objects.get(channel=Channel.PROACTIVE)
    assert response.status_code == 302 and response.url == reverse("whistle:ticket", args=[task.pk])
    page = client.get(reverse("whistle:recurring"), {"month": "2026-03", "months": "3"}).content.decode()
    assert task.number in page and 'data-testid="make-task"' not in page

    worker = make_user(Role.GRID_WORKER, league.grid)
    client.force_login(worker)
    assert 'data-testid="make-task"' not in client.get(reverse("whistle:recurring"), {"month": "2026-03"}).content.decode()
    refused = client.post(
        reverse("whistle:recurring_task"), {"category": league.category.pk, "grid": league.other_grid.pk, "month": "2026-03"}
    )
    assert refused.status_code == 404
    assert Ticket.objects.filter(channel=Channel.PROACTIVE).count() == 1
