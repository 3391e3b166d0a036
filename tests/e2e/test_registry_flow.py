"""A community worker's morning: log in, find a resident by pinyin initials, reveal his ID
number with a reason, and switch to 长辈版."""

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.core.masking import mask_id
from liulin.core.models import AccessLog
from liulin.core.roles import Role
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.tests.factories import GridFactory, HouseholdFactory

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def font_size(page, selector):
    return float(page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)"))


def test_staff_finds_resident_by_initials_reveals_id_and_switches_to_elder_mode(page, screenshot):
    grid = GridFactory()
    id_number = make_id_number(seq=321)
    ResidentFactory(name="张三丰", id_number=id_number, household=HouseholdFactory(building__grid=grid))
    ResidentFactory(name="李四", household=HouseholdFactory(building__grid=grid))
    staff = make_user(Role.COMMUNITY_STAFF, grid.community, mobile="13800000001")

    log_in(page, staff.mobile, PASSWORD)
    page.goto("/people/")
    page.fill("[data-testid=resident-search]", "zsf")
    page.wait_for_url("**/people/?q=zsf")
    expect(page.locator("#results a.resident-name", has_text="李四")).to_have_count(0)
    expect(page.locator("#results a.resident-name", has_text="张三丰")).to_have_count(1)
    assert_accessible(page)

    page.click("#results a.resident-name:has-text('张三丰')")
    masked = page.text_content("[data-testid=id-masked]").strip()
    assert masked == mask_id(id_number)  # the region and the check character only
    assert id_number not in page.content()
    assert_accessible(page)

    page.check("input[name=field][value=id_number]")
    page.fill("input[name=reason]", "核对高龄补贴申请")
    page.click("[data-testid=reveal-form] button[type=submit]")
    assert page.text_content("[data-testid=revealed-value]").strip() == id_number
    assert AccessLog.objects.filter(actor=staff, field="id_number", reason="核对高龄补贴申请").count() == 1

    normal_size = font_size(page, "h1")
    page.click("[data-testid=elder-toggle]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html.elder").count() == 1
    assert font_size(page, "h1") > normal_size * 1.2
    # The revealed number was shown once; the page after the switch is masked again.
    assert id_number not in page.content()
    screenshot(page, "registry-elder-mode")
    assert_accessible(page)

    page.goto("/people/")
    assert page.locator("html.elder").count() == 1, "elder mode is remembered on the account"
