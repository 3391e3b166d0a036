"""The incremental KPI rollups equal a recount from scratch after random work, and the check
command tells when they do not."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F

from liulin.core.errors import DomainError
from liulin.core.roles import ORG_ROLES, Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory
from liulin.whistle import rollups
from liulin.whistle.events import append_event
from liulin.whistle.models import KpiRollup, Satisfaction, State, Ticket
from liulin.whistle.services import callbacks, transitions
from liulin.whistle.tests.factories import CategoryFactory, TicketFactory, actor_for
from liulin.whistle.workflow import NOTES, UNIT_WORK, available_actions

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
ENDINGS = {"forward", "merge", "withdraw", "close_unresolvable"}
RATINGS = [Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED]


def _random_step(rng, ticket, orgs, siblings, now):
    """One random allowed action on `ticket` through the real services; DomainErrors (a
    second suspension request, a merge target that closed meanwhile ...) are part of the game."""
    choices = [t.action for t in available_actions(ticket.state)]
    if ticket.state not in (State.CLOSED, State.FORWARDED, State.MERGED, State.WITHDRAWN, State.UNRESOLVABLE):
        choices += ["urge", "escalate"]
    if not choices:
        return ticket
    # End states come up rarely, so most tickets live long enough to be rated and reopened.
    weights = [1 if c in ENDINGS else 3 if c in NOTES else 15 for c in choices]
    action = rng.choices(choices, weights=weights)[0]
    try:
        if action == "callback":
            actor = actor_for(ticket, Role.HOTLINE_OPERATOR)
            callbacks.record_callback(
                actor=actor,
                ticket=ticket,
                solved=rng.random() < 0.7,
                satisfaction=rng.choice(RATINGS),
                reopen=rng.random() < 0.5,
                now=now,
            )
        elif action == "urge":
            transitions.urge(actor=actor_for(ticket, Role.COMMUNITY_STAFF), ticket=ticket, reason="快点", now=now)
        elif action == "escalate":
            transitions.escalate(actor=actor_for(ticket, Role.COMMUNITY_SECRETARY), ticket=ticket, reason="升级", now=now)
        else:
            transition = available_actions(ticket.state)
            roles = [t for t in transition if t.action == action][0].roles
            if action in UNIT_WORK:  # the work is the handling unit's own (workflow.UNIT_WORK)
                roles = [r for r in roles if r in ORG_ROLES]
            role = rng.choice(roles)
            actor = actor_for(ticket, role, org=ticket.handling_org)
            extra = {}
            if action in ("dispatch", "reassign") or (action == "reopen" and rng.random() < 0.5):
                extra["org"] = rng.choice(orgs)
            if action == "forward":
                extra["forwarded_to"] = "区城管局"
            if action == "merge":
                open_siblings = [s for s in siblings if s.pk != ticket.pk and s.state in ("submitted", "dispatched", "accepted")]
                if not open_siblings:
                    return ticket
                extra["parent"] = rng.choice(open_siblings)
            transitions.act(actor=actor, ticket=ticket, action=action, reason=f"随机：{action}", now=now, **extra)
    except DomainError:
        pass
    ticket.refresh_from_db()
    return ticket


def _random_history(seed, *, tickets=4, steps=120):
    rng = random.Random(seed)
    grid = GridFactory()
    grids = [grid, GridFactory(community=grid.community)]
    buildings = [BuildingFactory(grid=g) for g in grids]
    categories = [CategoryFactory(), CategoryFactory()]
    orgs = [
        OrganisationFactory(community=grid.community, kind=Organisation.Kind.PROPERTY_COMPANY),
        OrganisationFactory(community=grid.community, kind=Organisation.Kind.DEPARTMENT),
    ]
    made = [TicketFactory(building=rng.choice(buildings), category=rng.choice(categories)) for _ in range(tickets)]
    # Start near a month's end so rounds straddle months; steps of minutes to days.
    now = datetime.datetime(2026, 1, 30, 9, 0, tzinfo=CST)
    for _ in range(steps):
        now += datetime.timedelta(minutes=rng.choice([5, 30, 90, 600, 1440, 3 * 1440]))
        i = rng.randrange(len(made))
        made[i] = _random_step(rng, made[i], orgs, made, now)
    return made


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_equal_a_recount_after_random_work(seed, capsys):
    _random_history(seed)
    # The game went through the whole loop somewhere.
    assert KpiRollup.objects.filter(grain="grid", accepted__gt=0).exists()
    assert KpiRollup.objects.filter(grain="grid", callbacks__gt=0).exists()
    assert KpiRollup.objects.filter(dispatched__gt=0).exists()
    assert rollups.differences() == []
    call_command("check_kpi_rollups")
    assert "match a recount" in capsys.readouterr().out


def test_the_check_command_finds_a_corrupted_row_and_fix_restores_it(capsys):
    _random_history(7, tickets=4, steps=30)
    row = KpiRollup.objects.filter(dispatched__gt=0).order_by("id").first()
    KpiRollup.objects.filter(pk=row.pk).update(dispatched=F("dispatched") + 5)
    with pytest.raises(CommandError, match="differ"):
        call_command("check_kpi_rollups")
    out = capsys.readouterr().out
    assert f"dispatched stored {row.dispatched + 5}, recount {row.dispatched}" in out

    call_command("check_kpi_rollups", "--month", f"{row.month:%Y-%m}", "--fix")
    assert "Fixed" in capsys.readouterr().out
    call_command("check_kpi_rollups")
    cell = {f: getattr(row, f) for f in rollups.KEY_FIELDS}
    assert KpiRollup.objects.get(**cell).dispatched == row.dispatched


def test_a_missing_row_is_found_for_its_month_only():
    ticket = TicketFactory()
    org = OrganisationFactory(community=ticket.community)
    transitions.act(actor=actor_for(ticket, Role.COMMUNITY_STAFF), ticket=ticket, action="dispatch", org=org,
                    now=datetime.datetime(2026, 3, 2, 9, tzinfo=CST))
    KpiRollup.objects.filter(grain="grid").delete()
    with pytest.raises(CommandError):
        call_command("check_kpi_rollups", "--month", "2026-03")
    call_command("check_kpi_rollups", "--month", "2026-04")  # nothing happened in April
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("check_kpi_rollups", "--month", "March")


def test_counters_roll_back_with_the_event():
    ticket = TicketFactory()
    org = OrganisationFactory(community=ticket.community)
    with pytest.raises(RuntimeError), transaction.atomic():
        event = append_event(ticket, actor=None, action="dispatch", to_state="dispatched", data={"org": org.pk})
        rollups.apply_events([(ticket, event)])
        assert KpiRollup.objects.filter(dispatched=1).count() == 3  # grid, community and area grain
        raise RuntimeError("the step failed after its event")
    assert not KpiRollup.objects.exists()


def test_notes_and_reminders_touch_no_counter():
    ticket = TicketFactory()
    for action in ["comment", "internal_note", "cosign", "remind", "overdue", "start"]:
        rollups.apply_events([(ticket, append_event(ticket, actor=None, action=action))])
    assert not KpiRollup.objects.exists()
    assert set(NOTES) - {"comment", "internal_note"} <= rollups.COUNTED


def test_every_counted_event_lands_in_every_grain_with_the_same_totals():
    tickets = _random_history(11, tickets=5, steps=40)
    assert tickets
    for name in rollups.COUNTERS:
        sums = {grain: sum(KpiRollup.objects.filter(grain=grain).values_list(name, flat=True)) for grain in KpiRollup.Grain}
        assert len(set(sums.values())) == 1, (name, sums)
    area_rows = KpiRollup.objects.filter(grain="area")
    assert area_rows.exists() and not area_rows.exclude(category_key=0, org_key=0, grid_key=0).exists()
    assert Ticket.objects.count() >= 5


def test_escalations_by_the_deadline_sweep_are_counted():
    from liulin.whistle import tasks

    start = datetime.datetime(2026, 3, 2, 9, tzinfo=CST)
    ticket = TicketFactory()
    org = OrganisationFactory(community=ticket.community)
    transitions.act(actor=actor_for(ticket, Role.COMMUNITY_STAFF), ticket=ticket, action="dispatch", org=org, now=start)
    counts = tasks.sweep_deadlines(now=start + datetime.timedelta(days=30))
    assert (counts["accept_overdue"], counts["accept_escalated"], counts["resolve_overdue"]) == (1, 1, 1)
    # Never accepted: one tier for the missed acceptance (after its grace), one for the resolve.
    assert ticket.events.filter(action="escalate").count() == 2
    assert sum(KpiRollup.objects.filter(grain="grid").values_list("escalations", flat=True)) == 2
    assert rollups.differences() == []


def test_the_area_grain_migration_sums_the_existing_community_rows():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("liulin.whistle.migrations.0007_kpi_area_grain")
    _random_history(5, tickets=4, steps=30)
    written = rollups.stored()
    KpiRollup.objects.filter(grain="area").delete()
    migration.add_area_rows(apps, None)
    assert rollups.stored() == written
