"""The KPI dashboard draws its bar chart as plain SVG, under the strict CSP, with no chart
library loaded (docs/decisions.md, "KPI chart")."""

import pytest
from django.db import transaction
from django.urls import reverse

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.core.roles import Role
from liulin.whistle.tests.test_kpi_pages import make_league

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_kpi_chart_draws_the_table_figures_as_svg_bars(page, screenshot):
    with transaction.atomic():  # the league's events are appended by hand, outside services
        league = make_league()
    staff = make_user(Role.COMMUNITY_STAFF, league.community, mobile="13800000003")
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    log_in(page, staff.mobile, PASSWORD)
    page.goto(reverse("whistle:kpi") + "?start=2026-03&end=2026-03&group_by=handling_org")

    bars = page.locator("#kpi-chart svg rect:has(title)")
    # 甲 乙 丙 丁 have all four figures; the unassigned row and 戊 have none.
    assert bars.count() == 16
    assert page.locator("#kpi-chart svg rect:has(title)").first.locator("title").text_content() == "甲物业 · 响应率：100.0%"
    assert page.locator("#kpi-chart svg").bounding_box()["height"] > 200
    assert not [url for url in scripts if "echarts" in url]
    screenshot(page, "kpi-chart")
    assert_accessible(page)
