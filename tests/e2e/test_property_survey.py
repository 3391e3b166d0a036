"""An owner rates his estate's property service on his phone; the community worker closes and
publishes the survey; the owner reads the published result; the estate's 物业监督员 fails an
item of the contract on an inspection and sees the work order it became."""

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.property import services
from liulin.property.models import InspectionItem
from liulin.property.tests.factories import Estate
from liulin.whistle.tests.factories import CategoryFactory

from .conftest import assert_accessible, content_width, log_in

pytestmark = pytest.mark.django_db(transaction=True)

DIMENSIONS = ("cleaning", "security", "greening", "repairs", "fees")


def test_owner_rates_and_supervisor_inspects(page, screenshot):
    place = Estate()
    survey = place.open_survey()
    owner = place.users["resident"]
    category = CategoryFactory()

    log_in(page, owner.mobile, PASSWORD)
    page.goto("/property/")
    assert_accessible(page)
    page.click(f"[data-testid=survey-{survey.pk}]")
    for i, code in enumerate(DIMENSIONS):
        value = "2" if code == "repairs" else "5" if i % 2 else "4"
        page.locator(f"[data-testid=dimension-{code}] input[value='{value}']").check()
    page.fill("textarea[name=comment]", "报修后三天才来人")
    assert_accessible(page)
    page.click("[data-testid=submit-answer]")
    expect(page.locator("[data-testid=answered]")).to_be_visible()
    page.wait_for_load_state("load")
    assert content_width(page) <= 360

    page.context.clear_cookies()
    log_in(page, place.staff.mobile, PASSWORD)
    page.goto(f"/property/surveys/{survey.pk}/")
    page.click("[data-testid=act-close]")
    page.click("[data-testid=act-publish]")
    expect(page.locator("[data-testid=survey-state]")).to_contain_text("已公布")

    page.context.clear_cookies()
    log_in(page, owner.mobile, PASSWORD)
    page.goto(f"/property/surveys/{survey.pk}/")
    expect(page.locator("[data-testid=overall]")).to_contain_text("80.0%")
    expect(page.locator("[data-testid=verdict]")).to_contain_text("达标")
    assert_accessible(page)
    screenshot(page, "property-survey-result")

    services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    page.goto("/property/")
    page.click(f"[data-testid=inspect-{place.estate.pk}]")
    page.locator("[data-testid=fail-1]").check()
    page.fill("[data-testid=note-1]", "楼道堆放杂物三天未清")
    page.select_option("[data-testid=category]", category.code)
    assert_accessible(page)
    page.click("[data-testid=submit-inspection]")
    expect(page.locator("[data-testid=work-order]")).to_be_visible()
    assert InspectionItem.objects.get(passed=False).work_order_number
    page.wait_for_load_state("load")  # the stylesheet in, before measuring the width
    assert content_width(page) <= 360
