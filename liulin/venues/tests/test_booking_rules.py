"""Booking rules: overlap (touching allowed), hierarchy, buffer, opening hours, blackouts,
window and notice, approval details, quotas, real-name residents, the no-show policy."""

import datetime

import pytest

from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.venues.models import Blackout, Booking, BookingEvent, NoShowPolicy, Occupancy, OpeningHours
from liulin.venues.services import bookings
from liulin.venues.tests.conftest import DAY
from liulin.venues.tests.factories import at, make_resident

pytestmark = pytest.mark.django_db


def book(world, resource, start, end, *, now, actor=None, **kw):
    return bookings.book_facility(actor=actor or world.resident, resource=resource, start=start, end=end, now=now, **kw)


def test_a_small_room_is_confirmed_at_once_and_holds_its_time(world, now):
    booking = book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now)
    assert booking.state == Booking.State.CONFIRMED
    assert list(Occupancy.objects.filter(booking=booking).values_list("resource", flat=True)) == [world.badminton.pk]
    assert list(BookingEvent.objects.filter(booking=booking).values_list("action", flat=True)) == ["book"]


def test_the_same_slot_twice_is_a_conflict_and_changes_nothing(world, now):
    book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now)
    other = make_resident(world.community)
    with pytest.raises(Conflict) as refused:
        book(world, world.badminton, at(DAY, 9, 30), at(DAY, 10, 30), now=now, actor=other)
    assert refused.value.code == "slot_taken"
    assert Booking.objects.count() == 1


def test_touching_intervals_do_not_overlap(world, now):
    book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now)
    book(world, world.badminton, at(DAY, 10), at(DAY, 11), now=now, actor=make_resident(world.community))
    book(world, world.badminton, at(DAY, 8), at(DAY, 9), now=now, actor=make_resident(world.community))
    assert Booking.objects.count() == 3


def test_booking_a_parent_blocks_its_children_and_the_reverse(world, now):
    other = make_resident(world.community)
    book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now)
    # A sibling court is free at the same time ...
    book(world, world.table_tennis, at(DAY, 9), at(DAY, 10), now=now, actor=other)
    # ... but the whole gymnasium is not.
    with pytest.raises(Conflict):
        book(world, world.gymnasium, at(DAY, 9, 30), at(DAY, 11), now=now, actor=world.manager)
    whole = book(world, world.gymnasium, at(DAY, 14), at(DAY, 16), now=now, actor=world.manager, purpose="运动会")
    assert Occupancy.objects.filter(booking=whole).count() == 3
    with pytest.raises(Conflict):
        book(world, world.badminton, at(DAY, 15), at(DAY, 16), now=now, actor=other)


def test_the_database_refuses_an_overlap_the_service_did_not_check(world, now):
    """The rule is the database's: an occupancy written past the service is refused too."""
    from django.db import IntegrityError, transaction

    booking = book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Occupancy.objects.create(booking=booking, resource=world.table_tennis, starts_at=at(DAY, 9), ends_at=at(DAY, 10))
        Occupancy.objects.create(
            booking=Booking.objects.create(
                resource=world.table_tennis, booker=world.resident, starts_at=at(DAY, 9), ends_at=at(DAY, 10),
                state="confirmed", created_at=now,
            ),
            resource=world.table_tennis, starts_at=at(DAY, 9, 59), ends_at=at(DAY, 11),
        )


def test_buffer_time_keeps_a_gap_after_each_booking(world, now):
    world.badminton.buffer_minutes = 15
    world.badminton.save()
    book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now)
    with pytest.raises(Conflict):
        book(world, world.badminton, at(DAY, 10), at(DAY, 11), now=now, actor=make_resident(world.community))
    book(world, world.badminton, at(DAY, 10, 15), at(DAY, 11, 15), now=now, actor=make_resident(world.community))


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ((7, 0), (8, 0), "closed"),  # before opening
        ((20, 30), (21, 30), "closed"),  # past closing
        ((20, 0), (21, 0), None),  # ends exactly at closing
        ((8, 0), (9, 0), None),  # starts exactly at opening
        ((10, 0), (9, 0), "invalid_interval"),
    ],
)
def test_opening_hours_boundaries(world, now, start, end, code):
    attempt = lambda: book(world, world.table_tennis, at(DAY, *start), at(DAY, *end), now=now)  # noqa: E731
    if code is None:
        assert attempt().state == Booking.State.CONFIRMED
    else:
        with pytest.raises(Invalid) as refused:
            attempt()
        assert refused.value.code == code


def test_closed_on_statutory_holidays_when_the_hours_say_so(world):
    national_day = datetime.date(2026, 10, 1)
    OpeningHours.objects.filter(resource=world.table_tennis).update(closed_on_holidays=True)
    now = at(national_day, 7)
    with pytest.raises(Invalid) as refused:
        book(world, world.table_tennis, at(national_day, 9), at(national_day, 10), now=now)
    assert refused.value.code == "closed"


def test_a_blackout_of_the_parent_blocks_the_children(world, now):
    Blackout.objects.create(resource=world.gymnasium, starts_at=at(DAY, 12), ends_at=at(DAY, 14), reason="地面维修")
    with pytest.raises(Invalid) as refused:
        book(world, world.badminton, at(DAY, 13), at(DAY, 14), now=now)
    assert refused.value.code == "blackout"
    book(world, world.badminton, at(DAY, 14), at(DAY, 15), now=now)  # touching the blackout


