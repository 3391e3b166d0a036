"""The wheelchair wish, in a phone-sized browser: a grid worker collects it for an elder,
the community publishes it, an in-service party member of a partner unit claims it and
delivers it with a photo, the elder confirms it in 长辈版, and it appears in the member's
quarterly report that his unit's contact reads, and prints as a PDF."""

import io

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.partybuilding.models import Wish
from liulin.partybuilding.tests.factories import make_world

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _jpeg(tmp_path):
    from PIL import Image

    path = tmp_path / "wheelchair.jpg"
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (90, 120, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def _log_out(page):
    page.context.clear_cookies()


def test_wheelchair_wish_from_collection_to_the_quarterly_report(page, screenshot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    elder = world.beneficiary.resident

    log_in(page, world.grid_worker.mobile, PASSWORD)
    page.goto("/partybuilding/")
    page.click("[data-testid=wish-new]")
    page.fill("#id_title", "修轮椅")
    page.select_option("#id_kind", "service")
    page.fill("#id_beneficiary_label", "高龄独居老人")
    page.fill("#id_beneficiary_id", str(elder.pk))
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=wish-state]")).to_have_text("待审核")
    wish = Wish.objects.get(title="修轮椅")

    _log_out(page)
    log_in(page, world.staff.mobile, PASSWORD)
    page.goto(f"/partybuilding/w/{wish.pk}/")
    page.click("[data-testid=step-wish_publish]")
    expect(page.locator("[data-testid=wish-state]")).to_have_text("待认领")

    _log_out(page)
    log_in(page, world.member.mobile, PASSWORD)
    page.goto(f"/partybuilding/c/{world.community.pk}/wishes/")
    expect(page.locator("[data-testid=wish-item]")).to_have_count(1)
    assert elder.name not in page.content()  # the market shows the public label only
    page.click("[data-testid=wish-item] a")
    page.click("[data-testid=claim]")
    expect(page.locator("[data-testid=wish-state]")).to_have_text("已认领")
    page.fill("#id_note", "换了新轮胎和刹车")
    page.set_input_files("#id_photos", str(_jpeg(tmp_path)))
    page.click("[data-testid=deliver]")
    expect(page.locator("[data-testid=wish-state]")).to_have_text("待确认")
    screenshot(page, "partybuilding-wish-delivered")

    _log_out(page)
    log_in(page, world.beneficiary.mobile, PASSWORD)
    page.goto(f"/partybuilding/w/{wish.pk}/")
    page.click("[data-testid=elder-toggle]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html.elder").count() == 1
    button = page.locator("[data-testid=confirm]").bounding_box()
    assert button["height"] >= 60, "长辈版 targets are at least 60 px"
    page.fill("#id_story", "老人又能去同心公园晒太阳了")
    page.click("[data-testid=confirm]")
    expect(page.locator("[data-testid=wish-state]")).to_have_text("已实现")
    screenshot(page, "partybuilding-wish-confirmed-elder-mode")

    _log_out(page)
    log_in(page, world.contact.mobile, PASSWORD)
    today = clock.today()
    page.goto(f"/partybuilding/m/{world.registration.pk}/{today.year}/{(today.month - 1) // 3 + 1}/")
    expect(page.locator("[data-testid=report-wishes]")).to_contain_text("修轮椅")
    screenshot(page, "partybuilding-quarterly-report")
    # The printed report his unit files: the PDF the page links to.
    printed = page.request.get(page.locator("[data-testid=report-pdf]").get_attribute("href"))
    assert printed.ok and printed.headers["content-type"] == "application/pdf" and printed.body().startswith(b"%PDF")
