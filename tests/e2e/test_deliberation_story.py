"""议事→办事 in a phone browser: a 小楼议事 about a broken corridor light is convened and held,
a resident signs in by the meeting's QR link and votes, the meeting decides and files the
action item as a 雷锋哨 work order in one step and adjourns; the order is worked on the
雷锋哨 pages by their own roles (the property company accepts and resolves it, the verifying
department's officer 核单, the hotline operator's phone callback closes it: 已回访); the
minutes are written, amended by a resident who signed in and finalised; and the meeting page
shows the action item done with the order's outcome."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.deliberation.models import ActionItem, ItemState, Meeting, MinutesState
from liulin.whistle.models import Category, Ticket
from liulin.whistle.models import State as TicketState
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 200, 0)).save(buffer, "PNG")
    return {"name": "lights.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_corridor_light_meeting_to_closed_work_order(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    # The 物业 category names the department that verifies its results (核单部门), as in test_whistle_loop.
    Category.objects.filter(code="property").update(verify_org=town.department)

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
    assert_accessible(page)
    ticket = Ticket.objects.get(pk=ActionItem.objects.get(pk=item.pk).work_order_id)
    assert ticket.state == TicketState.DISPATCHED and ticket.handling_org == town.property_company

    # 5. 散会: the worker adjourns the meeting; the order goes on in 雷锋哨.
    page.get_by_test_id("act-adjourn").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("已召开")
    assert_accessible(page)

    # 6. 接单 and 办结 by the property company, from its worklist, with a photo of the new lights.
    number = ticket.number
    switch_user(page, town.property_staff, PASSWORD)
    page.goto("/whistle/work/")
    page.get_by_test_id(f"do-accept-{number}").click()
    expect(page.get_by_test_id("state")).to_have_text("已接单")
    page.goto("/whistle/work/")
    page.get_by_test_id(f"row-{number}").get_by_role("link", name="办结").click()
    page.locator("#reason-resolve").fill("已更换1栋各层楼道灯，夜间试亮正常。")
    page.locator("#act-resolve input[type=file][name=photos]").set_input_files(_png())
    page.get_by_test_id("do-resolve").click()
    expect(page.get_by_test_id("state")).to_have_text("已办结")

    # 7. 核单 by the category's verifying department, from its officer's worklist.
    switch_user(page, town.officer, PASSWORD)
    page.goto("/whistle/work/")
    page.get_by_test_id(f"do-verify-{number}").click()
    expect(page.get_by_test_id("state")).to_have_text("已核单")

    # 8. 回访 by the hotline operator on the order's page: the phone callback closes it.
    switch_user(page, town.operator, PASSWORD)
    page.goto(f"/whistle/t/{ticket.pk}/")
    callback = page.get_by_test_id("callback-form")
    callback.get_by_label("已解决").check()
    callback.get_by_label("满意", exact=True).check()
    callback.get_by_role("button", name="记录回访").click()
    expect(page.get_by_test_id("state")).to_have_text("已回访")
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.CLOSED

    # 9. 纪要: the worker writes the minutes, asks those who signed in for amendments, the
    #    resident adds one, and the worker finalises them.
    switch_user(page, town.staff, PASSWORD)
    page.goto(f"/deliberation/{meeting.pk}/")
    page.locator("#id_minutes").fill("到会表决1人。决定由物业三日内更换1栋各层楼道灯，已转雷锋哨工单。")
    page.get_by_test_id("write-minutes").click()
    page.get_by_test_id("minutes-open_amendments").click()
    expect(page.get_by_test_id("minutes")).to_contain_text("征求修改")
    switch_user(page, town.resident_user, PASSWORD)
    page.goto(f"/deliberation/{meeting.pk}/")
    page.get_by_test_id("minutes").locator("textarea[name=text]").fill("请注明三楼的灯也一并更换。")
    page.get_by_test_id("amend").click()
    expect(page.get_by_test_id("minutes")).to_contain_text("请注明三楼的灯也一并更换。")
    switch_user(page, town.staff, PASSWORD)
    page.goto(f"/deliberation/{meeting.pk}/")
    page.get_by_test_id("minutes-finalise").click()
    expect(page.get_by_test_id("minutes")).to_contain_text("纪要定稿")
    expect(page.get_by_test_id("minutes-pdf")).to_be_visible()

    # 10. The meeting page shows the action item done, with the order's outcome (已回访).
    expect(page.get_by_test_id("meeting-state")).to_have_text("已召开")
    expect(page.get_by_test_id(f"item-state-{item.pk}")).to_have_text("已办结")
    expect(page.get_by_test_id(f"order-{item.pk}")).to_contain_text(number)
    expect(page.get_by_test_id(f"order-{item.pk}")).to_contain_text("已回访")
    screenshot(page, "deliberation-4-done")
    assert_accessible(page)
    assert ActionItem.objects.get(pk=item.pk).state == ItemState.DONE
    finished = Meeting.objects.get(pk=meeting.pk)
    assert finished.minutes_state == MinutesState.FINAL and finished.minutes_hash
