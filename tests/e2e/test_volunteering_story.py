"""志愿服务助邻 in a phone browser: the 银发生辉 team's leader publishes an activity, two
members sign up and check in and out by scanning the QR codes, the leader confirms their
hours, points are earned, one of them redeems soap at the 雷锋超市 counter, and the
certificate the community issues verifies on the public page without a login."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.volunteering.models import ServiceRecord
from liulin.volunteering.services import ledger
from liulin.volunteering.tests.factories import make_world, stocked_good

from .whistle_helpers import switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def scan(page, user, url):
    switch_user(page, user, PASSWORD)
    page.goto(url)
    page.get_by_test_id("scan-confirm").click()
    expect(page.get_by_test_id("scan-done")).to_be_visible()


def qr_link(page, direction):
    link = page.get_by_test_id(f"qr-link-{direction}")
    expect(link).to_have_count(1)
    return link.get_attribute("href")


def fits_and_large(page):
    """In 长辈版 the page still fits the phone's width and every button is a large target."""
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html.elder").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    heights = page.eval_on_selector_all("main .btn, main button", "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(h for h in heights if h > 0) >= 60, heights


def test_team_activity_to_redeemed_soap_and_verified_certificate(page, screenshot, time_machine):
    world = make_world(2)
    soap = stocked_good(world, name="肥皂", price=5, stock=3)
    first, second = world.volunteers
    start = timezone.localtime(clock.now()).replace(second=0, microsecond=0)

    # 1. The leader publishes a one-hour activity of his team.
    switch_user(page, world.leader, PASSWORD)
    page.goto("/volunteering/lead/")
    form = page.get_by_test_id(f"new-activity-{world.team.pk}")
    form.locator("[name$=-title]").fill("陪伴独居老人")
    form.locator("[name$=-kind]").select_option("elderly")
    form.locator("[name$=-content]").fill("上门陪伴、读报、测血压")
    form.locator("[name$=-place]").fill("中南社区")
    form.locator("[name$=-starts_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name$=-ends_at]").fill((start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("陪伴独居老人")
    activity_url = page.url

    # 2. Both members sign up on their phones.
    for member in (first, second):
        switch_user(page, member.user, PASSWORD)
        page.goto("/volunteering/")
        page.locator("[data-testid^=open-activity-] button").first.click()
        expect(page.locator(".msg")).to_contain_text("报名成功")

    # 3. At the start they scan the check-in code on the leader's screen.
    switch_user(page, world.leader, PASSWORD)
    page.goto(activity_url)
    screenshot(page, "volunteering-1-qr")
    check_in = qr_link(page, "in")
    for member in (first, second):
        scan(page, member.user, check_in)

    # 4. An hour later they scan the check-out code.
    time_machine.move_to(start + datetime.timedelta(minutes=61), tick=True)
    switch_user(page, world.leader, PASSWORD)
    page.goto(activity_url)
    check_out = qr_link(page, "out")
    for member in (first, second):
        scan(page, member.user, check_out)
    assert ServiceRecord.objects.filter(activity__title="陪伴独居老人", state="pending").count() == 2

    # 5. The leader confirms both records.
    switch_user(page, world.leader, PASSWORD)
    page.goto("/volunteering/lead/")
    for record in ServiceRecord.objects.filter(state="pending"):
        page.get_by_test_id(f"confirm-{record.pk}").click()
        expect(page.get_by_test_id(f"pending-{record.pk}")).to_have_count(0)
    record = ServiceRecord.objects.get(volunteer=first)
    assert record.state == "confirmed" and record.minutes >= 58
    points = ledger.points_for(record.minutes, 10)

    # 6. The member sees hours and points, and shows his code at the counter.
    switch_user(page, first.user, PASSWORD)
    page.goto("/volunteering/")
    expect(page.get_by_test_id("my-points")).to_have_text(str(points))
    fits_and_large(page)
    page.get_by_test_id("my-code").click()
    code = page.get_by_test_id("member-code").inner_text().strip()
    screenshot(page, "volunteering-2-member-code")

    # 7. The counter scans it and redeems one soap.
    switch_user(page, world.staff, PASSWORD)
    page.goto("/volunteering/counter/")
    page.locator("#id_who").fill(code)
    page.get_by_test_id("find-volunteer").locator("button").click()
    expect(page.get_by_test_id("counter-balance")).to_have_text(str(points))
    page.get_by_test_id(f"redeem-{soap.pk}").click()
    expect(page.get_by_test_id("counter-balance")).to_have_text(str(points - 5))
    screenshot(page, "volunteering-3-counter")
    soap.refresh_from_db()
    assert soap.stock == 2 and ledger.verify(ledger.ledger_for(world.community)) is None

    # 8. The community issues his certificate; anyone verifies it without logging in.
    page.goto("/volunteering/report/")
    certify = page.get_by_test_id(f"certify-{first.pk}")
    page.locator("details", has=certify).locator("summary").click()
    today = timezone.localdate(clock.now())
    certify.locator("[name=period_from]").fill((today - datetime.timedelta(days=30)).isoformat())
    certify.locator("[name=period_to]").fill(today.isoformat())
    certify.locator("button[type=submit]").click()
    expect(page.get_by_test_id("certificate")).to_be_visible()
    verify_url = page.get_by_test_id("certificate-verify-link").get_attribute("href")
    page.context.clear_cookies()
    page.goto(verify_url)
    expect(page.get_by_test_id("verified")).to_be_visible()
    expect(page.get_by_test_id("verified-hours")).to_contain_text("1")
    assert first.name not in page.content()
    assert re.search(r"^http://[^/]+/volunteering/verify/", verify_url)
    screenshot(page, "volunteering-4-verified")
