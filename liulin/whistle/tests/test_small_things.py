"""Small things the first week's users met on the 雷锋哨 pages."""

import re

import pytest
from django.urls import reverse

from liulin.core import clock
from liulin.core.calendar import add_months, month_start

pytestmark = pytest.mark.django_db


def test_a_place_outside_every_grid_is_reported_once(client, town):
    client.force_login(town.resident_user)
    response = client.post(
        reverse("whistle:file"),
        {"category": town.category("noise").pk, "description": "路边噪音", "where": "point", "lat": "10", "lon": "10", "client_request_id": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("该位置不在任何网格内") == 1


def test_a_patrol_outside_every_grid_is_reported_once(client, town):
    client.force_login(town.grid_worker)
    response = client.post(
        reverse("whistle:patrol"),
        {"kind": "found", "category": town.category("noise").pk, "urgency": "normal", "description": "路边噪音", "lat": "10", "lon": "10",
         "client_request_id": "x"},
    )
    assert response.content.decode().count("该位置不在任何网格内") == 1


def month_values(html):
    return dict(re.findall(r'<input type="month" name="(\w+)" value="([\d-]+)"', html))


def test_kpi_month_boxes_show_the_months_the_page_shows(client, town):
    this_month = month_start(clock.today())
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:kpi")).content.decode()
    assert month_values(html) == {"start": f"{add_months(this_month, -2):%Y-%m}", "end": f"{this_month:%Y-%m}"}
    assert f"{add_months(this_month, -2):%Y-%m} — {this_month:%Y-%m}" in html
    html = client.get(reverse("whistle:kpi"), {"start": "2026-01", "group_by": "grid"}).content.decode()
    assert month_values(html) == {"start": "2026-01", "end": f"{this_month:%Y-%m}"}
    assert '<option value="grid" selected>' in html
    for name in ("kpi_ranking", "recurring", "kpi_public"):
        assert month_values(client.get(reverse(f"whistle:{name}")).content.decode()) == {"month": f"{this_month:%Y-%m}"}, name


def test_a_wrong_month_is_shown_as_typed_with_its_error(client, town):
    client.force_login(town.secretary)
    html = client.get(reverse("whistle:kpi_ranking"), {"month": "2026-13"}).content.decode()
    assert 'value="2026-13"' in html and "请按“年-月”填写" in html
