"""Booking for an elder who has no account (docs/proxies.md, docs/venues.md): her grid worker
or a family member holding her consent for "venues" books in her name (`for_resident`), holds
the booking (checks in, cancels) and the consent's record shows the act; her residency, her
quota and her no-shows are hers, never mixed with the proxy's own."""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.core.testing.concurrency import run_at_once, threads_database
from liulin.people import proxies, proxy_services
from liulin.people.models import ProxyEvent
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory
from liulin.venues import rules
from liulin.venues.models import Booking, NoShowPolicy
from liulin.venues.services import bookings
from liulin.venues.tests.factories import World, at, make_resident

DAY = datetime.date(2026, 12, 9)  # a Wednesday, no holiday
NOW = at(DAY, 6, 30)
JSON = "application/json"


class Elders:
    """A community's venues; an elder without an account in it, her grid worker (no venues
    role) and her daughter (a resident of the community with an account), both with her
    consent for venues; community staff who recorded it."""

    def __init__(self, community):
        self.world = World(community)
        self.grid = GridFactory(community=community)
        self.elder = ResidentFactory(name="孙奶奶", household=HouseholdFactory(building=BuildingFactory(grid=self.grid)))
        self.staff = make_user(Role.COMMUNITY_STAFF, community)
        self.worker = make_user(Role.GRID_WORKER, self.grid, name="网格员小周")
        self.daughter = make_resident(community, name="孙女儿")
        self.worker_consent = self.grant(self.worker, relation="grid_worker")
        self.daughter_consent = self.grant(self.daughter)

    def grant(self, proxy_user, *, elder=None, relation="child", services=("venues",), actor=None):
        return proxy_services.grant(actor=actor or self.staff, elder=elder or self.elder, proxy_user=proxy_user, relation=relation,
                                    services=list(services), valid_until=DAY + datetime.timedelta(days=60),
                                    consent_proof="授权书 2026-118")

    def book(self, actor, hour, *, resource=None, **kw):
        kw.setdefault("for_resident", self.elder)
        return bookings.book_facility(actor=actor, resource=resource or self.world.table_tennis, start=at(DAY, hour),
                                      end=at(DAY, hour + 1), now=NOW, **kw)


@pytest.fixture
def clock_at_dawn():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fam(community, clock_at_dawn):
    return Elders(community)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_grid_worker_books_for_an_elder_without_an_account(fam):
    told = Notification.objects.count()  # the grants told the proxies
    booking = fam.book(fam.worker, 9)
    assert (booking.booker, booking.for_resident, booking.state) == (fam.worker, fam.elder, Booking.State.CONFIRMED)
    event = booking.events.get(action="book")
    assert (event.actor, event.actor_role, event.data["for_resident"]) == (fam.worker, "proxy", fam.elder.pk)
    act = ProxyEvent.objects.get(proxy=fam.worker_consent, action="act")
    assert (act.actor, act.service, act.target_type, act.target_id) == (fam.worker, "venues", "venues.booking", str(booking.pk))
    assert act.data["what"] == "预约场地"
    # She has no account: nobody to tell, and nothing fails for it.
    assert Notification.objects.count() == told
    # The booker holds it: he cancels it, though he holds no venues role.
    bookings.cancel(actor=fam.worker, booking=booking, now=NOW)
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED
    assert booking.events.get(action="cancel").actor_role == "proxy"


def test_the_holder_checks_in_at_the_door(fam):
    booking = fam.book(fam.worker, 9)
    bookings.check_in(actor=fam.worker, booking=booking, now=at(DAY, 8, 50))
    booking.refresh_from_db()
    assert booking.state == Booking.State.CHECKED_IN
    # Approving is a manager's, not the holder's.
    hall = fam.book(fam.worker, 14, resource=fam.world.hall, purpose="合唱排练", headcount=20, safety_plan="专人值守")
    with pytest.raises((NotPermitted, NotFound)):
        bookings.approve(actor=fam.worker, booking=hall, now=NOW)


