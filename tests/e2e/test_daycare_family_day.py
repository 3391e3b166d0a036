"""A daughter checks her 82-year-old mother in at the 雷锋驿站 day-care centre by the QR code
on her phone; the care worker logs lunch and a blood-pressure reading; the daughter sees the
day's log on her phone."""

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.daycare import services
from liulin.daycare.models import Attendance
from liulin.daycare.tests.factories import Station

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_daughter_checks_her_mothers_day(page, screenshot):
    station = Station(weekdays=range(7))
    mother = station.elder(days=range(7))
    daughter = mother.daughter.user

    log_in(page, daughter.mobile, PASSWORD)
    page.goto("/daycare/")
    assert_accessible(page)
    page.click(f"[data-testid=elder-{mother.pk}]")
    expect(page.locator("[data-testid=qr] svg")).to_be_visible()
    assert_accessible(page)
    # What her phone opens when she scans the code at the door.
    page.goto(f"/daycare/door/{services.checkin_code(mother)}/")
    assert_accessible(page)
    page.click("[data-testid=door-check-in]")
    expect(page.locator("[data-testid=status]")).to_contain_text("已到站")
    assert Attendance.objects.get(enrolment=mother).method == "qr"

    page.context.clear_cookies()
    log_in(page, station.carer.mobile, PASSWORD)
    page.goto(f"/daycare/centres/{station.centre.pk}/today/")
    expect(page.locator("[data-testid=present-count]")).to_contain_text("1 / 1")
    assert_accessible(page)
    form = page.locator(f"[data-testid=log-form-{mother.pk}]")
    page.locator("summary", has_text="写照护记录").click()
    form.locator("select").select_option("meal")
    form.locator("input[name=text]").fill("午餐：软米饭、清蒸鱼、青菜")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.locator("summary", has_text="写照护记录").click()
    form = page.locator(f"[data-testid=log-form-{mother.pk}]")
    form.locator("select").select_option("reading")
    form.locator("input[name=text]").fill("血压（收缩压）")
    form.locator("input[name=value]").fill("132")
    form.locator("input[name=unit]").fill("mmHg")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    page.context.clear_cookies()
    log_in(page, daughter.mobile, PASSWORD)
    page.goto(f"/daycare/elders/{mother.pk}/")
    log = page.locator("[data-testid=day-log]")
    expect(log).to_contain_text("清蒸鱼")
    expect(log).to_contain_text("132 mmHg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "daycare-family-day")
