"""An 80-year-old's daughter enrols her by proxy in the smartphone training, on a phone in
长辈版, and the organiser checks the mother in by her QR code; a second scan says she is in."""

import datetime

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD, make_user
from liulin.activities import services
from liulin.activities.models import Attendance, Enrolment, FamilyLink
from liulin.activities.tests.factories import Town
from liulin.core.roles import Role

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_daughter_enrols_her_mother_by_proxy_and_she_is_checked_in_by_qr(page, screenshot):
    town = Town()
    training = town.event(title="智能手机分层分级培训课（初级）", capacity=30, starts_in=datetime.timedelta(days=3), min_age=55)
    mother = town.resident(age=80, name="李桂英", with_user=False)
    daughter = town.resident(age=52, name="王丽", with_user=False)
    daughter.user = make_user(Role.RESIDENT, resident=daughter, mobile="13900000052")
    FamilyLink.objects.create(resident=mother, relative=daughter, kind="family", verified_by=town.staff)
    staff = town.staff

    log_in(page, daughter.user.mobile, PASSWORD)
    page.click("[data-testid=elder-toggle]")
    page.wait_for_load_state("networkidle")
    page.goto("/activities/")
    page.click(f"[data-testid=activity-{training.pk}]")
    page.select_option("#id_resident", str(mother.pk))
    page.click("[data-testid=enrol]")
    page.wait_for_url("**/activities/mine/")
    card = page.locator("[data-testid=enrolments] li", has_text="李桂英")
    expect(card.locator("[data-testid=state]")).to_have_text("已报名")
    expect(card.locator("[data-testid=qr] svg")).to_be_visible()
    width = card.locator("[data-testid=qr] svg").bounding_box()["width"]
    assert width >= 180  # large enough to scan from a phone held by an elder
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # fits the phone
    screenshot(page, "activities-proxy-enrolment")
    enrolment = Enrolment.objects.get(resident=mother, activity=training)
    assert (enrolment.channel, enrolment.consent_by_id) == ("family", daughter.pk)

    page.context.clear_cookies()
    log_in(page, staff.mobile, PASSWORD)
    page.goto(f"/activities/{training.pk}/check-in/")
    code = services.checkin_code(enrolment)  # what the scanner reads from her QR code
    page.fill("#id_code", code)
    page.click("[data-testid=checkin]")
    expect(page.locator("[data-testid=checkin-result]")).to_contain_text("李桂英 签到成功")
    expect(page.locator("[data-testid=present-count]")).to_contain_text("1 / 1")
    page.fill("#id_code", code)
    page.click("[data-testid=checkin]")
    expect(page.locator("[data-testid=checkin-result]")).to_contain_text("已签到过")
    screenshot(page, "activities-check-in-repeat")
    assert Attendance.objects.filter(enrolment=enrolment).count() == 1
