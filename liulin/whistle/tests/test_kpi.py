"""三率 KPIs on a hand-built month of events, every expected figure worked out by hand below.

The events are appended directly (events.append_event, then rollups.apply_events, exactly as
the workflow service does), with chosen times and deadlines, so each rule of docs/kpi.md is
pinned: response per dispatch round, rounds cut short in time are not judged, reopened
rounds and both callbacks count, suspension moves the deadline, merged/withdrawn/forwarded
are counted beside the rates, the tier at closing.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory
from liulin.whistle import kpi, rollups
from liulin.whistle.events import append_event
from liulin.whistle.models import KpiRollup
from liulin.whistle.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
MARCH = datetime.date(2026, 3, 1)


def at(day, hour, minute=0, month=3):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=CST)


class Town:
    """One community, two grids, one property company, one category."""

    def __init__(self):
        self.grid = GridFactory()
        self.community = self.grid.community
        self.other_grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.other_building = BuildingFactory(grid=self.other_grid)
        self.category = CategoryFactory()
        self.org = OrganisationFactory(community=self.community, kind=Organisation.Kind.PROPERTY_COMPANY)
        self.other_org = OrganisationFactory(community=self.community, kind=Organisation.Kind.DEPARTMENT)

    def ticket(self, building=None):
        ticket = TicketFactory(building=building or self.building, category=self.category)
        ev(ticket, "file", at(1, 8), to_state="submitted")
        return ticket


def ev(ticket, action, when, *, to_state="", **data):
    event = append_event(ticket, actor=None, action=action, to_state=to_state, at=when, data=data)
    rollups.apply_events([(ticket, event)])
    return event


def dispatch(ticket, org, when, *, accept_in=120, resolve_days=7, action="dispatch"):
    """A dispatch round: accept limit `accept_in` minutes, resolve limit `resolve_days` days."""
    return ev(
        ticket,
        action,
        when,
        to_state="dispatched",
        org=org.pk,
        accept_due=(when + datetime.timedelta(minutes=accept_in)).isoformat(),
        resolve_due=(when + datetime.timedelta(days=resolve_days)).isoformat(),
    )


def handle(ticket, *, accept, resolve, verify):
    ev(ticket, "accept", accept, to_state="accepted")
    ev(ticket, "resolve", resolve, to_state="resolved")
    ev(ticket, "verify", verify, to_state="verified")


def callback(ticket, when, solved, satisfaction, round_no=1):
    ev(ticket, "callback", when, to_state="closed", solved=solved, satisfaction=satisfaction, round=round_no)


@pytest.fixture
def town():
    return Town()


@pytest.fixture
def march(town):
    """The hand-built month. Every dispatch at 03-02 09:00 has its accept limit at 11:00 and
    its resolve limit 7 days later unless said otherwise."""
    t = town
    start = at(2, 9)

    # T1: accepted after 30 min (in time), resolved next day, verified; solved, 满意.
    t1 = t.ticket()
    dispatch(t1, t.org, start)
    handle(t1, accept=at(2, 9, 30), resolve=at(3, 9), verify=at(3, 10))
    callback(t1, at(4, 9), True, "satisfied")

    # T2: accepted after 60 min; escalated to the community tier before closing; solved, 满意.
    t2 = t.ticket()
    dispatch(t2, t.org, start)
    ev(t2, "escalate", at(2, 9, 45), from_tier=1, to_tier=2)
    handle(t2, accept=at(2, 10), resolve=at(4, 9), verify=at(4, 10))
    callback(t2, at(5, 9), True, "satisfied")

    # T3: accepted after 90 min; suspended 03-03 09:00 to 03-13 09:00 (10 days) and the resolve
    # limit moved from 03-09 09:00 to 03-19 09:00; resolved 03-15 09:00: late against the first
    # limit, in time against the moved one. Handling time 13 days − 10 suspended = 3 days.
    t3 = t.ticket()
    dispatch(t3, t.org, start)
    ev(t3, "accept", at(2, 10, 30), to_state="accepted")
    ev(t3, "suspend", at(3, 9), to_state="suspended")
    ev(t3, "resume", at(13, 9), to_state="accepted", accept_due=at(2, 11).isoformat(), resolve_due=at(19, 9).isoformat())
    ev(t3, "resolve", at(15, 9), to_state="resolved")
    ev(t3, "verify", at(15, 10), to_state="verified")
    callback(t3, at(16, 9), True, "basic")

    # T4, reopened. Round 1: accepted after 180 min (late); resolve limit 2 days (03-04 09:00),
    # resolved 03-05 09:00 (late); callback not solved, 不满意. Reopened 03-06 10:00 (round 2:
    # accept by 12:00, resolve by 03-13 10:00): accepted 11:00 (in time, 60 min), resolved 03-09
    # (in time); callback solved, 满意. Both rounds' callbacks count.
    t4 = t.ticket()
    dispatch(t4, t.org, start, resolve_days=2)
    handle(t4, accept=at(2, 12), resolve=at(5, 9), verify=at(5, 10))
    callback(t4, at(6, 9), False, "unsatisfied")
    dispatch(t4, t.org, at(6, 10), action="reopen")
    handle(t4, accept=at(6, 11), resolve=at(9, 10), verify=at(9, 11))
    callback(t4, at(10, 9), True, "satisfied", round_no=2)

    # T5: merged as a duplicate at 10:00, before acceptance and inside the accept limit: the
    # round is not judged (dispatched −1), merged +1.
    t5 = t.ticket()
    dispatch(t5, t.org, start)
    ev(t5, "merge", at(2, 10), to_state="merged", parent=t1.pk)

    # T6: accepted after 20 min, resolved, verified; the requester never rated (timeout).
    t6 = t.ticket()
    dispatch(t6, t.org, start)
    handle(t6, accept=at(2, 9, 20), resolve=at(3, 9), verify=at(3, 10))
    callback(t6, at(11, 9), None, "not_rated")

    # T7: never accepted, urged twice, withdrawn at 15:00 - after the accept limit, so the
    # round stays judged (a miss); withdrawn +1.
    t7 = t.ticket()
    dispatch(t7, t.org, start)
    ev(t7, "urge", at(2, 12), urge_count=1)
    ev(t7, "urge", at(2, 13), urge_count=2)
    ev(t7, "withdraw", at(2, 15), to_state="withdrawn")

    # T8: not ours: forwarded before any dispatch.
    t8 = t.ticket()
    ev(t8, "forward", at(2, 9), to_state="forwarded", forwarded_to="区城管局")
    return t


# Worked out by hand from the fixture above.
EXPECTED = {
    "filed": 8,
    # rounds: T1, T2, T3, T4 ×2, T6, T7 = 7 (T5's round was not judged)
    "dispatched": 7,
    # T1, T2, T3, T4 round 1 (late), T4 round 2, T6 = 6; in time: all but T4 round 1 = 5
    "accepted": 6,
    "accepted_in_time": 5,
    "accept_minutes_sum": 30 + 60 + 90 + 180 + 60 + 20,  # 440
    # verified resolutions: T1, T2, T3, T4 ×2, T6 = 6; late: T4 round 1 only
    "resolved": 6,
    "resolved_in_time": 5,
    # T1 1d, T2 2d, T3 3d (13d − 10d suspended), T4 r1 3d, T4 r2 (03-06 10:00 → 03-09 10:00) 3d, T6 1d
    "resolve_minutes_sum": (1 + 2 + 3 + 3 + 3 + 1) * 24 * 60,
    "callbacks": 6,
    "callbacks_valid": 5,  # T6's timeout is not a verdict
    "callbacks_solved": 4,  # T1, T2, T3, T4 round 2
    "rated": 5,
    "satisfied": 3,  # T1, T2, T4 round 2
    "basic": 1,  # T3
    "unsatisfied": 1,  # T4 round 1
    "urges": 2,
    "reopens": 1,
    "escalations": 1,
    "closed_grid": 5,
    "closed_community": 1,  # T2, escalated before closing
    "closed_whistle": 0,
    "merged": 1,
    "withdrawn": 1,
    "forwarded": 1,
    "unresolvable": 0,
}


def test_hand_built_month_gives_the_hand_worked_counts_and_rates(march):
    (row,) = kpi.kpis(make_user(Role.COMMUNITY_STAFF, march.community), period_start=MARCH, period_end=MARCH)
    assert row.counts == EXPECTED
    assert row.response_rate == pytest.approx(5 / 7)  # 71.43 %
    assert row.resolution_rate == pytest.approx(4 / 5)  # 80 %
    assert row.satisfaction_rate == pytest.approx((3 + 0.9 * 1) / 5)  # 78 %
    # 0.1·0.714286 + 0.5·0.8 + 0.4·0.78 = 0.071429 + 0.4 + 0.312 = 0.783429
    assert row.composite == pytest.approx(0.1 * 5 / 7 + 0.5 * 0.8 + 0.4 * 0.78)
    assert row.composite == pytest.approx(0.783429, abs=1e-6)
    assert row.on_time_rate == pytest.approx(5 / 6)
    assert row.avg_accept_minutes == pytest.approx(440 / 6)
    assert row.avg_resolve_minutes == pytest.approx(13 * 24 * 60 / 6)
    assert row.tier_shares == {"grid": pytest.approx(5 / 6), "community": pytest.approx(1 / 6), "whistle": 0}
    assert row.excluded_total == 3


def test_the_weights_come_from_settings(march, settings):
    settings.LIULIN_KPI_BASIC_WEIGHT = 0.5
    settings.LIULIN_KPI_WEIGHTS = {"response": 0.2, "resolution": 0.4, "satisfaction": 0.4}
    (row,) = kpi.kpis(make_user(Role.COMMUNITY_STAFF, march.community), period_start=MARCH, period_end=MARCH)
    assert row.satisfaction_rate == pytest.approx((3 + 0.5) / 5)
    assert row.composite == pytest.approx(0.2 * 5 / 7 + 0.4 * 0.8 + 0.4 * 0.7)


def test_other_months_and_other_areas_do_not_count(march):
    staff = make_user(Role.COMMUNITY_STAFF, march.community)
    (april,) = kpi.kpis(staff, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 4, 30))
    assert april.counts["dispatched"] == 0 and april.response_rate is None and april.composite is None
    elsewhere = make_user(Role.COMMUNITY_STAFF, GridFactory().community)
    (row,) = kpi.kpis(elsewhere, period_start=MARCH, period_end=MARCH)
    assert row.counts["dispatched"] == 0 and row.counts["filed"] == 0


def test_a_grid_worker_sees_only_his_grid(march):
    # One more ticket in the other grid of the same community: dispatched, accepted late.
    other = march.ticket(building=march.other_building)
    dispatch(other, march.org, at(20, 9))
    ev(other, "accept", at(20, 14), to_state="accepted")

    worker = make_user(Role.GRID_WORKER, march.grid)
    (mine,) = kpi.kpis(worker, period_start=MARCH, period_end=MARCH)
    assert mine.counts["dispatched"] == 7 and mine.counts["accepted"] == 6 and mine.counts["filed"] == 8

    other_worker = make_user(Role.GRID_WORKER, march.other_grid)
    (theirs,) = kpi.kpis(other_worker, period_start=MARCH, period_end=MARCH)
    assert theirs.counts["dispatched"] == 1 and theirs.counts["accepted_in_time"] == 0 and theirs.counts["callbacks"] == 0

    staff = make_user(Role.COMMUNITY_STAFF, march.community)
    by_grid = {r.key: r for r in kpi.kpis(staff, period_start=MARCH, period_end=MARCH, group_by="grid")}
    assert {k: r.counts["dispatched"] for k, r in by_grid.items()} == {march.grid.pk: 7, march.other_grid.pk: 1}
    (total,) = kpi.kpis(staff, period_start=MARCH, period_end=MARCH)
    assert total.counts["dispatched"] == 8
    # The grid worker asking for other groupings still sees only his grid.
    assert {r.key for r in kpi.kpis(worker, period_start=MARCH, period_end=MARCH, group_by="grid")} == {march.grid.pk}


def test_a_unit_sees_its_own_tickets_and_a_resident_nothing(march):
    second = march.ticket()
    dispatch(second, march.other_org, at(20, 9))
    staff_of_other = make_user(Role.DEPARTMENT_OFFICER, march.other_org)
    (row,) = kpi.kpis(staff_of_other, period_start=MARCH, period_end=MARCH)
    assert row.counts["dispatched"] == 1 and row.counts["callbacks"] == 0
    property_staff = make_user(Role.PROPERTY_STAFF, march.org)
    (row,) = kpi.kpis(property_staff, period_start=MARCH, period_end=MARCH)
    assert row.counts["dispatched"] == 7 and row.counts["callbacks_solved"] == 4
    resident = make_user(Role.RESIDENT)
    (row,) = kpi.kpis(resident, period_start=MARCH, period_end=MARCH)
    assert all(value == 0 for value in row.counts.values())


def test_group_by_unit_month_and_category_sum_to_the_total(march):
    second = march.ticket()
    dispatch(second, march.other_org, at(20, 9))
    ev(second, "accept", at(20, 9, 10), to_state="accepted")
    staff = make_user(Role.COMMUNITY_STAFF, march.community)
    by_org = {r.key: r for r in kpi.kpis(staff, period_start=MARCH, period_end=MARCH, group_by="handling_org")}
    assert by_org[march.org.pk].counts["dispatched"] == 7
    assert by_org[march.other_org.pk].response_rate == 1
    assert by_org[march.other_org.pk].label == march.other_org.name
    # The forwarded ticket and the filings had no unit: a row of their own, labelled as such.
    assert by_org[0].counts["forwarded"] == 1 and by_org[0].label == "未派单"
    by_month = kpi.kpis(staff, period_start=datetime.date(2026, 2, 1), period_end=datetime.date(2026, 4, 30), group_by="month")
    assert [r.label for r in by_month] == ["2026-03"]
    by_category = kpi.kpis(staff, period_start=MARCH, period_end=MARCH, group_by="category")
    assert [r.key for r in by_category] == [march.category.pk] and by_category[0].counts["dispatched"] == 8


def test_an_acceptance_counts_in_the_month_its_round_was_dispatched(town):
    ticket = town.ticket()
    dispatch(ticket, town.org, at(31, 23))  # accept limit 04-01 01:00
    ev(ticket, "accept", at(1, 0, 30, month=4), to_state="accepted")
    staff = make_user(Role.COMMUNITY_STAFF, town.community)
    (march,) = kpi.kpis(staff, period_start=MARCH, period_end=MARCH)
    (april,) = kpi.kpis(staff, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 4, 1))
    assert (march.counts["dispatched"], march.counts["accepted_in_time"], march.counts["accept_minutes_sum"]) == (1, 1, 90)
    assert april.counts["accepted"] == 0


def test_a_reassign_inside_the_limit_is_not_held_against_the_first_unit_but_a_late_one_is(town):
    early, late = town.ticket(), town.ticket()
    for ticket, moved_at in ((early, at(2, 10)), (late, at(2, 12))):
        dispatch(ticket, town.org, at(2, 9))
        dispatch(ticket, town.other_org, moved_at, action="reassign")
        ev(ticket, "accept", moved_at + datetime.timedelta(minutes=10), to_state="accepted")
    staff = make_user(Role.COMMUNITY_STAFF, town.community)
    by_org = {r.key: r for r in kpi.kpis(staff, period_start=MARCH, period_end=MARCH, group_by="handling_org")}
    # First unit: the early round is dropped, the late one is a miss → 0 of 1.
    assert (by_org[town.org.pk].counts["dispatched"], by_org[town.org.pk].response_rate) == (1, 0)
    # Second unit: both reassigned rounds accepted 10 minutes later → 2 of 2.
    assert (by_org[town.other_org.pk].counts["dispatched"], by_org[town.other_org.pk].response_rate) == (2, 1)


def test_bad_parameters_are_refused(town):
    staff = make_user(Role.COMMUNITY_STAFF, town.community)
    from liulin.core.errors import Invalid

    with pytest.raises(Invalid):
        kpi.kpis(staff, period_start=MARCH, period_end=datetime.date(2026, 1, 1))
    with pytest.raises(Invalid):
        kpi.kpis(staff, period_start=MARCH, period_end=MARCH, group_by="resident")


def test_district_totals_are_sums_of_community_rows(march):
    district = march.community.parent.parent
    other_community_grid = GridFactory()
    ticket = TicketFactory(building=BuildingFactory(grid=other_community_grid), category=march.category)
    dispatch(ticket, march.org, at(20, 9))
    district_staff = make_user(Role.COMMUNITY_SECRETARY, district)
    (row,) = kpi.kpis(district_staff, period_start=MARCH, period_end=MARCH, area=district)
    assert row.counts["dispatched"] == 7  # the other community sits in another district
    assert KpiRollup.objects.filter(grain="community", area_path__startswith=district.path).count() >= 1


def test_the_api_gives_the_same_figures_within_the_callers_scope(march, client):
    staff = make_user(Role.COMMUNITY_STAFF, march.community)
    client.force_login(staff)
    response = client.get("/api/v1/tickets/kpis", {"period_start": "2026-03-01", "period_end": "2026-03-31"})
    assert response.status_code == 200
    (row,) = response.json()
    assert row["counts"] == EXPECTED
    assert row["response_rate"] == pytest.approx(5 / 7)
    assert row["composite"] == pytest.approx(0.783429, abs=1e-6)
    assert row["tier_shares"] == {"grid": pytest.approx(5 / 6), "community": pytest.approx(1 / 6), "whistle": 0}

    client.force_login(make_user(Role.COMMUNITY_STAFF, GridFactory().community))
    (elsewhere,) = client.get("/api/v1/tickets/kpis", {"period_start": "2026-03-01", "period_end": "2026-03-31"}).json()
    assert elsewhere["counts"]["dispatched"] == 0

    bad = client.get("/api/v1/tickets/kpis", {"period_start": "2026-03-01", "period_end": "2026-03-31", "group_by": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_group_by"
