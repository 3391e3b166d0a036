"""The 雷锋哨 loop in a phone browser: an operator takes a call and files it → the property
company accepts and resolves it with a photo of the finished work → a department verifies
(核单), seeing the photo → the resident sees it too and rates the result.

The category names the collaborating department that verifies its results (核单部门), so
the ticket reaches that department's worklist once the property company has resolved it."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.whistle import events, selectors
from liulin.whistle.models import Category, Channel, Satisfaction, State, Ticket
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

INTERNAL_NOTE = "内部备注：维修师傅手机 13900001111，配件费用待物业经理审批"
RESULT_PHOTO = "img[alt=办结照片]"


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 120, 200)).save(buffer, "PNG")
    return {"name": "fixed.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def expect_result_photo(page):
    """The result photo is on the page and loads (the browser decoded it)."""
    photo = page.locator(RESULT_PHOTO)
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("(img) => img.naturalWidth") > 0


def test_hotline_call_to_resident_rating(page, screenshot):
    seed_whistle_defaults()
    town = make_town()
    Category.objects.filter(code="property").update(verify_org=town.department)
    staff_names = [town.operator.name, town.property_staff.name, town.officer.name, town.secretary.name]

    # 1. 热线受理: the operator types the caller's number and picks him from the lookup.
    switch_user(page, town.operator, PASSWORD)
    page.goto("/whistle/console/")
    page.get_by_test_id("console-phone").fill(town.resident.mobile)
    callers = page.get_by_test_id("caller-list")
    expect(callers).to_contain_text("张三")
    callers.locator("li", has_text="张三").get_by_role("link", name="选择").click()
    expect(page.get_by_test_id("picked")).to_contain_text("张三")
    expect(page.locator("#id_contact_name")).to_have_value("张三")
    expect(page.locator("#id_room")).to_have_value("301")
    page.locator("#id_category").select_option(label="电梯故障")
    page.locator("#id_description").fill("1栋电梯停在三楼不动了，老人下不了楼。")
    screenshot(page, "whistle-1-console")
    assert_accessible(page)
    page.get_by_test_id("console-save").click()

    number = page.get_by_test_id("ticket-number")
    expect(number).to_have_text(re.compile(r"LF\d{13}"))
    ticket_number = number.inner_text().strip()
    assert_accessible(page)
    ticket = Ticket.objects.get(number=ticket_number)
    assert ticket.handling_org == town.property_company, "电梯故障 routes to the community's property company"
    assert ticket.state == State.DISPATCHED
    assert ticket.requester == town.resident and ticket.requester_user == town.resident_user

    # 2. 接单 and 办结 by the property company, from its worklist.
    switch_user(page, town.property_staff, PASSWORD)
    page.goto("/whistle/work/")
    row = page.get_by_test_id(f"row-{ticket_number}")
    expect(row).to_be_visible()
    screenshot(page, "whistle-2-worklist")
    assert_accessible(page)
    page.get_by_test_id(f"do-accept-{ticket_number}").click()
    expect(page.get_by_test_id("state")).to_have_text("已接单")
    assert_accessible(page)

    page.locator("#comment textarea[name=body]").fill(INTERNAL_NOTE)
    page.locator("#comment input[name=internal]").check()
    page.locator("#comment").get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("timeline")).to_contain_text(INTERNAL_NOTE)

    page.goto("/whistle/work/")
    page.get_by_test_id(f"row-{ticket_number}").get_by_role("link", name="办结").click()
    page.locator("#reason-resolve").fill("已更换电梯控制板，试运行正常。")
    page.locator("#act-resolve input[type=file][name=photos]").set_input_files(_png())
    page.get_by_test_id("do-resolve").click()
    expect(page.get_by_test_id("state")).to_have_text("已办结")
    expect_result_photo(page)
    assert_accessible(page)

    # 3. 核单 by the category's verifying department, from its officer's worklist.
    switch_user(page, town.officer, PASSWORD)
    page.goto("/whistle/work/")
    expect(page.get_by_test_id(f"row-{ticket_number}")).to_be_visible()
    page.get_by_test_id(f"row-{ticket_number}").get_by_role("link", name=ticket_number).click()
    expect_result_photo(page)  # the verifier judges the work by its photo
    page.goto("/whistle/work/")
    page.get_by_test_id(f"do-verify-{ticket_number}").click()
    expect(page.get_by_test_id("state")).to_have_text("已核单")

    # 4. 回访: the resident opens "my requests", reads the timeline and rates the result.
    switch_user(page, town.resident_user, PASSWORD)
    page.goto("/whistle/mine/")
    mine = page.get_by_test_id("my-requests")
    expect(mine).to_contain_text(ticket_number)
    assert_accessible(page)
    mine.get_by_role("link", name="去评价").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("接单")
    expect(timeline).to_contain_text("已更换电梯控制板")
    expect_result_photo(page)
    expect(timeline).not_to_contain_text(INTERNAL_NOTE)
    body = page.locator("body").inner_text()
    assert INTERNAL_NOTE not in body
    for name in staff_names:
        assert name not in body, f"a staff member's name ({name}) is shown to the resident"
    assert town.resident.mobile not in body
    screenshot(page, "whistle-3-resident-timeline")
    assert_accessible(page)

    rating = page.get_by_test_id("rating-form")
    rating.get_by_label("已解决").check()
    rating.get_by_label("满意", exact=True).check()
    rating.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("state")).to_have_text("已回访")

    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.satisfaction == Satisfaction.SATISFIED
    assert events.verify_chain(ticket) is None
    assert ticket.channel == Channel.HOTLINE
    assert ticket.call_started_at is not None and ticket.call_ended_at is not None
    assert ticket.call_started_at <= ticket.call_ended_at
    assert [p.stage for p in selectors.photos(ticket)] == ["result"]
    actions = list(ticket.events.order_by("seq").values_list("action", flat=True))
    assert ticket.verify_org == town.department and ticket.tier == 1  # settled without a whistle
    for step in ("file", "dispatch", "accept", "internal_note", "resolve", "verify", "callback"):
        assert step in actions, f"no {step} event in {actions}"
