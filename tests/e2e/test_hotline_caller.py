"""The hotline console in a phone browser: the operator types the last four digits, picks the
caller among several, sees her care tags and the urgency rule, and the saved ticket carries
the raised urgency; a vague address is filed as 待定位 and the dispatcher filters for it."""

import re

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.people.models import CareTag
from liulin.people.tests.factories import ResidentFactory
from liulin.whistle.models import Ticket
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def _seed_care_rules():
    """transaction=True flushes data migrations' rows: put back the tags and rules used here."""
    import importlib

    from django.apps import apps

    tags = importlib.import_module("liulin.people.migrations.0002_seed_default_care_tags")
    rules = importlib.import_module("liulin.whistle.migrations.0029_seed_default_care_urgency_rules")
    tags.seed_care_tags(apps, None)
    rules.seed_care_urgency_rules(apps, None)


def test_last_four_digits_pick_the_elderly_caller_and_her_urgency_is_raised(page, screenshot):
    seed_whistle_defaults()
    _seed_care_rules()
    town = make_town()
    granny = ResidentFactory(name="王奶奶", mobile="13700005678", household=town.household)
    granny.care_tags.set(CareTag.objects.filter(code__in=["living-alone-elderly", "advanced-age"]))

    switch_user(page, town.operator, PASSWORD)
    page.goto("/whistle/console/")
    page.locator("#id_category").select_option(label="电梯故障")
    page.get_by_test_id("console-phone").fill("5678")
    callers = page.get_by_test_id("caller-list")
    expect(callers.locator("li")).to_have_count(2)  # 张三 138****5678 and 王奶奶 137****5678
    expect(callers.locator("li", has_text="王奶奶")).to_contain_text("独居老人")
    callers.locator("li", has_text="王奶奶").get_by_role("link", name="选择").click()
    expect(page.get_by_test_id("picked")).to_contain_text("王奶奶")
    expect(page.get_by_test_id("care-suggestion")).to_contain_text("建议紧急程度：紧急")
    expect(page.locator("#id_urgency")).to_have_value("emergency")  # the select takes the suggestion
    page.locator("#id_description").fill("电梯坏了，一个人住六楼下不了楼。")
    screenshot(page, "hotline-care-suggestion")
    assert_accessible(page)
    page.get_by_test_id("console-save").click()

    expect(page.get_by_test_id("ticket-number")).to_have_text(re.compile(r"LF\d{13}"))
    ticket = Ticket.objects.get()
    assert ticket.requester == granny and ticket.urgency == "emergency" and ticket.policy.code == "emergency"


def test_vague_address_is_filed_as_unlocated_and_the_dispatcher_filters_for_it(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    switch_user(page, town.operator, PASSWORD)
    page.goto("/whistle/console/")
    page.locator("#id_category").select_option(label="噪音扰民")
    page.locator("#id_description").fill("半夜有人放鞭炮。")
    page.locator("#id_address").fill("菜市场后面那条巷子")
    page.get_by_test_id("console-save").click()
    expect(page.get_by_test_id("needs-location")).to_be_visible()
    assert_accessible(page)
    number = page.get_by_test_id("ticket-number").inner_text().strip()

    switch_user(page, town.staff, PASSWORD)
    page.goto("/whistle/queue/?unlocated=on")
    expect(page.locator("#queue-rows")).to_contain_text(number)
    expect(page.locator("#queue-rows").get_by_test_id("needs-location")).to_be_visible()
    screenshot(page, "hotline-unlocated-queue")
    assert_accessible(page)
