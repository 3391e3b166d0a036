import datetime
from zoneinfo import ZoneInfo

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.permissions import can
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle import events
from liulin.whistle.models import Channel, State, Summons, Ticket, Tier, WhistleCall
from liulin.whistle.services import intake, whistles

from .intake_fixtures import make_town

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=LOCAL)


def problem(town, description="楼顶违建，影响邻居采光"):
    ticket, _ = intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="illegal-building", description=description,
        building=town.b1, now=MONDAY - datetime.timedelta(days=1),
    )
    return ticket


def blow(town, kind="progress", tickets=None, departments=None, now=MONDAY, actor=None, **kw):
    return whistles.blow(
        actor=actor or town.secretary, community=town.community, kind=kind, title="楼顶违建久拖不决", reason="多次劝导无效",
        tickets=tickets if tickets is not None else [problem(town)], departments=departments or [town.department], now=now, **kw,
    )


@pytest.mark.parametrize(
    "kind, blown_at, due",
    [
        ("emergency", MONDAY, MONDAY + datetime.timedelta(hours=1)),
        # Calendar time: an emergency at night is due an hour later, at night.
        ("emergency", datetime.datetime(2026, 3, 14, 23, 30, tzinfo=LOCAL), datetime.datetime(2026, 3, 15, 0, 30, tzinfo=LOCAL)),
        ("progress", MONDAY, datetime.datetime(2026, 3, 19, 10, 0, tzinfo=LOCAL)),  # Thursday
        ("hard", MONDAY, datetime.datetime(2026, 3, 23, 10, 0, tzinfo=LOCAL)),  # next Monday
        # National Day (Oct 1–7) does not count; Saturday Oct 10 is a make-up workday.
        ("progress", datetime.datetime(2026, 9, 30, 10, 0, tzinfo=LOCAL), datetime.datetime(2026, 10, 10, 10, 0, tzinfo=LOCAL)),
    ],
)
def test_default_report_deadlines(kind, blown_at, due):
    assert whistles.default_report_due(kind, blown_at) == due


def test_deadlines_are_configurable(settings):
    settings.LIULIN_WHISTLE_REPORT_DEADLINES = {"emergency": {"minutes": 30, "working_time": False}}
    assert whistles.default_report_due("emergency", MONDAY) == MONDAY + datetime.timedelta(minutes=30)


def test_blowing_raises_tickets_summons_departments_and_tells_their_officers(town):
    ticket = problem(town)
    second_department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区住建局")
    whistle = blow(town, tickets=[ticket], departments=[town.department, second_department])
    assert whistle.report_due == datetime.datetime(2026, 3, 19, 10, 0, tzinfo=LOCAL)
    assert set(whistle.summons.values_list("department", flat=True)) == {town.department.pk, second_department.pk}
    ticket.refresh_from_db()
    assert ticket.tier == Tier.WHISTLE
    event = ticket.events.last()
    assert (event.action, event.actor, event.data["whistle"]) == ("whistle", town.secretary, whistle.pk)
    assert events.verify_chain(ticket) is None
    assert Notification.objects.filter(user=town.officer).count() == 1
    # The summoned department now sees the ticket.
    assert can(town.officer, "whistle.view", ticket)


def test_only_community_supervisors_may_blow(town, settings):
    ticket = problem(town)
    for actor in (town.grid_worker, town.property_staff, make_user(Role.COMMUNITY_SECRETARY, make_town().community)):
        with pytest.raises(NotPermitted):
            blow(town, tickets=[ticket], actor=actor)
    assert not WhistleCall.objects.exists()
    ticket.refresh_from_db()
    assert ticket.tier == Tier.GRID


