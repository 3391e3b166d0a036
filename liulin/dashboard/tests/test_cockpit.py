"""数据驾驶舱: every app's tile, each figure recounted here from the rows themselves (in
Python, not through the tile's query), for a community secretary whose scope is the whole
demo community; a grid worker's page counts his grid only; the page's queries are bounded."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liulin.accounts.models import User
from liulin.activities.models import Activity, Enrolment
from liulin.core import clock
from liulin.core.calendar import local_date, month_start
from liulin.daycare import services as daycare
from liulin.daycare.models import AbsenceCall, Attendance, CareLog
from liulin.daycare.models import Enrolment as CareEnrolment
from liulin.deliberation.models import ActionItem, Decision, Meeting
from liulin.people.models import Resident
from liulin.territory.models import Grid
from liulin.venues.models import Booking
from liulin.volunteering.models import PointsAccount, ServiceRecord
from liulin.votes.models import Ballot, Vote
from liulin.whistle import kpi
from liulin.whistle.models import KpiRollup, Ticket
from liulin.whistle.selectors.cockpit import month_starts
from liulin.whistle.workflow import OPEN_STATES

pytestmark = pytest.mark.django_db

SECRETARY = "19900000002"
GRID_WORKER_1 = "19900000004"
RESIDENT_FAMILY = "19900000015"


@pytest.fixture
def tiles(client, demo):
    client.force_login(User.objects.get(mobile=SECRETARY))
    response = client.get(reverse("dashboard:cockpit"))
    assert response.status_code == 200
    return {t["key"]: t["data"] for t in response.context["tiles"]}


def community_rows(queryset, path):
    return [row for row in queryset if path(row) is not None]


def test_every_app_has_a_tile(tiles):
    assert list(tiles) == ["people", "whistle", "deliberation", "volunteering", "activities", "daycare", "venues", "votes"]


def test_people_tile_recounts(tiles, demo):
    residents = list(Resident.objects.filter(household__community=demo.community).prefetch_related("care_tags"))
    figures = tiles["people"]["figures"]
    assert figures["residents"] == len(residents) > 0
    assert figures["party_members"] == sum(r.is_party_member for r in residents)
    tags = Counter(tag.code for r in residents for tag in r.care_tags.all())
    assert {t.code: t.residents_count for t in tiles["people"]["care_tags"]} == {
        t.code: tags.get(t.code, 0) for t in tiles["people"]["care_tags"]}
    assert sum(tags.values()) > 0


def test_whistle_tile_recounts(tiles, demo):
    tile = tiles["whistle"]
    tickets = list(Ticket.objects.filter(community=demo.community).select_related("category__parent"))
    assert tickets
    # Orders per month of filing, by the local date.
    per_month = Counter(f"{month_start(t.created_at):%Y-%m}" for t in tickets)
    assert tile["by_month"] == [{"month": f"{m:%Y-%m}", "count": per_month.get(f"{m:%Y-%m}", 0)}
                                for m in month_starts(clock.today())]
    # Per top-level category.
    per_category = Counter((t.category.parent or t.category).name for t in tickets)
    assert {row["label"]: row["count"] for row in tile["by_category"]} == dict(per_category)
    # Per grid, open and all, every grid of the community listed.
    grids = Grid.objects.filter(community=demo.community)
    assert {row["code"]: (row["open"], row["total"]) for row in tile["by_grid"]} == {
        g.code: (sum(t.grid_id == g.pk and t.state in OPEN_STATES for t in tickets),
                 sum(t.grid_id == g.pk for t in tickets)) for g in grids}
    assert sum(row["open"] for row in tile["by_grid"]) > 0
    # Open orders by tier.
    tiers = Counter(t.tier for t in tickets if t.state in OPEN_STATES)
    assert {row["tier"]: row["count"] for row in tile["open_by_tier"]} == {1: tiers[1], 2: tiers[2], 3: tiers[3]}
    # 三率 from the counters summed by hand, through the one formula (kpi.rates).
    start = tile["since"]
    rollups = KpiRollup.objects.filter(grain=KpiRollup.Grain.COMMUNITY, community_key=demo.community.pk,
                                       month__gte=start)
    sums = Counter()
    for row in rollups:
        for name in kpi.COUNTERS:
            sums[name] += getattr(row, name) or 0
    assert sums["dispatched"] > 0
    expected = kpi.KpiRow(key=None, label="", **kpi.rates(sums))
    assert tile["rates"] == {"response": expected.response_pct, "resolution": expected.resolution_pct,
                             "satisfaction": expected.satisfaction_pct, "composite": expected.composite_score}


def test_deliberation_tile_recounts(tiles, demo):
    meetings = list(Meeting.objects.filter(community=demo.community))
    items = list(ActionItem.objects.filter(meeting__community=demo.community))
    tile = tiles["deliberation"]
    assert tile["held"] == sum(m.state == "held" for m in meetings) > 0
    assert tile["upcoming"] == sum(m.state in ("noticed", "in_session") for m in meetings)
    assert tile["decisions"] == Decision.objects.filter(meeting__in=[m.pk for m in meetings]).count() > 0
    assert tile["items"] == {"total": len(items), "done": sum(i.state == "done" for i in items),
                             "ordered": sum(i.state == "ordered" for i in items),
                             "open": sum(i.state == "open" for i in items)}


def test_volunteering_tile_recounts(tiles, demo):
    today = clock.today()
    records = [r for r in ServiceRecord.objects.filter(community=demo.community)]
    confirmed = [r for r in records if r.state == ServiceRecord.State.CONFIRMED]
    tile = tiles["volunteering"]
    assert tile["total_hours"] == sum(r.minutes for r in confirmed) // 60 > 0
    assert tile["month_hours"] == sum(r.minutes for r in confirmed
                                      if (r.served_on.year, r.served_on.month) == (today.year, today.month)) // 60
    accounts = list(PointsAccount.objects.filter(kind=PointsAccount.Kind.VOLUNTEER,
                                                 ledger__community=demo.community))
    assert (tile["volunteers"], tile["points"]) == (len(accounts), sum(a.balance for a in accounts))


def test_activities_tile_recounts(tiles, demo):
    enrolments = list(Enrolment.objects.filter(activity__community=demo.community))
    states = Counter(e.state for e in enrolments)
    tile = tiles["activities"]
    assert tile["enrolled"] == states["confirmed"] + states["attended"] > 0
    assert tile["waiting"] == states["applied"] + states["waiting"] + states["offered"]
    assert (tile["attended"], tile["no_show"]) == (states["attended"], states["no_show"])
    assert tile["open_activities"] == Activity.objects.filter(
        community=demo.community, state__in=["renewal", "applying", "open"]).count()


def test_daycare_tile_recounts(client, demo):
    secretary = User.objects.get(mobile=SECRETARY)  # on the demo centre's care staff
    today = clock.today()
    active = [e for e in CareEnrolment.objects.filter(centre__community=demo.community) if e.state == "active"]
    daycare.check_in(actor=secretary, enrolment=active[0])
    daycare.log_care(actor=secretary, enrolment=active[0], kind=CareLog.Kind.INCIDENT, text="起身时头晕（测试）")
    AbsenceCall.objects.create(enrolment=active[1], day=today)
    client.force_login(secretary)
    tile = {t["key"]: t["data"] for t in client.get(reverse("dashboard:cockpit")).context["tiles"]}["daycare"]
    enrolments = list(CareEnrolment.objects.filter(centre__community=demo.community))
    attendances = list(Attendance.objects.filter(enrolment__in=enrolments))
    assert tile["active"] == len(active) > 0
    assert tile["waiting"] == sum(e.state == "waiting" for e in enrolments)
    assert tile["planned_today"] == sum(str(today.weekday()) in e.days for e in active)
    assert tile["arrived_today"] == sum(a.day == today for a in attendances) == 1
    assert tile["open_calls"] == AbsenceCall.objects.filter(done_at__isnull=True).count() == 1
    assert tile["month_days"] == sum((a.day.year, a.day.month) == (today.year, today.month) for a in attendances)
    assert tile["month_incidents"] == sum(
        log.kind == "incident" and (log.day.year, log.day.month) == (today.year, today.month)
        for log in CareLog.objects.filter(enrolment__in=enrolments)) == 1


def test_venues_tile_recounts(tiles, demo):
    today = clock.today()
    month = [b for b in Booking.objects.filter(resource__community=demo.community)
             if (local_date(b.starts_at).year, local_date(b.starts_at).month) == (today.year, today.month)]
    states = Counter(b.state for b in month)
    tile = tiles["venues"]
    assert tile["held"] == states["confirmed"] + states["checked_in"] + states["held"] > 0
    assert (tile["checked_in"], tile["no_show"], tile["requested"]) == (
        states["checked_in"], states["no_show"], states["requested"])


def test_votes_tile_recounts(tiles, demo):
    votes = [v for v in Vote.objects.filter(estate__community=demo.community) if v.state != "cancelled"]
    tile = tiles["votes"]
    assert tile["open"] == sum(v.state == "open" for v in votes)
    assert tile["done"] == sum(v.state in ("counted", "published") for v in votes)
    assert tile["ballots"] == Ballot.objects.filter(vote__in=[v.pk for v in votes]).count() > 0


def test_page_shows_the_figures_with_table_alternatives(client, demo, tiles):
    client.force_login(User.objects.get(mobile=SECRETARY))
    html = client.get(reverse("dashboard:cockpit")).content.decode()
    assert 'data-map="shade"' in html and 'id="cockpit-grids"' in html
    assert html.count('class="chart-bar"') >= len(tiles["whistle"]["by_grid"])
    assert 'class="chart-columns"' in html
    # Every scrolling table is a labelled, focusable region; no inline style or script but JSON.
    assert html.count('class="table-wrap" tabindex="0" role="region"') == html.count('class="table-wrap"')
    assert "style=" not in html
    # The page itself is small: its HTML, gzipped, is a fraction of the 150 KB budget.
    import gzip
    assert len(gzip.compress(html.encode())) < 20_000


def test_grid_worker_sees_his_grid_only(client, demo):
    client.force_login(User.objects.get(mobile=GRID_WORKER_1))
    response = client.get(reverse("dashboard:cockpit"))
    tile = {t["key"]: t["data"] for t in response.context["tiles"]}["whistle"]
    grid = demo.grids[0]
    assert [row["code"] for row in tile["by_grid"]] == [grid.code]
    assert tile["by_grid"][0]["total"] == Ticket.objects.filter(grid=grid).count()
    assert sum(row["count"] for row in tile["by_category"]) == Ticket.objects.filter(grid=grid).count()


def test_a_resident_is_sent_to_his_home(client, demo):
    client.force_login(User.objects.get(mobile=RESIDENT_FAMILY))
    assert client.get(reverse("dashboard:cockpit")).url == reverse("dashboard:resident_home")


def test_the_page_takes_a_fixed_number_of_queries(client, demo, tiles, django_assert_max_num_queries):
    client.force_login(User.objects.get(mobile=SECRETARY))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard:cockpit"))
    # The figures move with the rows; the number of queries does not.
    ticket = Ticket.objects.filter(community=demo.community).first()
    Ticket.objects.filter(pk=ticket.pk).update(state="submitted")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("dashboard:cockpit")).status_code == 200
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("dashboard:cockpit"))
    assert len(after.captured_queries) == len(before.captured_queries)
