"""A resident books a badminton court for tomorrow on a phone in 长辈版, does not come, the
slot is released 15 minutes after the start with the no-show remembered, and offered to the
neighbour who found it taken and joined the waiting list; a team books its weekly practice
skipping a holiday; a venue manager approves a hall request."""

import datetime

import pytest
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.territory.tests.factories import CommunityFactory
from liulin.venues.models import Booking
from liulin.venues.services import bookings
from liulin.venues.tests.factories import World, at, make_resident

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def height(page, selector):
    return page.eval_on_selector(selector, "el => el.getBoundingClientRect().height")


def test_a_no_show_frees_the_court_for_the_next_resident(page, browser, live_server, screenshot):
    world = World(CommunityFactory(name="中南社区"))
    world.badminton.max_days_ahead = 2
    world.badminton.save()
    neighbour = make_resident(world.community)
    tomorrow = clock.today() + datetime.timedelta(days=1)

    log_in(page, world.resident.mobile, PASSWORD)
    page.click("[data-testid=elder-toggle]")
    page.wait_for_load_state("networkidle")
    page.goto("/venues/")
    page.click(f"[data-testid=resource-{world.badminton.pk}]")
    page.click("[data-testid=next-day]")
    expect(page.locator("[data-testid=day]")).to_have_text(tomorrow.isoformat())
    slot = "[data-testid=slot-0900]"
    assert height(page, slot) >= 60  # 长辈版: large targets
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # fits the phone
    screenshot(page, "venues-day-grid")
    page.click(slot)
    expect(page.locator("[data-testid=booking-state]")).to_have_text("已确认")
    booking = Booking.objects.get(booker=world.resident)

    # The neighbour finds it taken and joins the waiting list.
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server.url).new_page()
    log_in(other, neighbour.mobile, PASSWORD)
    other.goto(f"/venues/resources/{world.badminton.pk}/?day={tomorrow.isoformat()}")
    expect(other.locator("[data-testid=slot-0900]")).to_contain_text("已约")
    other.click("[data-testid=slot-0900]")
    expect(other.locator(".msg-success")).to_contain_text("已加入候补")

    # Nobody checks in; 15 minutes after the start the clock releases it, remembers the
    # no-show, and holds the rest of the hour for the neighbour.
    assert bookings.release_no_shows(now=at(tomorrow, 9, 15)) == 1
    booking.refresh_from_db()
    assert booking.state == Booking.State.NO_SHOW
    held = Booking.objects.get(booker=neighbour)
    assert held.state == Booking.State.HELD

    other.goto("/venues/")
    other.click(f"[data-testid=my-bookings] a[href='/venues/bookings/{held.pk}/']")
    expect(other.locator("[data-testid=booking-state]")).to_have_text("候补保留中")
    other.click("[data-testid=act-accept_offer]")
    expect(other.locator("[data-testid=booking-state]")).to_have_text("已确认")
    screenshot(other, "venues-offered-to-the-next-in-line")
    other.context.close()


def test_a_manager_approves_a_hall_request(page):
    world = World(CommunityFactory())
    start = at(clock.today() + datetime.timedelta(days=3), 14)
    request = bookings.book_facility(actor=world.resident, resource=world.hall, start=start, end=start + datetime.timedelta(hours=2),
                                     purpose="好家风评比分享会", headcount=200, safety_plan="两名安全员")
    log_in(page, world.manager.mobile, PASSWORD)
    page.goto("/venues/")
    page.click("[data-testid=approvals]")
    page.click(f"[data-testid=approve-{request.pk}]")
    expect(page.locator(f"[data-testid=request-{request.pk}]")).to_have_count(0)
    assert Booking.objects.get(pk=request.pk).state == Booking.State.CONFIRMED


def test_a_team_books_weekly_practice_in_the_dance_room_skipping_a_holiday(page):
    import time_machine

    from liulin.orgs.models import Membership as TeamMembership
    from liulin.orgs.models import Organisation
    from liulin.venues.models import OpeningHours
    from liulin.venues.tests.factories import make_resource

    world = World(CommunityFactory())
    room = make_resource(world.community, "舞蹈室")
    OpeningHours.objects.filter(resource=room).update(closed_on_holidays=True)
    team = Organisation.objects.create(name="常青藤舞蹈队", kind="team", community=world.community)
    TeamMembership.objects.create(org=team, resident=world.resident.resident, name="队长", title="队长")
    # September 2026: National Day (10-01, a Thursday) falls inside the team's Thursdays.
    with time_machine.travel(at(datetime.date(2026, 9, 1), 9), tick=True):
        log_in(page, world.resident.mobile, PASSWORD)
        page.goto(f"/venues/resources/{room.pk}/")
        page.click("[data-testid=series-link]")
        page.select_option("#id_team", str(team.pk))
        page.fill("#id_starts", "19:00")
        page.fill("#id_ends", "21:00")
        page.fill("#id_first_day", "2026-09-17")
        page.fill("#id_last_day", "2026-10-15")
        page.click("[data-testid=preview-series]")
        holiday = page.locator("[data-testid='date-2026-10-01'] input[type=checkbox]")
        expect(holiday).to_be_checked()  # a problem date comes ticked to skip
        expect(page.locator("[data-testid='date-2026-09-24'] input[type=checkbox]")).not_to_be_checked()
        page.click("[data-testid=confirm-series]")
        page.wait_for_url("**/venues/")
    days = sorted(b.starts_at.date().isoformat() for b in Booking.objects.filter(series__team=team))
    assert days == ["2026-09-17", "2026-09-24", "2026-10-08", "2026-10-15"]
