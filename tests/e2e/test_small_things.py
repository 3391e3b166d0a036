"""Small things seen in the first week, as a browser meets them: the outside-grid error once,
labels without a half-width colon, the KPI month boxes filled, scrolling tables reachable by
keyboard, unique ids on the ticket page, and a login link on the public page."""

import re

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.core.calendar import add_months, month_start
from liulin.whistle.models import Channel
from liulin.whistle.services import intake, transitions
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_form_labels_and_the_outside_grid_error(page):
    seed_whistle_defaults()
    town = make_town()
    switch_user(page, town.resident_user, PASSWORD)
    page.goto("/whistle/new/")
    labels = page.locator("form[data-testid=resident-form] label, form[data-testid=resident-form] legend").all_inner_texts()
    assert labels and not [text for text in labels if text.rstrip().endswith(":")], labels
    page.locator("#id_category").select_option(label="噪音扰民")
    page.locator("#id_description").fill("路边有人深夜施工")
    page.get_by_label("地图上的位置").check()
    page.locator("#id_lat").fill("10")
    page.locator("#id_lon").fill("10")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("该位置不在任何网格内")
    assert page.get_by_text("该位置不在任何网格内").count() == 1
    assert_accessible(page)


def test_kpi_month_boxes_and_keyboard_scrolling_tables(page):
    seed_whistle_defaults()
    town = make_town()
    this_month = month_start(clock.today())
    switch_user(page, town.secretary, PASSWORD)
    page.goto("/whistle/kpi/")
    expect(page.locator("#id_start")).to_have_value(f"{add_months(this_month, -2):%Y-%m}")
    expect(page.locator("#id_end")).to_have_value(f"{this_month:%Y-%m}")
    expect(page.get_by_test_id("kpi-period")).to_have_text(f"{add_months(this_month, -2):%Y-%m} — {this_month:%Y-%m}")
    assert_accessible(page)

    # The KPI table is wider than a 360 px phone: it takes focus and scrolls with the keys.
    region = page.get_by_role("region", name="三率明细表")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table should overflow a phone"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('table-wrap')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "三率明细表"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    for _ in range(20):  # the arrow keys scroll smoothly: wait for it
        if page.evaluate("() => document.activeElement.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => document.activeElement.scrollLeft") > 0


def test_ticket_page_ids_are_unique(page):
    seed_whistle_defaults()
    town = make_town()
    ticket, _ = intake.file_ticket(
        actor=town.resident_user, channel=Channel.SELF_SERVICE, category="municipal-streetlight", description="路灯不亮",
        household=town.household,
    )
    transitions.act(actor=town.staff, ticket=ticket, action="dispatch", org=town.property_company)
    switch_user(page, town.staff, PASSWORD)
    page.goto(f"/whistle/t/{ticket.pk}/")
    expect(page.locator("#merge_reason")).to_have_count(1)
    duplicates = page.evaluate(
        "() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);"
        " return Object.keys(seen).filter(k => seen[k] > 1); }"
    )
    assert duplicates == []
    assert_accessible(page)


def test_the_public_page_has_a_login_link_that_leads_back(page):
    seed_whistle_defaults()
    town = make_town()
    page.goto("/whistle/public/")
    assert_accessible(page)
    page.get_by_test_id("login-link").click()
    page.fill("#id_username", town.staff.mobile)
    page.fill("#id_password", PASSWORD)
    page.click("[data-testid=login-submit]")
    expect(page).to_have_url(re.compile(r"/whistle/public/$"))
    expect(page.get_by_role("button", name="退出")).to_be_visible()