def test_whistle_needs_open_tickets_of_the_community_and_real_departments(town):
    foreign = problem(make_town())
    closed = problem(town)
    Ticket.objects.filter(pk=closed.pk).update(state=State.WITHDRAWN)
    cases = [
        ({"tickets": [foreign]}, "ticket_outside_community"),
        ({"tickets": [closed]}, "ticket_not_open"),
        ({"tickets": []}, "tickets_required"),
        ({"departments": [town.property_company]}, "not_a_department"),
        ({"kind": "party"}, "invalid_kind"),
        ({"report_due": MONDAY - datetime.timedelta(hours=1)}, "report_due_past"),
    ]
    for kwargs, code in cases:
        with pytest.raises(Invalid) as error:
            blow(town, **kwargs)
        assert error.value.code == code
    assert not WhistleCall.objects.exists() and not Summons.objects.exists()


def test_report_in_on_time_and_late_and_the_unreported_are_flagged(town):
    late_department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区住建局")
    silent_department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区水务局")
    late_officer = make_user(Role.DEPARTMENT_OFFICER, late_department)
    whistle = blow(town, kind="emergency", departments=[town.department, late_department, silent_department])
    on_time = whistle.summons.get(department=town.department)
    late = whistle.summons.get(department=late_department)

    whistles.report_in(actor=town.officer, summons=on_time, on_site=True, actions="已到现场", now=MONDAY + datetime.timedelta(minutes=40))
    assert whistles.flag_unreported(MONDAY + datetime.timedelta(minutes=59)) == 0
    assert whistles.flag_unreported(MONDAY + datetime.timedelta(minutes=61)) == 2
    assert whistles.flag_unreported(MONDAY + datetime.timedelta(minutes=90)) == 0  # idempotent
    whistles.report_in(actor=late_officer, summons=late, on_site=False, now=MONDAY + datetime.timedelta(hours=2))

    flags = dict(whistle.summons.values_list("department__name", "late"))
    assert flags == {town.department.name: False, "区住建局": True, "区水务局": True}
    late.refresh_from_db()
    assert late.reported_by == late_officer and late.on_site is False
    with pytest.raises(Conflict):
        whistles.report_in(actor=town.officer, summons=on_time, on_site=True)


def test_only_officers_of_the_summoned_department_report_verify_and_record(town):
    whistle = blow(town)
    summons = whistle.summons.get()
    outsider = make_user(Role.DEPARTMENT_OFFICER, OrganisationFactory(kind=Organisation.Kind.DEPARTMENT))
    with pytest.raises(NotFound):
        whistles.report_in(actor=outsider, summons=summons, on_site=True)
    with pytest.raises(Invalid):
        whistles.verify_summons(actor=town.officer, summons=summons)  # not reported in yet
    whistles.report_in(actor=town.officer, summons=summons, on_site=True, now=MONDAY + datetime.timedelta(hours=1))
    whistles.record_actions(actor=town.officer, summons=summons, actions="责令限期拆除", now=MONDAY + datetime.timedelta(hours=2))
    verified = whistles.verify_summons(actor=town.officer, summons=summons, now=MONDAY + datetime.timedelta(days=1))
    assert verified.verified_at == MONDAY + datetime.timedelta(days=1)
    assert "责令限期拆除" in verified.actions
    ticket = whistle.tickets.get()
    assert list(ticket.events.values_list("action", flat=True))[-3:] == ["report_in", "summons_actions", "summons_verified"]
    assert events.verify_chain(ticket) is None


def report(town, whistle, department, officer=None, *, after, rating=None):
    summons = whistle.summons.get(department=department)
    officer = officer or make_user(Role.DEPARTMENT_OFFICER, department)
    whistles.report_in(actor=officer, summons=summons, on_site=True, now=whistle.blown_at + after)
    if rating is not None:
        whistles.rate_summons(actor=town.secretary, summons=summons, rating=rating)
    return summons


