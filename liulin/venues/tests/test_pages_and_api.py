"""Pages and API: a resident books a free slot from the day grid, sees it, exports it; a
manager approves a hall request and checks people in; scoping; bad input; query counts."""

import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.territory.tests.factories import CommunityFactory, GridFactory
from liulin.venues.models import Booking, Membership
from liulin.venues.services import bookings
from liulin.venues.tests.conftest import DAY
from liulin.venues.tests.factories import at, make_manager, make_resident

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def clock_at_dawn():
    with time_machine.travel(at(DAY, 6, 30), tick=False):
        yield


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_resident_books_a_free_slot_from_the_day_grid(world, clock_at_dawn):
    client = logged_in(world.resident)
    page = client.get(reverse("venues:index"))
    assert page.status_code == 200 and "羽毛球场" in page.content.decode()
    grid = client.get(reverse("venues:day", args=[world.badminton.pk]), {"day": DAY.isoformat()})
    html = grid.content.decode()
    assert grid.status_code == 200 and 'data-testid="slot-0900"' in html and "可约" in html
    response = client.post(reverse("venues:book", args=[world.badminton.pk]), {"start": at(DAY, 9).isoformat(), "slots": 1})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == reverse("venues:booking", args=[booking.pk])
    assert booking.state == Booking.State.CONFIRMED and booking.booker == world.resident
    # The slot now shows as taken, to everyone, without a name.
    other = logged_in(make_resident(world.community))
    html = other.get(reverse("venues:day", args=[world.badminton.pk]), {"day": DAY.isoformat()}).content.decode()
    assert "已约" in html and world.resident.name not in html
    # A second try at the same slot comes back to the day with the reason.
    again = other.post(reverse("venues:book", args=[world.badminton.pk]), {"start": at(DAY, 9).isoformat(), "slots": 1}, follow=True)
    assert "该时段已被预约" in again.content.decode()
    assert Booking.objects.count() == 1
    ics = client.get(reverse("venues:calendar"))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_the_hall_asks_for_details_and_a_manager_approves(world, clock_at_dawn):
    client = logged_in(world.resident)
    url = reverse("venues:book", args=[world.hall.pk])
    form = client.get(url, {"start": at(DAY, 14).isoformat()})
    assert form.status_code == 200 and "安全预案" in form.content.decode()
    refused = client.post(url, {"start": at(DAY, 14).isoformat(), "slots": 2, "purpose": "讲座"})
    assert refused.status_code == 400 and Booking.objects.count() == 0
    client.post(url, {"start": at(DAY, 14).isoformat(), "slots": 2, "purpose": "讲座", "headcount": 120, "safety_plan": "两名安全员"})
    booking = Booking.objects.get()
    assert booking.state == Booking.State.REQUESTED and booking.ends_at == at(DAY, 16)
    manager = logged_in(world.manager)
    assert f'data-testid="request-{booking.pk}"' in manager.get(reverse("venues:approvals")).content.decode()
    manager.post(reverse("venues:booking_act", args=[booking.pk, "approve"]), {"next": "approvals"})
    assert Booking.objects.get().state == Booking.State.CONFIRMED


def test_pages_are_scoped(world, clock_at_dawn):
    booking = bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10))
    elsewhere = CommunityFactory()
    stranger = logged_in(make_resident(elsewhere))
    assert stranger.get(reverse("venues:day", args=[world.badminton.pk])).status_code == 404
    assert stranger.get(reverse("venues:booking", args=[booking.pk])).status_code == 404
    assert logged_in(make_manager(elsewhere)).get(reverse("venues:booking", args=[booking.pk])).status_code == 404
    assert logged_in(make_resident(world.community)).get(reverse("venues:booking", args=[booking.pk])).status_code == 404
    assert logged_in(make_user(Role.GRID_WORKER, GridFactory(community=world.community))).get(reverse("venues:index")).status_code == 403
    assert logged_in(world.manager).get(reverse("venues:booking", args=[booking.pk])).status_code == 200


def test_check_in_at_the_door(world):
    booking = bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=at(DAY, 6))
    manager = logged_in(world.manager)
    with time_machine.travel(at(DAY, 8, 50), tick=False):
        html = manager.get(reverse("venues:today")).content.decode()
        assert f'data-testid="check-in-{booking.pk}"' in html
        manager.post(reverse("venues:booking_act", args=[booking.pk, "check_in"]), {"next": "today"})
    assert Booking.objects.get().state == Booking.State.CHECKED_IN


def test_the_gym_counter(world, clock_at_dawn):
    resident = logged_in(world.resident)
    resident.post(reverse("venues:gym_join", args=[world.plan.pk]))
    membership = Membership.objects.get()
    assert membership.price_fen == 2500
    manager = logged_in(world.manager)
    assert "25.00" in manager.get(reverse("venues:gym")).content.decode()
    manager.post(reverse("venues:membership_act", args=[membership.pk, "confirm_payment"]), {"receipt_no": "XJ-0001"})
    assert Membership.objects.get().state == Membership.State.ACTIVE
    resident.post(reverse("venues:gym_door", args=[world.gym.pk, "enter"]))
    assert "1 / 2" in resident.get(reverse("venues:gym")).content.decode()