def test_without_a_consent_or_outside_its_scope_or_community_it_is_refused(fam):
    stranger = make_resident(fam.world.community)
    with pytest.raises(NotPermitted) as refused:
        fam.book(stranger, 9)
    assert refused.value.code == "proxy_none"
    canteen_only = make_resident(fam.world.community)
    fam.grant(canteen_only, services=("canteen",))
    with pytest.raises(NotPermitted) as refused:
        fam.book(canteen_only, 9)
    assert refused.value.code == "proxy_out_of_scope"
    # An elder of another community does not book this community's rooms through her proxy.
    other = CommunityFactory()
    elsewhere = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=GridFactory(community=other))))
    fam.grant(fam.daughter, elder=elsewhere, actor=make_user(Role.COMMUNITY_STAFF, other))
    with pytest.raises(NotPermitted) as refused:
        fam.book(fam.daughter, 9, for_resident=elsewhere)
    assert refused.value.code == "other_community"
    # A proxy names the elder, not another booker as well.
    with pytest.raises(Invalid) as refused:
        fam.book(fam.daughter, 9, booker=make_resident(fam.world.community))
    assert refused.value.code == "booker_and_resident"
    assert not Booking.objects.exists()


def test_an_elder_with_an_account_is_booked_for_under_it(fam):
    elder = make_resident(fam.world.community, name="有账号的奶奶")
    fam.grant(fam.daughter, elder=elder.resident)
    told = Notification.objects.filter(user=elder, kind=proxies.KIND).count()
    booking = fam.book(fam.daughter, 9, for_resident=elder.resident)
    assert (booking.booker, booking.for_resident) == (elder, None)
    assert booking.events.get(action="book").actor == fam.daughter
    assert Notification.objects.filter(user=elder, kind=proxies.KIND).count() == told + 1  # she is told


def test_the_quota_is_the_elders_and_the_proxys_own_is_his(fam):
    fam.world.table_tennis.max_bookings_per_day = 1
    fam.world.table_tennis.save()
    fam.book(fam.daughter, 9)
    # Her booking for her mother is not hers: she still books once for herself.
    own = fam.book(fam.daughter, 10, for_resident=None)
    assert (own.booker, own.for_resident) == (fam.daughter, None)
    # The mother's day is full, whichever of her proxies asks.
    for proxy in (fam.daughter, fam.worker):
        with pytest.raises(NotPermitted) as refused:
            fam.book(proxy, 11)
        assert refused.value.code == "quota_day"
    # And the daughter's own day is full too, though she booked once for her mother first.
    with pytest.raises(NotPermitted) as refused:
        fam.book(fam.daughter, 12, for_resident=None)
    assert refused.value.code == "quota_day"
    assert Booking.objects.count() == 2


def test_the_elders_quota_follows_her_into_the_account_she_makes_later(fam):
    fam.world.table_tennis.max_bookings_per_day = 1
    fam.world.table_tennis.save()
    fam.book(fam.worker, 9)
    account = make_user(Role.RESIDENT, resident=fam.elder, name="孙奶奶")
    with pytest.raises(NotPermitted) as refused:
        bookings.book_facility(actor=account, resource=fam.world.table_tennis, start=at(DAY, 10), end=at(DAY, 11), now=NOW)
    assert refused.value.code == "quota_day"


def test_no_shows_ban_the_elder_not_her_proxy(fam):
    NoShowPolicy.objects.create(community=fam.world.community, count=1, within_days=30, ban_days=30)
    booking = fam.book(fam.daughter, 9, resource=fam.world.badminton)
    bookings.release_no_shows(now=at(DAY, 9, 20))
    booking.refresh_from_db()
    assert booking.state == Booking.State.NO_SHOW
    later = at(DAY, 9, 30)
    assert rules.no_show_ban_until(rules.Person.of(resident=fam.elder), fam.world.community, now=later) is not None
    assert rules.no_show_ban_until(rules.Person.of(user=fam.daughter), fam.world.community, now=later) is None
    with pytest.raises(NotPermitted) as refused:
        bookings.book_facility(actor=fam.worker, for_resident=fam.elder, resource=fam.world.table_tennis,
                               start=at(DAY, 12), end=at(DAY, 13), now=later)
    assert refused.value.code == "no_show_ban"
    bookings.book_facility(actor=fam.daughter, resource=fam.world.table_tennis, start=at(DAY, 12), end=at(DAY, 13), now=later)


