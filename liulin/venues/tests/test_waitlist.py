"""The waiting list: a freed time is held for the first in line, who accepts it or lets it
lapse to the next; a no-show's slot goes to the one waiting for it."""

import datetime

import pytest

from liulin.core.errors import Conflict, Invalid
from liulin.core.notifications.models import Notification
from liulin.venues.models import Booking, WaitlistEntry
from liulin.venues.services import bookings, waitlist
from liulin.venues.tests.conftest import DAY
from liulin.venues.tests.factories import at, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(world, now):
    return bookings.book_facility(actor=world.resident, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)


def test_only_a_taken_time_is_waited_for_and_only_once(world, now, taken):
    second = make_resident(world.community)
    with pytest.raises(Invalid) as refused:
        waitlist.join_waitlist(actor=second, resource=world.badminton, start=at(DAY, 11), end=at(DAY, 12), now=now)
    assert refused.value.code == "slot_free"
    waitlist.join_waitlist(actor=second, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)
    with pytest.raises(Conflict):
        waitlist.join_waitlist(actor=second, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)


def test_a_cancelled_time_is_held_for_the_first_in_line_then_passes_on(world, now, taken):
    first, second = make_resident(world.community), make_resident(world.community)
    for person in (first, second):
        waitlist.join_waitlist(actor=person, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)
    cancel_at = at(DAY, 7)
    bookings.cancel(actor=world.resident, booking=taken, now=cancel_at)
    held = Booking.objects.get(booker=first)
    assert held.state == Booking.State.HELD and held.hold_until == cancel_at + datetime.timedelta(minutes=30)
    assert Notification.objects.filter(user=first, kind=waitlist.KIND_OFFER).count() == 1
    # Nobody else can take it meanwhile.
    with pytest.raises(Conflict):
        bookings.book_facility(actor=make_resident(world.community), resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10),
                               now=cancel_at)
    # The hold lapses (not a minute early) and passes to the second.
    assert waitlist.release_expired_holds(now=cancel_at + datetime.timedelta(minutes=29)) == 0
    assert waitlist.release_expired_holds(now=cancel_at + datetime.timedelta(minutes=30)) == 1
    assert Booking.objects.get(booker=first).state == Booking.State.CANCELLED
    offered = Booking.objects.get(booker=second)
    assert offered.state == Booking.State.HELD
    bookings.act(actor=second, booking=offered, action="accept_offer", now=cancel_at + datetime.timedelta(minutes=35))
    assert Booking.objects.get(pk=offered.pk).state == Booking.State.CONFIRMED
    assert set(WaitlistEntry.objects.values_list("state", flat=True)) == {"offered"}


def test_a_no_show_slot_goes_to_the_one_waiting_from_now_on(world, now, taken):
    waiting = make_resident(world.community)
    waitlist.join_waitlist(actor=waiting, resource=world.badminton, start=at(DAY, 9), end=at(DAY, 10), now=now)
    assert bookings.release_no_shows(now=at(DAY, 9, 15)) == 1
    held = Booking.objects.get(booker=waiting)
    assert held.state == Booking.State.HELD and held.starts_at == at(DAY, 9, 15)
    bookings.act(actor=waiting, booking=held, action="accept_offer", now=at(DAY, 9, 20))
    held.refresh_from_db()
    assert (held.state, held.starts_at) == (Booking.State.CONFIRMED, at(DAY, 9, 20))
    # Accepted late, he is not at once a no-show: his check-in window opens with his start.
    assert bookings.release_no_shows(now=at(DAY, 9, 25)) == 0
    bookings.check_in(actor=waiting, booking=held, now=at(DAY, 9, 30))
