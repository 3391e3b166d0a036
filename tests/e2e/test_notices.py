"""公示 in a phone browser: the community worker drafts a 低保 review notice and publishes it
for its 7 days; a resident reads it (his household's receipt records the reading) and files
an objection; the worker cannot finalise before the period ends, answers the objection, and
the public page shows the notice with no name or room."""

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.notices.models import Channel, Notice, Receipt
from liulin.notices.tests.factories import make_world

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_dibao_notice_objection_and_receipts(page, screenshot):
    world = make_world()
    switch_user(page, world.staff, PASSWORD)
    page.goto("/notices/new/")
    assert_accessible(page)
    page.locator("#id_kind").select_option(label="低保审核确认公示")
    page.locator("#id_title").fill("本季度低保审核确认公示")
    page.locator("#id_body").fill("王小明家庭（1栋101室）拟纳入低保。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("notice-state")).to_have_text("草稿")
    page.get_by_test_id("notice-publish").get_by_role("button").click()
    expect(page.get_by_test_id("notice-state")).to_have_text("公示中")
    expect(page.get_by_test_id("notice-period")).to_contain_text("公示期自次日起算")
    assert_accessible(page)
    notice = Notice.objects.get()

    switch_user(page, world.residents[0], PASSWORD)
    page.goto("/notices/")
    assert_accessible(page)
    page.get_by_role("link", name="本季度低保审核确认公示").click()
    page.locator("#objection-text").fill("该户收入情况与公示不符，请核实。")
    page.get_by_test_id("object").click()
    expect(page.get_by_test_id("objections")).to_contain_text("须于")
    assert_accessible(page)
    assert Receipt.objects.get(notice=notice, household=world.households[0], channel=Channel.IN_APP).read_at is not None

    switch_user(page, world.staff, PASSWORD)
    page.goto(f"/notices/{notice.pk}/")
    page.get_by_test_id("notice-finalise").get_by_role("button").click()
    expect(page.locator("body")).to_contain_text("期满前不能办结")
    page.get_by_label("答复").fill("经入户核实，收入情况属实。")
    page.get_by_role("button", name="答复").click()
    expect(page.get_by_test_id("objections")).to_contain_text("经入户核实")
    screenshot(page, "notices-answered")
    page.get_by_test_id("receipts-link").click()
    expect(page.get_by_test_id("receipt-summary")).to_have_text("已送达 2 户，已读 1 户")
    assert_accessible(page)

    page.context.clear_cookies()
    # the first masking loads the name tagger (core.redaction): allow it time on a busy machine
    page.goto(f"/notices/public/{notice.pk}/", timeout=120_000)
    expect(page.get_by_test_id("public-body")).not_to_contain_text("王小明")
    expect(page.get_by_test_id("public-body")).not_to_contain_text("101")
    assert_accessible(page)