def test_the_page_form_offers_the_elder_and_shows_for_whom(fam):
    client = logged_in(fam.worker)
    grid = client.get(reverse("venues:day", args=[fam.world.table_tennis.pk]), {"day": DAY.isoformat()})
    assert grid.status_code == 200 and 'data-testid="slot-0900"' in grid.content.decode()
    form = client.get(reverse("venues:book", args=[fam.world.table_tennis.pk]), {"start": at(DAY, 9).isoformat()})
    html = form.content.decode()
    assert form.status_code == 200 and f'value="r{fam.elder.pk}"' in html and "孙奶奶" in html
    response = client.post(reverse("venues:book", args=[fam.world.table_tennis.pk]),
                           {"start": at(DAY, 9).isoformat(), "slots": 1, "for_whom": f"r{fam.elder.pk}"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == reverse("venues:booking", args=[booking.pk])
    assert (booking.booker, booking.for_resident) == (fam.worker, fam.elder)
    page = client.get(response.url).content.decode()
    assert 'data-testid="booked-for"' in page and '<span translate="no">孙奶奶</span>' in page
    assert 'data-testid="act-cancel"' in page and 'data-testid="act-check_in"' in page
    # Staff of the community see for whom it was booked; the booking is the worker's on his list.
    assert '<span translate="no">孙奶奶</span>' in logged_in(fam.world.manager).get(response.url).content.decode()
    assert "孙奶奶" in client.get(reverse("venues:index")).content.decode()
    cancelled = client.post(reverse("venues:booking_act", args=[booking.pk, "cancel"]))
    assert cancelled.status_code == 302
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED


def test_the_page_form_keeps_booking_under_an_elders_account(fam):
    elder = make_resident(fam.world.community, name="有账号的奶奶")
    fam.grant(fam.daughter, elder=elder.resident)
    client = logged_in(fam.daughter)
    response = client.post(reverse("venues:book", args=[fam.world.table_tennis.pk]),
                           {"start": at(DAY, 9).isoformat(), "slots": 1, "for_whom": f"u{elder.pk}"})
    assert response.status_code == 302 and response.url == reverse("people:proxies")
    booking = Booking.objects.get()
    assert (booking.booker, booking.for_resident) == (elder, None)


def test_the_api_books_for_the_elder(fam):
    client = logged_in(fam.worker)
    body = {"resource_id": fam.world.table_tennis.pk, "start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat(),
            "for_resident_id": fam.elder.pk}
    created = client.post("/api/v1/venues/bookings", json.dumps(body), content_type=JSON)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["for_resident"], data["mine"]) == (fam.elder.pk, True)
    assert client.get(f"/api/v1/venues/bookings/{data['id']}").json()["for_resident"] == fam.elder.pk
    own = logged_in(fam.daughter).post("/api/v1/venues/bookings", json.dumps({**body, "for_resident_id": None,
                                                                              "start": at(DAY, 11).isoformat(),
                                                                              "end": at(DAY, 12).isoformat()}), content_type=JSON)
    assert own.status_code == 201 and own.json()["for_resident"] is None
    stranger = logged_in(make_resident(fam.world.community))
    for resident_id in (fam.elder.pk, 10**9):  # no consent, or nobody: the same refusal
        refused = stranger.post("/api/v1/venues/bookings", json.dumps({**body, "for_resident_id": resident_id,
                                                                       "start": at(DAY, 13).isoformat(),
                                                                       "end": at(DAY, 14).isoformat()}), content_type=JSON)
        assert refused.status_code == 403
        assert refused.json() == {"detail": "您没有该居民的代办授权。", "code": "proxy_none"}
    assert Booking.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_her_proxies_at_once_never_pass_her_quota(community, tmp_path):
    with time_machine.travel(NOW, tick=False):
        fam = Elders(community)
        fam.world.table_tennis.max_bookings_per_day = 1
        fam.world.table_tennis.save()
        before = threads_database(tmp_path)

        def attempt(proxy, hour):
            def run():
                try:
                    fam.book(proxy, hour)
                    return "booked"
                except NotPermitted as error:
                    return error.code

            return run

        proxies_ = [fam.worker, fam.daughter] * 3
        results, errors = run_at_once([attempt(p, 9 + i) for i, p in enumerate(proxies_)], before=before, timeout=120)
        assert errors == []
        assert results.count("booked") == 1 and results.count("quota_day") == 5, results
        [count], errors = run_at_once([lambda: Booking.objects.filter(for_resident=fam.elder).count()], before=before)
        assert errors == [] and count == 1