def test_the_api_books_lists_and_refuses_with_detail_and_code(world, clock_at_dawn):
    client = logged_in(world.resident)
    day = client.get(f"/api/v1/venues/resources/{world.badminton.pk}/day", {"day": DAY.isoformat()}).json()
    assert day["slots"][1]["state"] == "free"
    body = {"resource_id": world.badminton.pk, "start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat()}
    created = client.post("/api/v1/venues/bookings", json.dumps(body), content_type=JSON)
    assert created.status_code == 201 and created.json()["state"] == "confirmed" and created.json()["mine"] is True
    other = logged_in(make_resident(world.community))
    taken = other.post("/api/v1/venues/bookings", json.dumps(body), content_type=JSON)
    assert taken.status_code == 409 and taken.json()["code"] == "slot_taken"
    assert other.get("/api/v1/venues/bookings").json()["count"] == 0
    booking_id = created.json()["id"]
    cancelled = client.post(f"/api/v1/venues/bookings/{booking_id}/actions/cancel", "{}", content_type=JSON)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = client.post(f"/api/v1/venues/bookings/{booking_id}/actions/cancel", "{}", content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    unknown = client.post(f"/api/v1/venues/bookings/{booking_id}/actions/explode", "{}", content_type=JSON)
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_action"


@pytest.mark.parametrize(
    "changes",
    [
        {"purpose": "a\x00b"},
        {"start": "2026-12-09T09:00:00+20:00"},
        {"start": "9999-12-31T09:00:00Z", "end": "9999-12-31T10:00:00Z"},
        {"end": "2026-12-09T08:00:00+08:00"},
        {"headcount": 0},
    ],
)
def test_bad_api_input_is_a_4xx_and_changes_nothing(world, clock_at_dawn, changes):
    client = logged_in(world.resident)
    body = {"resource_id": world.badminton.pk, "start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat(), **changes}
    response = client.post("/api/v1/venues/bookings", json.dumps(body), content_type=JSON)
    assert 400 <= response.status_code < 500 and "code" in response.json()
    assert Booking.objects.count() == 0


def test_bad_days_on_the_grid(world, clock_at_dawn):
    client = logged_in(world.resident)
    assert client.get(f"/api/v1/venues/resources/{world.badminton.pk}/day", {"day": "9999-12-31"}).status_code == 400
    assert client.get(reverse("venues:day", args=[world.badminton.pk]), {"day": "9999-12-31"}).status_code == 200


def test_the_day_grid_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries, clock_at_dawn):
    for hour in range(9, 20):
        bookings.book_facility(actor=world.manager, resource=world.table_tennis, start=at(DAY, hour), end=at(DAY, hour + 1))
    client = logged_in(world.resident)
    url = reverse("venues:day", args=[world.gymnasium.pk])
    client.get(url, {"day": DAY.isoformat()})
    with django_assert_max_num_queries(14):
        html = client.get(url, {"day": DAY.isoformat()}).content.decode()
    assert html.count("已约") >= 11


def test_the_api_lists_only_what_the_caller_may_see(world, clock_at_dawn):
    bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10))
    assert logged_in(world.manager).get("/api/v1/venues/bookings").json()["count"] == 1
    assert logged_in(make_manager(CommunityFactory())).get("/api/v1/venues/bookings").json()["count"] == 0
    assert logged_in(make_manager(CommunityFactory())).get("/api/v1/venues/resources").json()["count"] == 0
    assert logged_in(world.resident).get("/api/v1/venues/resources").json()["count"] == 5


def test_a_member_pauses_and_resumes_on_the_gym_page(world, clock_at_dawn):
    from liulin.venues.services import gym

    membership = gym.join_gym(actor=world.resident, plan=world.plan)
    gym.confirm_payment(actor=world.manager, membership=membership, receipt_no="R1")
    client = logged_in(world.resident)
    assert f'data-testid="pause-{membership.pk}"' in client.get(reverse("venues:gym")).content.decode()
    client.post(reverse("venues:membership_act", args=[membership.pk, "pause"]), {"days": "3"})  # below the minimum
    assert Membership.objects.get().state == Membership.State.ACTIVE
    client.post(reverse("venues:membership_act", args=[membership.pk, "pause"]), {"days": "7"})
    assert Membership.objects.get().state == Membership.State.PAUSED
    client.post(reverse("venues:membership_act", args=[membership.pk, "resume"]))
    assert Membership.objects.get().state == Membership.State.ACTIVE


def test_admin_pages_open(world):
    from liulin.accounts.tests.factories import UserFactory

    admin_client = logged_in(UserFactory(is_superuser=True, is_staff=True))
    for model in ("resource", "booking", "membership", "membershipplan", "noshowpolicy", "bookingseries"):
        assert admin_client.get(f"/admin/venues/{model}/").status_code == 200, model
    assert admin_client.get(f"/admin/venues/resource/{world.hall.pk}/change/").status_code == 200


def test_check_in_by_the_door_code(world):
    booking = bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=at(DAY, 6))
    client = logged_in(world.resident)
    url = reverse("venues:door", args=[world.badminton.pk])
    with time_machine.travel(at(DAY, 8, 40), tick=False):  # too early: nothing to check in
        assert 'data-testid="door-check-in"' not in client.get(url).content.decode()
    with time_machine.travel(at(DAY, 8, 50), tick=False):
        assert 'data-testid="door-check-in"' in client.get(url).content.decode()
        client.post(url)
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.CHECKED_IN


def test_the_manager_prints_the_door_sign_whose_code_opens_the_check_in_page(world):
    manager = logged_in(world.manager)
    day = manager.get(reverse("venues:day", args=[world.badminton.pk])).content.decode()
    sign_url = reverse("venues:door_sign", args=[world.badminton.pk])
    assert 'data-testid="door-sign-link"' in day
    sign = manager.get(sign_url).content.decode()
    door = "http://testserver" + reverse("venues:door", args=[world.badminton.pk])
    assert "<svg" in sign and door in sign
    # A resident neither sees the link nor opens the sign.
    resident = logged_in(world.resident)
    assert 'data-testid="door-sign-link"' not in resident.get(reverse("venues:day", args=[world.badminton.pk])).content.decode()
    assert resident.get(sign_url).status_code == 403
