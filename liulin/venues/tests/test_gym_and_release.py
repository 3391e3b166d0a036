"""The smart gym (renewals, entry, capacity, expiry) and the release of no-shows, on the clock."""

import datetime

import pytest
import time_machine

from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.venues.models import Booking, BookingEvent, Membership, Occupancy
from liulin.venues.services import bookings, gym
from liulin.venues.tests.conftest import DAY
from liulin.venues.tests.factories import at, make_resident

pytestmark = pytest.mark.django_db


def paid(world, member=None, *, now, receipt):
    membership = gym.join_gym(actor=member or world.resident, plan=world.plan, now=now)
    return gym.confirm_payment(actor=world.manager, membership=membership, receipt_no=receipt, now=now)


def test_a_month_costs_2500_fen_and_runs_a_calendar_month(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=at(datetime.date(2027, 1, 31), 9))
    assert (membership.price_fen, membership.starts_on, membership.ends_on) == (2500, datetime.date(2027, 1, 31), datetime.date(2027, 2, 28))
    assert membership.state == Membership.State.AWAITING_PAYMENT


def test_early_renewal_loses_nothing(world):
    first = paid(world, now=at(DAY, 9), receipt="R1")
    second = paid(world, now=at(DAY + datetime.timedelta(days=10), 9), receipt="R2")
    assert second.starts_on == first.ends_on
    assert second.ends_on == datetime.date(2027, 2, 9)


def test_late_renewal_starts_today_and_restores_access(world):
    first = paid(world, now=at(DAY, 9), receipt="R1")
    later = DAY + datetime.timedelta(days=45)
    assert gym.expire_memberships(now=at(later, 0, 5)) == 1
    assert Membership.objects.get(pk=first.pk).state == Membership.State.EXPIRED
    with pytest.raises(NotPermitted) as refused:
        gym.enter_gym(actor=world.resident, resource=world.gym, now=at(later, 9))
    assert refused.value.code == "no_membership"
    second = paid(world, now=at(later, 9), receipt="R2")
    assert second.starts_on == later
    gym.enter_gym(actor=world.resident, resource=world.gym, now=at(later, 9, 5))


def test_entry_needs_a_paid_period_covering_today(world):
    membership = gym.join_gym(actor=world.resident, plan=world.plan, now=at(DAY, 9))
    with pytest.raises(NotPermitted):  # awaiting payment
        gym.enter_gym(actor=world.resident, resource=world.gym, now=at(DAY, 9))
    gym.confirm_payment(actor=world.manager, membership=membership, receipt_no="R1", now=at(DAY, 9))
    gym.enter_gym(actor=world.resident, resource=world.gym, now=at(DAY, 9))
    with pytest.raises(Conflict) as refused:
        gym.enter_gym(actor=world.resident, resource=world.gym, now=at(DAY, 9, 1))
    assert refused.value.code == "already_inside"
    gym.leave_gym(actor=world.resident, resource=world.gym, now=at(DAY, 10))
    assert gym.occupancy(world.gym) == 0
    with pytest.raises(NotPermitted):  # the last day is the one before ends_on
        gym.enter_gym(actor=world.resident, resource=world.gym, now=at(membership.ends_on, 9))


def test_the_cap_on_members_inside_at_once(world):
    people = [world.resident, make_resident(world.community), make_resident(world.community)]
    for number, person in enumerate(people):
        paid(world, person, now=at(DAY, 8), receipt=f"R{number}")
    gym.enter_gym(actor=world.manager, member=people[0], resource=world.gym, now=at(DAY, 9))
    gym.enter_gym(actor=world.manager, member=people[1], resource=world.gym, now=at(DAY, 9))
    with pytest.raises(Conflict) as refused:  # hourly_capacity 2
        gym.enter_gym(actor=people[2], resource=world.gym, now=at(DAY, 9))
    assert refused.value.code == "gym_full"
    gym.leave_gym(actor=people[0], resource=world.gym, now=at(DAY, 10))
    gym.enter_gym(actor=people[2], resource=world.gym, now=at(DAY, 10))
    assert gym.occupancy(world.gym) == 2


def test_a_receipt_number_is_recorded_once(world):
    paid(world, now=at(DAY, 9), receipt="R1")
    other = gym.join_gym(actor=make_resident(world.community), plan=world.plan, now=at(DAY, 9))
    with pytest.raises(Conflict) as refused:
        gym.confirm_payment(actor=world.manager, membership=other, receipt_no="R1", now=at(DAY, 9))
    assert refused.value.code == "duplicate_receipt"


