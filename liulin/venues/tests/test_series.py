"""A team's weekly practice: every date previewed, a holiday shown and skipped, a clash
refusing the series until skipped, the series cancelled or moved from a date on."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.orgs.models import Membership as TeamMembership
from liulin.orgs.models import Organisation
from liulin.venues.models import Booking, BookingSeries, OpeningHours, WaitlistEntry
from liulin.venues.services import bookings, series, waitlist
from liulin.venues.tests.factories import at, make_resident, make_resource

pytestmark = pytest.mark.django_db

NOW = at(datetime.date(2026, 9, 1), 9)
FIRST, LAST = datetime.date(2026, 9, 17), datetime.date(2026, 10, 15)  # Thursdays; 10-01 is National Day
SEVEN, NINE = datetime.time(19), datetime.time(21)


@pytest.fixture
def dance(world):
    room = make_resource(world.community, "舞蹈室", max_days_ahead=14)
    OpeningHours.objects.filter(resource=room).update(closed_on_holidays=True)
    team = Organisation.objects.create(name="常青藤舞蹈队", kind="team", community=world.community)
    TeamMembership.objects.create(org=team, resident=world.resident.resident, name="队长", title="队长")
    return room, team


def test_the_preview_shows_each_date_and_the_holiday(world, dance):
    room, team = dance
    dates = series.preview_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE,
                                  first_day=FIRST, last_day=LAST, now=NOW)
    assert [o.day for o in dates] == [FIRST + datetime.timedelta(days=7 * i) for i in range(5)]
    assert [o.code for o in dates] == ["", "", "closed", "", ""]


def test_a_team_books_weekly_practice_skipping_the_holiday(world, dance):
    room, team = dance
    with pytest.raises(Conflict) as refused:
        series.book_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE, first_day=FIRST, last_day=LAST, now=NOW)
    assert refused.value.code == "series_conflicts" and "10-01" in refused.value.detail
    assert Booking.objects.count() == 0
    made = series.book_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE, first_day=FIRST, last_day=LAST,
                              skip=[datetime.date(2026, 10, 1)], purpose="排练", now=NOW)
    days = sorted(b.starts_at.astimezone(at(FIRST, 0).tzinfo).date() for b in made.bookings.all())
    assert days == [datetime.date(2026, 9, 17), datetime.date(2026, 9, 24), datetime.date(2026, 10, 8), datetime.date(2026, 10, 15)]
    assert made.skipped == ["2026-10-01"]
    assert set(made.bookings.values_list("state", flat=True)) == {"confirmed"}


def test_a_clash_must_be_skipped_too(world, dance):
    room, team = dance
    bookings.book_facility(actor=world.manager, resource=room, start=at(datetime.date(2026, 9, 24), 20),
                           end=at(datetime.date(2026, 9, 24), 21), purpose="党课", now=NOW)
    with pytest.raises(Conflict) as refused:
        series.book_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE, first_day=FIRST, last_day=LAST,
                           skip=[datetime.date(2026, 10, 1)], now=NOW)
    assert "09-24" in refused.value.detail
    made = series.book_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE, first_day=FIRST, last_day=LAST,
                              skip=[datetime.date(2026, 10, 1), datetime.date(2026, 9, 24)], now=NOW)
    assert made.bookings.count() == 3


def test_only_members_of_the_team_book_for_it(world, dance):
    room, team = dance
    with pytest.raises(NotPermitted) as refused:
        series.book_series(actor=make_resident(world.community), resource=room, team=team, starts=SEVEN, ends=NINE,
                           first_day=FIRST, last_day=FIRST, now=NOW)
    assert refused.value.code == "not_team_member"


def test_the_series_is_cancelled_or_moved_from_a_date_on(world, dance):
    room, team = dance
    made = series.book_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE, first_day=FIRST, last_day=LAST,
                              skip=[datetime.date(2026, 10, 1)], now=NOW)
    moved = series.change_series_from(actor=world.resident, series=made, from_day=datetime.date(2026, 10, 2),
                                      starts=datetime.time(18), ends=datetime.time(20), now=NOW)
    assert BookingSeries.objects.get(pk=made.pk).last_day == datetime.date(2026, 10, 1)
    assert list(made.bookings.filter(state="confirmed").values_list("starts_at", flat=True)) == [
        at(datetime.date(2026, 9, 17), 19), at(datetime.date(2026, 9, 24), 19)]
    assert list(moved.bookings.values_list("starts_at", flat=True)) == [at(datetime.date(2026, 10, 8), 18), at(datetime.date(2026, 10, 15), 18)]
    assert series.cancel_series_from(actor=world.resident, series=moved, from_day=datetime.date(2026, 10, 15), now=NOW) == 1
    assert moved.bookings.filter(state="confirmed").count() == 1


def test_the_series_page_previews_then_books_skipping_the_ticked_dates(world, dance):
    import time_machine
    from django.test import Client
    from django.urls import reverse

    room, team = dance
    client = Client()
    client.force_login(world.resident)
    url = reverse("venues:series", args=[room.pk])
    form = {"team": team.pk, "starts": "19:00", "ends": "21:00", "first_day": FIRST.isoformat(), "last_day": LAST.isoformat()}
    with time_machine.travel(NOW, tick=False):
        assert client.get(url).status_code == 200
        html = client.post(url, form).content.decode()
        assert 'data-testid="date-2026-10-01"' in html and 'value="2026-10-01" checked' in html
        response = client.post(url, {**form, "skip": ["2026-10-01"], "confirm": "1"})
    assert response.status_code == 302
    assert Booking.objects.filter(series__isnull=False).count() == 4
    other = Client()
    other.force_login(make_resident(world.community))
    with time_machine.travel(NOW, tick=False):
        refused = other.post(url, form)
    assert refused.status_code == 400 and Booking.objects.count() == 4


def test_the_series_api(world, dance):
    import json

    import time_machine
    from django.test import Client

    room, team = dance
    client = Client()
    client.force_login(world.resident)
    body = {"resource_id": room.pk, "team_id": team.pk, "starts": "19:00", "ends": "21:00", "first_day": FIRST.isoformat(),
            "last_day": LAST.isoformat()}
    with time_machine.travel(NOW, tick=False):
        preview = client.post("/api/v1/venues/series/preview", json.dumps(body), content_type="application/json").json()
        assert [o["code"] for o in preview] == ["", "", "closed", "", ""]
        refused = client.post("/api/v1/venues/series", json.dumps(body), content_type="application/json")
        assert refused.status_code == 409 and refused.json()["code"] == "series_conflicts"
        made = client.post("/api/v1/venues/series", json.dumps({**body, "skip": ["2026-10-01"]}), content_type="application/json")
    assert made.status_code == 201 and len(made.json()["booking_ids"]) == 4


def test_a_team_blocked_on_a_weekday_sees_it_in_the_preview_and_cannot_book_it(world, dance):
    from liulin.venues.models import TeamBlock

    room, team = dance
    # Thursdays 20:00-22:00 closed to this team (librebooking#366: groups blocked on given times).
    TeamBlock.objects.create(resource=room, team=team, weekday=3, starts=datetime.time(20), ends=datetime.time(22), reason="合唱团专用")
    dates = series.preview_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE, first_day=FIRST,
                                  last_day=FIRST, now=NOW)
    assert [o.code for o in dates] == ["team_blocked"]
    with pytest.raises(NotPermitted) as refused:
        bookings.book_facility(actor=world.resident, resource=room, team=team, start=at(datetime.date(2026, 9, 10), 19),
                               end=at(datetime.date(2026, 9, 10), 20, 30), now=NOW)
    assert refused.value.code == "team_blocked"
    # Touching the block is fine; another team is not blocked.
    bookings.book_facility(actor=world.resident, resource=room, team=team, start=at(datetime.date(2026, 9, 10), 19),
                           end=at(datetime.date(2026, 9, 10), 20), now=NOW)


def test_hours_a_week_per_team(world, dance):
    room, team = dance
    room.max_team_hours_per_week = 3
    room.save()
    other = make_resident(world.community)
    TeamMembership.objects.create(org=team, resident=other.resident, name="队员", title="队员")
    day = datetime.date(2026, 9, 8)
    bookings.book_facility(actor=world.resident, resource=room, team=team, start=at(day, 9), end=at(day, 11), now=NOW)
    with pytest.raises(NotPermitted) as refused:  # the team's hours count whoever books them
        bookings.book_facility(actor=other, resource=room, team=team, start=at(day, 14), end=at(day, 16), now=NOW)
    assert refused.value.code == "quota_team"
    bookings.book_facility(actor=other, resource=room, team=team, start=at(day, 14), end=at(day, 15), now=NOW)


def test_only_a_member_books_in_a_teams_name(world, dance):
    room, team = dance
    day = datetime.date(2026, 9, 8)
    with pytest.raises(NotPermitted) as refused:
        bookings.book_facility(actor=make_resident(world.community), resource=room, team=team, start=at(day, 9), end=at(day, 10), now=NOW)
    assert refused.value.code == "not_team_member"


def test_a_team_waits_for_the_taken_dates_and_a_freed_one_is_held_for_the_team(world, dance):
    room, team = dance
    other = bookings.book_facility(actor=world.manager, resource=room, start=at(datetime.date(2026, 9, 24), 20),
                                   end=at(datetime.date(2026, 9, 24), 21), purpose="党课", now=NOW)
    with pytest.raises(Invalid) as free:  # nothing taken on the first date alone: book it instead
        waitlist.join_waitlist_for_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE,
                                          first_day=FIRST, last_day=FIRST, now=NOW)
    assert free.value.code == "slot_free"
    entries = waitlist.join_waitlist_for_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE,
                                                first_day=FIRST, last_day=LAST, now=NOW)
    # Only the taken Thursday is waited for: not the free ones, not the holiday.
    assert [(e.starts_at, e.team_id) for e in entries] == [(at(datetime.date(2026, 9, 24), 19), team.pk)]
    again = waitlist.join_waitlist_for_series(actor=world.resident, resource=room, team=team, starts=SEVEN, ends=NINE,
                                              first_day=FIRST, last_day=LAST, now=NOW)
    assert [e.pk for e in again] == [entries[0].pk]  # asking twice waits once
    bookings.act(actor=world.manager, booking=other, action="cancel", reason="改期", now=NOW)
    held = Booking.objects.get(state="held", resource=room)
    assert (held.team_id, held.booker_id, held.starts_at) == (team.pk, world.resident.pk, at(datetime.date(2026, 9, 24), 19))


def test_the_series_waitlist_by_api(world, dance, client):
    room, team = dance
    bookings.book_facility(actor=world.manager, resource=room, start=at(datetime.date(2026, 9, 24), 20),
                           end=at(datetime.date(2026, 9, 24), 21), purpose="党课", now=NOW)
    client.force_login(world.resident)
    body = {"resource_id": room.pk, "team_id": team.pk, "starts": "19:00", "ends": "21:00",
            "first_day": "2026-09-17", "last_day": "2026-10-15"}
    with time_machine.travel(NOW, tick=False):
        made = client.post("/api/v1/venues/waitlist/series", body, content_type="application/json")
        assert made.status_code == 201 and [e["team_id"] for e in made.json()] == [team.pk]
        stranger = client.post("/api/v1/venues/waitlist/series", {**body, "team_id": 999999}, content_type="application/json")
        assert stranger.status_code == 400 and stranger.json()["code"] == "unknown_team"
        # On the page: the preview offers to wait for the taken date, and waiting is one button.
        form = {"team": team.pk, "starts": "19:00", "ends": "21:00", "first_day": "2026-10-08", "last_day": "2026-10-15"}
        page = client.post(reverse("venues:series", args=[room.pk]), form).content.decode()
        assert 'data-testid="wait-series"' not in page  # nothing taken on these dates
        other = {**form, "first_day": "2026-09-17", "last_day": "2026-10-15"}
        assert 'data-testid="wait-series"' in client.post(reverse("venues:series", args=[room.pk]), other).content.decode()
        WaitlistEntry.objects.all().delete()
        assert client.post(reverse("venues:series", args=[room.pk]), {**other, "wait": "1"}).status_code == 302
        assert WaitlistEntry.objects.filter(team=team, state="waiting").count() == 1
