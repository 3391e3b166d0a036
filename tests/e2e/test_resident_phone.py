"""A resident's pages on a narrow phone, in the standard and the 长辈版 (elder) mode.

At 320 and 390 px every page the resident walks through (home → 我要反映 → 已受理 → his
ticket → 撤回 → 我的诉求) must fit the screen without sideways scrolling, keep the header to
two rows, and in 长辈版 offer no link, button, field or label smaller than 60×60 px."""

import re

import pytest
from playwright.sync_api import expect

from liulin.accounts.models import User
from liulin.accounts.tests.factories import PASSWORD
from liulin.whistle.models import Category, State, Ticket
from liulin.whistle.tests.intake_fixtures import make_town, seed_whistle_defaults

from .conftest import assert_accessible
from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (320, 390)
MIN_TARGET = 60

# Visible targets smaller than MIN_TARGET in either direction (off-screen ones, like the
# skip link before it has focus, and hidden ones do not count).
SMALL_TARGETS = """(min) => Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, label, summary'))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
    && getComputedStyle(el).visibility !== 'hidden')
  .filter(([el, r]) => r.width < min - 0.5 || r.height < min - 0.5)
  .map(([el, r]) => `${el.tagName.toLowerCase()} "${(el.innerText || el.name || el.id || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`)"""


def measure(page, name, *, elder):
    """At each phone width: no sideways scroll, a header of at most two rows, and in 长辈版
    targets of at least 60×60 px. Returns the header heights by width."""
    heights = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        page.wait_for_timeout(50)
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            wide = page.evaluate("""(w) => Array.from(document.querySelectorAll('body *')).filter(
                (el) => el.getBoundingClientRect().right > w + 0.5).slice(0, 5).map(
                (el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right)).concat(
                Array.from(document.querySelectorAll('*')).filter((el) => el.scrollWidth > el.clientWidth + 1).map(
                (el) => 'S:' + el.tagName + '.' + el.className + ' ' + el.scrollWidth + '/' + el.clientWidth))""", inner)
            page.screenshot(path=f"test-output/wide-{name}-{width}.png", full_page=True)
            pytest.fail(f"{name} at {width} px scrolls sideways ({scroll} > {inner}): {wide}")
        assert scroll <= inner, f"{name} at {width} px scrolls sideways ({scroll} > {inner})"
        header = page.locator("header.top").bounding_box()
        target = 64 if elder else 48
        heights[width] = header["height"]
        if header["height"] > 2 * target + 24:
            page.screenshot(path=f"test-output/header-{name}-{width}-{'elder' if elder else 'standard'}.png")
        # Two rows of targets plus the header's padding; three or four rows would be 200+ px.
        assert header["height"] <= 2 * target + 24, f"{name} at {width} px: header {header['height']} px high"
        if elder:
            small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
            assert not small, f"{name} at {width} px in 长辈版: targets under {MIN_TARGET} px: {small}"
    page.set_viewport_size({"width": 360, "height": 740})
    return heights


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_resident_pages_fit_a_narrow_phone(page, screenshot, elder):
    seed_whistle_defaults()
    town = make_town()
    User.objects.filter(pk=town.grid_worker.pk).update(work_phone="0731-88880001")
    User.objects.filter(pk=town.resident_user.pk).update(elder_mode=elder)
    mode = "elder" if elder else "standard"

    switch_user(page, town.resident_user, PASSWORD)
    page.goto("/")
    expect(page.locator("html")).to_have_class("elder" if elder else "")
    report = page.get_by_test_id("home-whistle")  # the first of the home's services
    expect(page.locator("[data-testid=home-services] a").first).to_have_text("我要反映")
    expect(page.get_by_test_id("call-grid-worker")).to_have_attribute("href", "tel:0731-88880001")
    measure(page, "home", elder=elder)
    assert_accessible(page)
    screenshot(page, f"resident-home-{mode}")

    report.click()
    expect(page).to_have_url(re.compile(r"/whistle/new/$"))
    measure(page, "file", elder=elder)
    assert_accessible(page)
    page.get_by_label("地图上的位置").check()  # the map and its controls, then back home
    expect(page.locator("form .map.leaflet-container")).to_be_visible()
    measure(page, "file with the map", elder=elder)
    page.get_by_label("我家").check()
    page.locator("#id_category").select_option(str(Category.objects.get(code="municipal-streetlight").pk))
    page.locator("#id_description").fill("楼下路灯晚上不亮，老人走路看不清。")
    page.get_by_role("button", name="提交").click()

    number = page.get_by_test_id("ticket-number")
    expect(number).to_have_text(re.compile(r"LF\d{13}"))
    measure(page, "filed", elder=elder)
    for width in WIDTHS:  # the number itself stays inside its card, on one line
        page.set_viewport_size({"width": width, "height": 740})
        card = page.locator("section.card.notice").bounding_box()
        box = number.bounding_box()
        assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"], width
        assert number.evaluate("(el) => el.scrollWidth <= el.clientWidth"), width
    assert_accessible(page)
    screenshot(page, f"resident-filed-{mode}")
    ticket = Ticket.objects.get(number=number.inner_text().strip())

    page.get_by_role("link", name="查看工单").click()
    expect(page.get_by_test_id("state")).to_be_visible()
    measure(page, "ticket", elder=elder)
    assert_accessible(page)
    # His comment is the first action on his ticket; withdrawing is a plain link after it.
    forms = page.locator("main form")
    expect(forms.first).to_have_attribute("action", f"/whistle/t/{ticket.pk}/comment/")
    assert page.locator("main .btn-danger, main button.btn-danger").count() == 0
    withdraw = page.get_by_test_id("withdraw-link")
    assert withdraw.evaluate("(el) => !el.classList.contains('btn')")
    page.locator("#comment textarea[name=body]").fill("请问什么时候来修？")
    page.locator("#comment").get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("请问什么时候来修？")
    screenshot(page, f"resident-ticket-{mode}")

    page.get_by_test_id("withdraw-link").click()
    expect(page.get_by_test_id("confirm-withdraw")).to_be_visible()
    measure(page, "withdraw", elder=elder)
    assert_accessible(page)
    ticket.refresh_from_db()
    assert ticket.state != State.WITHDRAWN  # the link only asks
    page.get_by_label("撤回原因").fill("已经有人修好了")
    page.get_by_test_id("confirm-withdraw").click()
    expect(page.get_by_test_id("state")).to_have_text("已撤单")
    ticket.refresh_from_db()
    assert ticket.state == State.WITHDRAWN

    page.goto("/whistle/mine/")
    expect(page.get_by_test_id("my-requests")).to_contain_text(ticket.number)
    measure(page, "mine", elder=elder)
    assert_accessible(page)
