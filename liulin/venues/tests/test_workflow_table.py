"""Every edge of the booking and membership tables, allowed and refused, for every role
(core.testing.workflow): not visible → NotFound; visible but not the role's → NotPermitted;
not from this state → IllegalTransition; else the table's target and exactly one event."""

import datetime
import itertools

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import chain
from liulin.core.errors import NotFound, NotPermitted
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import CommunityFactory, GridFactory
from liulin.venues.models import HOLDING_STATES, Booking, BookingEvent, Membership, MembershipEvent, Occupancy
from liulin.venues.services import bookings, gym
from liulin.venues.tests.factories import World, at, make_manager
from liulin.venues.workflow import BOOKING_WORKFLOW, MEMBERSHIP_WORKFLOW

DAY = datetime.date(2026, 12, 9)
VIEWERS = {Role.VENUE_MANAGER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.RESIDENT}
_hours = itertools.count()


@pytest.fixture
def world(db):
    return World(CommunityFactory())


def actor_for(world, role, owner):
    if role == Role.RESIDENT:
        return owner
    if role in GRID_ROLES:
        return make_user(role, GridFactory(community=world.community))
    if role in ORG_ROLES:
        return make_user(role, OrganisationFactory(community=world.community))
    return make_user(role, world.community)


def booking_in(world, state):
    """A booking of the resident put straight into `state`, holding its time where the state does."""
    day = DAY + datetime.timedelta(days=next(_hours))
    booking = Booking.objects.create(
        resource=world.table_tennis, booker=world.resident, starts_at=at(day, 9), ends_at=at(day, 10), state=state,
        created_at=at(day, 6), checked_in_at=at(day, 9) if state == Booking.State.CHECKED_IN else None,
        hold_until=at(day, 8) if state == Booking.State.HELD else None,
    )
    if state in HOLDING_STATES:
        Occupancy.objects.create(booking=booking, resource=world.table_tennis, starts_at=booking.starts_at, ends_at=booking.ends_at)
    chain.append(BookingEvent, booking, actor=None, action="book")
    return booking


@pytest.mark.parametrize(("action", "role"), workflow_cases(BOOKING_WORKFLOW, list(Role)))
def test_every_booking_edge(world, action, role):
    def attempt(user, booking, action):
        late = action == "mark_no_show"
        now = booking.starts_at + datetime.timedelta(minutes=15 if late else 0)
        bookings.act(actor=user, booking=booking, action=action, reason="理由", now=now)

    def done(booking, user, state, target):
        holds = Occupancy.objects.filter(booking=booking).exists()
        assert holds == (target in HOLDING_STATES)
        assert chain.verify(BookingEvent, booking) is None

    check_every_state(
        BOOKING_WORKFLOW, action, role, states=list(Booking.State),
        build=lambda state: booking_in(world, state),
        actor_for=lambda role, booking: actor_for(world, role, booking.booker),
        attempt=attempt,
        state_of=lambda booking: Booking.objects.get(pk=booking.pk).state,
        events_of=lambda booking: BookingEvent.objects.filter(booking=booking).count(),
        visible=lambda role, state: role in VIEWERS,
        done=done,
    )


_periods = itertools.count()


def membership_in(world, state):
    start = datetime.date(2027, 1, 1) + datetime.timedelta(days=40 * next(_periods))
    membership = Membership.objects.create(
        plan=world.plan, resource=world.gym, member=world.resident, starts_on=start, ends_on=start + datetime.timedelta(days=31),
        state=state, price_fen=2500, created_at=at(DAY, 9),
        receipt_no="" if state == Membership.State.AWAITING_PAYMENT else f"R{start:%Y%m%d}",
        paused_until=start + datetime.timedelta(days=7) if state == Membership.State.PAUSED else None,
    )
    chain.append(MembershipEvent, membership, actor=None, action="join")
    return membership


@pytest.mark.parametrize(("action", "role"), workflow_cases(MEMBERSHIP_WORKFLOW, list(Role)))
def test_every_membership_edge(world, action, role):
    def attempt(user, membership, action):
        # Late enough for `expire`; within the period for `pause`.
        now = at(membership.starts_on if action == "pause" else membership.ends_on, 9)
        gym.act(actor=user, membership=membership, action=action, receipt_no=f"C{membership.pk}", reason="理由", days=7, now=now)

    check_every_state(
        MEMBERSHIP_WORKFLOW, action, role, states=list(Membership.State),
        build=lambda state: membership_in(world, state),
        actor_for=lambda role, membership: actor_for(world, role, membership.member),
        attempt=attempt,
        state_of=lambda membership: Membership.objects.get(pk=membership.pk).state,
        events_of=lambda membership: MembershipEvent.objects.filter(membership=membership).count(),
        visible=lambda role, state: role in VIEWERS,
    )


def test_a_manager_elsewhere_does_not_even_see_the_booking(world):
    booking = booking_in(world, Booking.State.REQUESTED)
    with pytest.raises(NotFound):
        bookings.approve(actor=make_manager(CommunityFactory()), booking=booking)
    with pytest.raises(NotFound):  # nor does another resident
        bookings.cancel(actor=make_user(Role.RESIDENT), booking=booking)
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.REQUESTED


def test_nobody_approves_his_own_booking(world):
    now = at(DAY, 6)
    booking = bookings.book_facility(actor=world.manager, resource=world.hall, start=at(DAY, 14), end=at(DAY, 16),
                                     purpose="党课", headcount=200, safety_plan="安全员两名", now=now)
    with pytest.raises(NotPermitted) as refused:
        bookings.approve(actor=world.manager, booking=booking, now=now)
    assert refused.value.code == "own_booking"
    bookings.approve(actor=make_manager(world.community, Role.COMMUNITY_SECRETARY), booking=booking, now=now)
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.CONFIRMED


def test_check_in_only_within_fifteen_minutes_of_the_start(world):
    from liulin.core.errors import Invalid

    booking = booking_in(world, Booking.State.CONFIRMED)
    for minutes in (-16, 16):
        with pytest.raises(Invalid):
            bookings.check_in(actor=world.resident, booking=booking, now=booking.starts_at + datetime.timedelta(minutes=minutes))
    bookings.check_in(actor=world.resident, booking=booking, now=booking.starts_at - datetime.timedelta(minutes=15))
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.CHECKED_IN


def test_cash_at_the_counter_is_not_confirmed_by_the_member_himself(world):
    staff_member = make_manager(world.community)
    from liulin.people.tests.factories import ResidentFactory
    from liulin.territory.tests.factories import BuildingFactory, HouseholdFactory

    staff_member.resident = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=GridFactory(community=world.community))))
    staff_member.save()
    membership = gym.join_gym(actor=staff_member, plan=world.plan, now=at(DAY, 9))
    with pytest.raises(NotPermitted) as refused:
        gym.confirm_payment(actor=staff_member, membership=membership, receipt_no="R1", now=at(DAY, 9))
    assert refused.value.code == "own_membership"