def test_window_min_and_max_notice(world, now):
    court = world.badminton  # today and tomorrow only
    court.min_notice_minutes = 60
    court.window_opens_at = datetime.time(8)
    court.save()
    with pytest.raises(Invalid) as refused:  # 06:30: the window opens at 08:00
        book(world, court, at(DAY, 10), at(DAY, 11), now=now)
    assert refused.value.code == "window_closed"
    eight = at(DAY, 8)
    with pytest.raises(Invalid) as refused:
        book(world, court, at(DAY, 8, 30), at(DAY, 9, 30), now=eight)
    assert refused.value.code == "too_late"
    book(world, court, at(DAY, 9), at(DAY, 10), now=eight)  # exactly the minimum notice
    day_after = DAY + datetime.timedelta(days=2)
    with pytest.raises(Invalid) as refused:
        book(world, court, at(day_after, 9), at(day_after, 10), now=eight)
    assert refused.value.code == "too_early"
    tomorrow = DAY + datetime.timedelta(days=1)
    book(world, court, at(tomorrow, 9), at(tomorrow, 10), now=eight)


def test_the_past_is_refused(world, now):
    with pytest.raises(Invalid) as refused:
        book(world, world.table_tennis, at(DAY - datetime.timedelta(days=1), 9), at(DAY - datetime.timedelta(days=1), 10), now=now)
    assert refused.value.code == "in_the_past"


def test_the_hall_needs_purpose_headcount_and_safety_plan_and_waits_for_approval(world, now):
    with pytest.raises(Invalid) as refused:
        book(world, world.hall, at(DAY, 14), at(DAY, 16), now=now, purpose="讲座")
    assert refused.value.code == "details_required"
    with pytest.raises(Invalid) as refused:
        book(world, world.hall, at(DAY, 14), at(DAY, 16), now=now, purpose="讲座", headcount=369, safety_plan="两名安全员")
    assert refused.value.code == "over_capacity"
    booking = book(world, world.hall, at(DAY, 14), at(DAY, 16), now=now, purpose="讲座", headcount=368, safety_plan="两名安全员")
    assert booking.state == Booking.State.REQUESTED
    # A request holds the time: nobody else can request it meanwhile.
    with pytest.raises(Conflict):
        book(world, world.hall, at(DAY, 15), at(DAY, 17), now=now, actor=make_resident(world.community),
             purpose="演出", headcount=100, safety_plan="预案")


def test_only_real_name_residents_of_the_community_book(world, now, community):
    from liulin.accounts.tests.factories import UserFactory
    from liulin.territory.tests.factories import CommunityFactory

    with pytest.raises(NotPermitted) as refused:
        book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now, actor=UserFactory())
    assert refused.value.code == "real_name_required"
    stranger = make_resident(CommunityFactory())
    with pytest.raises(NotPermitted) as refused:
        book(world, world.badminton, at(DAY, 9), at(DAY, 10), now=now, actor=stranger)
    assert refused.value.code == "other_community"
    assert Booking.objects.count() == 0


def test_quotas_per_day_and_per_week(world, now):
    court = world.table_tennis
    court.max_bookings_per_day, court.max_hours_per_week = 2, 3
    court.save()
    book(world, court, at(DAY, 9), at(DAY, 10), now=now)
    book(world, court, at(DAY, 11), at(DAY, 12), now=now)
    with pytest.raises(NotPermitted) as refused:
        book(world, court, at(DAY, 13), at(DAY, 14), now=now)
    assert refused.value.code == "quota_day"
    tomorrow = DAY + datetime.timedelta(days=1)
    book(world, court, at(tomorrow, 9), at(tomorrow, 10), now=now)  # the third hour of the week
    with pytest.raises(NotPermitted) as refused:
        book(world, court, at(tomorrow, 11), at(tomorrow, 11, 30), now=now)
    assert refused.value.code == "quota_week"


def test_three_no_shows_in_30_days_bar_free_bookings_for_a_month(world, now):
    NoShowPolicy.objects.create(community=world.community, count=3, within_days=30, ban_days=30)
    for days_ago in (20, 10, 1):
        day = DAY - datetime.timedelta(days=days_ago)
        Booking.objects.create(resource=world.table_tennis, booker=world.resident, starts_at=at(day, 9), ends_at=at(day, 10),
                               state=Booking.State.NO_SHOW, created_at=at(day, 7))
    with pytest.raises(NotPermitted) as refused:
        book(world, world.table_tennis, at(DAY, 9), at(DAY, 10), now=now)
    assert refused.value.code == "no_show_ban"
    # The ban ends 30 days after the last no-show.
    later = DAY + datetime.timedelta(days=29)
    book(world, world.table_tennis, at(later, 9), at(later, 10), now=at(later, 7))


def test_a_manager_books_for_the_community_outside_the_window(world, now):
    far = DAY + datetime.timedelta(days=30)
    booking = bookings.book_facility(actor=world.manager, facility=world.badminton.facility, start=at(far, 9), end=at(far, 10),
                                     purpose="老年大学课程", now=now)
    assert booking.booker == world.manager and booking.state == Booking.State.CONFIRMED


@pytest.mark.parametrize(
    "bad",
    [
        {"purpose": "a\x00b"},
        {"headcount": 0},
        {"headcount": 10**9},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, now, bad):
    with pytest.raises(Invalid):
        book(world, world.table_tennis, at(DAY, 9), at(DAY, 10), now=now, **bad)
    assert Booking.objects.count() == 0


def test_a_date_beyond_the_calendar_is_refused(world, now):
    with pytest.raises(Invalid) as refused:
        book(world, world.table_tennis, at(datetime.date(3000, 1, 1), 9), at(datetime.date(3000, 1, 1), 10), now=now)
    assert refused.value.code == "out_of_range"
