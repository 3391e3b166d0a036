"""议事→办事 in a phone browser: a 小楼议事 about a broken corridor light is convened and held,
a resident signs in by the meeting's QR link and votes, the meeting decides and files the
action item as a 雷锋哨 work order in one step; the order closes, and the meeting page shows
the action item done with the order's outcome."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.deliberation.models import ActionItem, ItemState, Meeting
from liulin.whistle.models import State as TicketState
from liulin.whistle.models import Ticket
from liulin.whistle.tests.factories import PATHS, drive
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_corridor_light_meeting_to_closed_work_order(page, screenshot):
    seed_whistle_defaults()
    town = make_town()

    # 1. 召集: the community worker convenes a 小楼议事 for the estate and invites the property company.
    switch_user(page, town.staff, PASSWORD)
    page.goto("/deliberation/new/")
    page.locator("#id_kind").select_option("building")
    page.locator("#id_title").fill("1栋楼道灯坏了怎么修")
    page.locator("#id_estate").select_option(label=town.estate.name)
    start = clock.now() + datetime.timedelta(hours=1)
    page.locator("#id_starts_at").fill(start.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_quorum").fill("1")
    page.get_by_label(town.property_company.name).check()
    page.locator("#id_agenda").fill("楼道灯维修 / 王书记 / 20")
    screenshot(page, "deliberation-1-convene")
    page.get_by_test_id("convene").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("筹备中")
    meeting = Meeting.objects.get(title="1栋楼道灯坏了怎么修")
    page.get_by_test_id("act-notify").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("已通知")
    page.get_by_test_id("act-open").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("进行中")
    expect(page.get_by_test_id("sign-in-qr").locator("svg")).to_be_visible()
    sign_in_path = f"/deliberation/{meeting.pk}/sign-in/{meeting.sign_in_token}/"

    # 2. 签到: the resident opens the QR code's link on his phone.
    switch_user(page, town.resident_user, PASSWORD)
    page.goto(sign_in_path)
    page.get_by_test_id("confirm-sign-in").click()
    expect(page.get_by_test_id("present")).to_contain_text("表决 1 人")

    # 3. 表决: with the quorum present the worker opens a poll, and the resident votes.
    switch_user(page, town.staff, PASSWORD)
    page.goto(f"/deliberation/{meeting.pk}/")
    page.locator("#id_question").fill("由物业三日内修好1栋楼道灯")
    page.get_by_test_id("open-poll").click()
    expect(page.get_by_test_id("polls")).to_contain_text("表决中")
    poll = meeting.polls.get()
    switch_user(page, town.resident_user, PASSWORD)
    page.goto(f"/deliberation/{meeting.pk}/")
    page.locator("[data-testid=polls] input[type=radio]").first.check()
    page.get_by_test_id(f"vote-{poll.pk}").click()
    expect(page.get_by_test_id("polls")).to_contain_text("您已表决")
    screenshot(page, "deliberation-2-voted")

    # 4. 决定 and 转工单: the worker closes the poll, records the decision and files its action item.
    switch_user(page, town.staff, PASSWORD)
    page.goto(f"/deliberation/{meeting.pk}/")
    page.get_by_test_id(f"close-poll-{poll.pk}").click()
    expect(page.get_by_test_id(f"results-{poll.pk}")).to_contain_text("赞成：1")
    form = page.get_by_test_id("decision-form")
    form.locator("#id_text").fill("由物业三日内更换1栋各层楼道灯。")
    form.locator("#id_poll").select_option(str(poll.pk))
    form.locator("#id_item_title").fill("更换1栋楼道灯")
    form.locator("#id_owner").select_option(str(town.property_staff.pk))
    form.locator("#id_due_date").fill((clock.today() + datetime.timedelta(days=3)).isoformat())
    form.locator("#id_acceptance").fill("每层楼道灯夜间正常亮")
    form.locator("#id_building").select_option(str(town.b1.pk))
    page.get_by_test_id("decide").click()
    item = ActionItem.objects.get(meeting=meeting)
    expect(page.get_by_test_id(f"item-state-{item.pk}")).to_have_text("待落实")
    page.get_by_test_id(f"item-{item.pk}").locator("select[name=category]").select_option("property")
    page.get_by_test_id(f"file-order-{item.pk}").click()
    expect(page.get_by_test_id(f"item-state-{item.pk}")).to_have_text("已转工单")
    expect(page.get_by_test_id(f"order-{item.pk}")).to_contain_text(re.compile(r"LF\d+"))
    screenshot(page, "deliberation-3-ordered")

    # 5. The order is worked and verified in 雷锋哨 (its own browser test covers those pages).
    ticket = Ticket.objects.get(pk=ActionItem.objects.get(pk=item.pk).work_order_id)
    done = 0 if ticket.state == TicketState.SUBMITTED else 1
    drive(ticket, PATHS[TicketState.VERIFIED][done:], org=town.property_company)

    # 6. The meeting page shows the action item done, with the order's outcome.
    page.goto(f"/deliberation/{meeting.pk}/")
    expect(page.get_by_test_id(f"item-state-{item.pk}")).to_have_text("已办结")
    expect(page.get_by_test_id(f"order-{item.pk}")).to_contain_text("已核单")
    screenshot(page, "deliberation-4-done")
    assert ActionItem.objects.get(pk=item.pk).state == ItemState.DONE