def test_rating_and_ranking(town):
    housing = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区住建局")
    water = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区水务局")
    first = blow(town, departments=[town.department, housing, water])
    second = blow(town, departments=[town.department, housing], now=MONDAY + datetime.timedelta(days=1))
    hour = datetime.timedelta(hours=1)
    ratings = {(first, town.department): 3, (second, town.department): 4, (first, housing): 5, (second, housing): 4}
    for (whistle, department), stars in ratings.items():
        report(town, whistle, department, town.officer if department == town.department else None, after=hour, rating=stars)
    whistles.flag_unreported(MONDAY + datetime.timedelta(days=30))

    ranking = whistles.department_ranking(town.community, (MONDAY - datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=30)))
    assert [(r["department"].name, r["score"], r["avg_rating"], r["summons"], r["late"], r["missed"]) for r in ranking] == [
        ("区住建局", 4.5, 4.5, 2, 0, 0),
        (town.department.name, 3.5, 3.5, 2, 0, 0),
        ("区水务局", 0.0, None, 1, 0, 1),
    ]
    for bad in (0, 6, "5", 4.5, True):
        with pytest.raises(Invalid):
            whistles.rate_summons(actor=town.secretary, summons=first.summons.get(department=housing), rating=bad)
    with pytest.raises(NotPermitted):
        whistles.rate_summons(actor=town.officer, summons=first.summons.get(department=town.department), rating=5)


def test_a_report_in_that_never_happened_cannot_be_rated(town):
    whistle = blow(town, kind="emergency")
    whistles.flag_unreported(MONDAY + datetime.timedelta(hours=2))
    with pytest.raises(Invalid) as error:
        whistles.rate_summons(actor=town.secretary, summons=whistle.summons.get(), rating=5)
    assert error.value.code == "not_reported"


def test_missed_and_late_report_ins_count_against_the_department(town):
    """docs/kpi.md, 吹哨报到 ranking: on time earns the rating, late half of it, missed 0★."""
    came = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区城管委")
    missed = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区住建局")
    late = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区水务局")
    first = blow(town, kind="emergency", departments=[came, missed, late])
    second = blow(town, kind="emergency", departments=[missed], now=MONDAY + datetime.timedelta(days=1))
    report(town, first, came, after=datetime.timedelta(minutes=30), rating=4)
    report(town, first, late, after=datetime.timedelta(hours=3), rating=5)  # due after one hour
    report(town, second, missed, after=datetime.timedelta(minutes=10), rating=5)
    # `missed` never reported in for the first whistle; the sweep has not run yet, the deadline
    # alone makes it a miss.
    period = (MONDAY - datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=30))
    ranking = whistles.department_ranking(town.community, period, now=MONDAY + datetime.timedelta(days=2))

    rows = [(r["department"].name, r["score"], r["avg_rating"], r["on_time"], r["late"], r["missed"]) for r in ranking]
    assert rows == [
        ("区城管委", 4.0, 4.0, 1, 0, 0),
        ("区水务局", 2.5, 5.0, 0, 1, 0),  # late: 5 × 0.5; ties go to fewer misses
        ("区住建局", 2.5, 5.0, 1, 0, 1),  # (5 + 0) / 2: the 5★ no longer hides the miss
    ]


def test_a_summons_within_its_deadline_or_unrated_is_not_scored_yet(town, settings):
    settings.LIULIN_WHISTLE_LATE_SHARE = 0.8
    pending = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区住建局")
    late = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT, name="区水务局")
    whistle = blow(town, kind="emergency", departments=[pending, late])
    report(town, whistle, late, after=datetime.timedelta(hours=2), rating=5)
    period = (MONDAY - datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=1))
    within = whistles.department_ranking(town.community, period, now=MONDAY + datetime.timedelta(minutes=30))
    assert [(r["department"].name, r["score"], r["missed"]) for r in within] == [("区水务局", 4.0, 0), ("区住建局", None, 0)]
    report(town, whistle, pending, after=datetime.timedelta(minutes=20))  # reported, not rated yet
    assert whistles.department_ranking(town.community, period, now=MONDAY + datetime.timedelta(hours=3))[1]["score"] is None


def test_the_minute_sweep_flags_departments_that_never_reported(town, capsys, time_machine):
    from django.core.management import call_command

    whistle = blow(town, kind="emergency")
    time_machine.move_to(MONDAY + datetime.timedelta(minutes=61), tick=False)
    call_command("sweep_deadlines")
    assert "逾期未报到 1" in capsys.readouterr().out
    assert whistle.summons.get().late is True