def test_a_resident_joins_only_for_himself(world):
    with pytest.raises(NotPermitted):
        gym.join_gym(actor=world.resident, plan=world.plan, member=make_resident(world.community), now=at(DAY, 9))


def test_a_no_show_is_released_fifteen_minutes_after_the_start_and_remembered(world, now):
    booking = bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)
    with time_machine.travel(at(DAY, 9, 14) + datetime.timedelta(seconds=59), tick=False):
        assert bookings.release_no_shows() == 0
    with time_machine.travel(at(DAY, 9, 15), tick=False):
        assert bookings.release_no_shows() == 1
    booking.refresh_from_db()
    assert booking.state == Booking.State.NO_SHOW  # remembered, not deleted
    assert not Occupancy.objects.filter(booking=booking).exists()
    assert BookingEvent.objects.filter(booking=booking, action="mark_no_show", actor=None).count() == 1
    # The slot is free again for the next person.
    with time_machine.travel(at(DAY, 9, 16), tick=False):
        again = bookings.book_facility(actor=make_resident(world.community), resource=world.badminton,
                                       start=at(DAY, 9, 30), end=at(DAY, 10))
    assert again.state == Booking.State.CONFIRMED


def test_a_room_kept_for_a_service_is_not_released(world, now):
    """The counselling room is not lent out: its bookings are the service's, with no door check-in."""
    world.badminton.bookable = False
    world.badminton.save(update_fields=["bookable"])
    booking = bookings.book_facility(actor=None, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now,
                                     booker=world.resident, purpose="已预约", for_service=True)
    assert bookings.release_no_shows(now=at(DAY, 9, 30)) == 0
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


def test_a_checked_in_booking_is_not_released(world, now):
    booking = bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)
    bookings.check_in(actor=world.resident, booking=booking, now=at(DAY, 9, 5))
    assert bookings.release_no_shows(now=at(DAY, 9, 30)) == 0
    assert Occupancy.objects.filter(booking=booking).exists()


def test_a_pause_refuses_entry_and_moves_the_end_and_the_next_period(world):
    first = paid(world, now=at(DAY, 9), receipt="R1")
    second = paid(world, now=at(DAY, 9), receipt="R2")  # renewed early: starts where the first ends
    old_first_end, old_second = first.ends_on, (second.starts_on, second.ends_on)
    with pytest.raises(Invalid) as refused:
        gym.pause(actor=world.resident, membership=first, days=6, now=at(DAY, 10))
    assert refused.value.code == "pause_days"  # 7 to 30 days
    gym.pause(actor=world.resident, membership=first, days=10, now=at(DAY, 10))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Membership.State.PAUSED and first.ends_on == old_first_end + datetime.timedelta(days=10)
    assert (second.starts_on, second.ends_on) == tuple(d + datetime.timedelta(days=10) for d in old_second)
    with pytest.raises(NotPermitted):
        gym.enter_gym(actor=world.resident, resource=world.gym, now=at(DAY + datetime.timedelta(days=1), 9))
    # Back after 4 days: the 6 unused come off the end (and the next period) again.
    gym.resume(actor=world.resident, membership=first, now=at(DAY + datetime.timedelta(days=4), 9))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Membership.State.ACTIVE and first.ends_on == old_first_end + datetime.timedelta(days=4)
    assert second.starts_on == first.ends_on
    gym.enter_gym(actor=world.resident, resource=world.gym, now=at(DAY + datetime.timedelta(days=4), 9, 5))


def test_a_pause_resumes_by_itself_and_the_yearly_limit_holds(world):
    first = paid(world, now=at(DAY, 9), receipt="R1")
    world.plan.pause_days_per_year = 14
    world.plan.save()
    gym.pause(actor=world.resident, membership=first, days=10, now=at(DAY, 10))
    gym.expire_memberships(now=at(DAY + datetime.timedelta(days=10), 0, 1))
    first.refresh_from_db()
    assert first.state == Membership.State.ACTIVE and first.paused_until is None
    with pytest.raises(Invalid) as refused:
        gym.pause(actor=world.resident, membership=first, days=7, now=at(DAY + datetime.timedelta(days=11), 10))
    assert refused.value.code == "pause_limit"
