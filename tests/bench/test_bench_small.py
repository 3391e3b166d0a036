"""Each benchmark at a tiny size, checking correctness, never time (timings are printed).

The generator must make data the platform itself would accept: event chains that verify,
states that agree with their timestamps, rollups equal to a from-scratch recount, and a
sweep that escalates exactly the breached tickets."""

import datetime
import time

import pytest
from django.db.models import Q
from django.test import Client

from bench import generate
from bench.common import personas, summary
from liulin.apitokens.services import create_token
from liulin.core import clock
from liulin.core.calendar import month_bounds
from liulin.whistle import events, kpi, rollups, selectors
from liulin.whistle.models import Callback, Ticket, TicketEvent
from liulin.whistle.tasks import sweep_deadlines

PARAMS = generate.Params(tickets=600, open=200, districts=1, subdistricts=2, communities=2, grids=2, buildings=2)


BIG_TABLES = ["whistle_ticket", "whistle_ticketevent", "whistle_callback"]


@pytest.fixture
def city(db):
    start = time.perf_counter()
    stats = generate.generate(PARAMS, log=lambda *_: None)
    print(f"generated {stats['tickets']} tickets, {stats['events']} events in {time.perf_counter() - start:.2f} s")
    return stats


def test_generator_is_deterministic_and_marked(city):
    assert generate.marker()["params"]["tickets"] == PARAMS.tickets
    assert Ticket.objects.count() == PARAMS.tickets
    assert TicketEvent.objects.count() == city["events"]
    # Same seed, same first tickets: numbers, categories and states.
    first = list(Ticket.objects.order_by("id").values_list("number", "category__code", "state")[:20])
    assert first == list(Ticket.objects.order_by("id").values_list("number", "category__code", "state")[:20])
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {"closed", "merged", "withdrawn", "forwarded", "unresolvable", "dispatched", "in_progress", "suspended"} <= states


def _index_names():
    # By name: PostgreSQL words a rebuilt index's definition in its own way (casts).
    return sorted(name for name, _definition in generate._plain_indexes(BIG_TABLES))


def test_the_load_rebuilds_every_index_it_dropped(db):
    before = _index_names()
    assert before  # the scope and deadline indexes exist, so the check below means something
    generate.generate(PARAMS, log=lambda *_: None)
    assert _index_names() == before


def test_generated_event_chains_verify(city):
    sample = Ticket.objects.order_by("id")[:: max(PARAMS.tickets // 60, 1)]
    for ticket in sample:
        assert events.verify_chain(ticket) is None, ticket.pk


def test_generated_states_agree_with_timestamps(city):
    assert not Ticket.objects.filter(state="closed").filter(
        Q(closed_at__isnull=True) | Q(verified_at__isnull=True) | Q(resolved_at__isnull=True) | Q(accepted_at__isnull=True)
    ).exists()
    assert not Ticket.objects.filter(closed_at__lt=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)).exists()
    for ticket in Ticket.objects.filter(state="closed")[:50]:
        assert ticket.created_at <= ticket.dispatched_at <= ticket.accepted_at <= ticket.resolved_at <= ticket.verified_at <= ticket.closed_at
        assert Callback.objects.filter(ticket=ticket, round=1, satisfaction=ticket.satisfaction).exists()
    assert not Ticket.objects.filter(state="submitted", handling_org__isnull=False).exists()
    assert not Ticket.objects.filter(state="suspended", suspended_at__isnull=True).exists()
    assert not Ticket.objects.filter(state="merged", parent__isnull=True).exists()
    # Every ticket's last event says the state the ticket is in.
    for ticket in Ticket.objects.order_by("id")[::20]:
        last = ticket.events.order_by("-seq").exclude(to_state="").first()
        assert last.to_state == ticket.state, ticket.pk
        assert list(ticket.events.order_by("seq").values_list("at", flat=True)) == sorted(ticket.events.values_list("at", flat=True))


def test_generated_rollups_equal_a_recount(city):
    assert rollups.differences() == []


def _rollup_table():
    from liulin.whistle.models import KpiRollup

    fields = [*rollups.KEY_FIELDS, *rollups.COUNTERS]
    return sorted(KpiRollup.objects.values_list(*fields))


def test_rollups_counted_chunk_by_chunk_equal_those_counted_at_once(city):
    """What the KPI-only load does (events counted per chunk, added into the rollups)."""
    from liulin.whistle.models import KpiRollup

    at_once = _rollup_table()
    KpiRollup.objects.all().delete()
    middle = (city["first_ticket"] + city["last_ticket"]) // 2
    generate.load_rollups(city["first_ticket"], middle, add=True)
    generate.load_rollups(middle + 1, city["last_ticket"], add=True)
    assert _rollup_table() == at_once


def test_a_load_that_keeps_no_events_counts_them_first(db, monkeypatch):
    from django.db.models import Sum

    from liulin.whistle.models import KpiRollup

    monkeypatch.setattr(generate, "CHUNK", 150)  # four chunks of the 600 tickets
    stats = generate.generate(PARAMS, keep_events=False, log=lambda *_: None)
    assert stats["events_kept"] is False and stats["events"] > 0
    assert not TicketEvent.objects.exists() and Ticket.objects.count() == PARAMS.tickets
    assert KpiRollup.objects.filter(grain="area").aggregate(n=Sum("filed"))["n"] == PARAMS.tickets
    with pytest.raises(RuntimeError, match="without its events"):
        generate.ensure(PARAMS, log=lambda *_: None)


def test_kpis_read_the_generated_rollups(city):
    people = personas()
    now = datetime.datetime.fromisoformat(PARAMS.now)
    start = time.perf_counter()
    first = (now - datetime.timedelta(days=365)).date()
    rows = kpi.kpis(people["operator"], period_start=first, period_end=now.date())
    print(f"city-year KPIs in {(time.perf_counter() - start) * 1000:.1f} ms")
    since, _ = month_bounds(first)
    _, until = month_bounds(now.date())
    assert rows[0].counts["filed"] == Ticket.objects.filter(created_at__gte=since, created_at__lt=until).count()
    assert rows[0].response_rate is not None and 0 < rows[0].response_rate <= 1


def test_sweep_escalates_exactly_the_breached_tickets(city):
    now = datetime.datetime.fromisoformat(PARAMS.now) + datetime.timedelta(days=2)
    breached = set(
        Ticket.objects.filter(state__in=["dispatched", "accepted", "in_progress"], resolve_due__lte=now, resolve_overdue=False,
                              tier__lt=3, policy__escalate_on_breach=True).values_list("pk", flat=True)
    )
    accept_breached = set(
        Ticket.objects.filter(state="dispatched", accept_due__lte=now, accept_overdue=False).values_list("pk", flat=True)
    )
    # A missed acceptance also moves up a tier once its policy's grace has passed.
    unaccepted = Ticket.objects.filter(state="dispatched", accept_escalated=False, tier__lt=3, policy__escalate_on_breach=True,
                                       policy__accept_escalate_after_minutes__isnull=False).select_related("policy")
    accept_escalating = [
        t.pk for t in unaccepted
        if t.accept_due + datetime.timedelta(minutes=t.policy.accept_escalate_after_minutes) <= now
    ]
    before = TicketEvent.objects.count()
    start = time.perf_counter()
    counts = sweep_deadlines(now=now)
    print(f"sweep {counts} in {(time.perf_counter() - start) * 1000:.1f} ms")
    escalated = list(TicketEvent.objects.filter(action="escalate", at=now).values_list("ticket_id", flat=True))
    assert breached, "the tiny city should have tickets due within two days"
    assert sorted(escalated) == sorted([*breached, *accept_escalating])  # each breach exactly once
    assert counts["accept_overdue"] == len(accept_breached)
    assert counts["accept_escalated"] == len(accept_escalating)
    assert TicketEvent.objects.count() > before
    assert sweep_deadlines(now=now) == {"accept_overdue": 0, "resolve_overdue": 0, "accept_escalated": 0, "reminded": 0}
    assert rollups.differences() == []


def test_worklists_and_api_pages_answer(city):
    people = personas()
    for name in ("property_company", "department", "grid_worker", "community_secretary"):
        user = people[name]
        rows, cursor = selectors.worklist(user)
        assert rows, name
        assert all(r.state in selectors.WORKLIST_STATES for r in rows)
        if cursor is not None:
            more, _ = selectors.worklist(user, after=cursor)
            assert not {r.pk for r in rows} & {r.pk for r in more}
        client = Client()
        client.force_login(user)
        assert client.get("/whistle/work/").status_code == 200


def test_the_worklist_benchmark_reads_the_lists_at_the_generation_moment(city):
    from bench import worklists

    people = personas()
    tokens = {name: create_token(actor=user, user=user, name="bench test", scopes=["tickets:read"])[1]
              for name, user in people.items() if user is not None}
    now = datetime.datetime.fromisoformat(PARAMS.now)
    seen, original = [], selectors.supervisor_board

    def recording(user, **kwargs):
        seen.append(clock.now())
        return original(user, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(selectors, "supervisor_board", recording)
        figures = worklists.run(people, tokens, now=now, repeat=1, deep=1, log=lambda *_: None)
    assert figures["worklist community_secretary: page first"]["rows"] > 0
    # Read weeks later, every open ticket would be overdue and the near-deadline list empty.
    assert seen and all(abs(moment - now) < datetime.timedelta(minutes=5) for moment in seen)


def test_intake_through_the_api_at_small_n(city):
    people = personas()
    operator = people["operator"]
    _, token = create_token(actor=operator, user=operator, name="bench test", scopes=["tickets:write"])
    client = Client()
    from liulin.territory.models import Building

    buildings = list(Building.objects.values_list("pk", flat=True)[:5])
    latencies, ids = [], []
    for i in range(10):
        body = {"category": "property-leak", "description": "楼上漏水，天花板渗水", "building_id": buildings[i % 5],
                "client_request_id": f"bench-test-{i}"}
        start = time.perf_counter()
        response = client.post("/api/v1/tickets", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        latencies.append(time.perf_counter() - start)
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    again = client.post("/api/v1/tickets", {"category": "property-leak", "description": "x", "building_id": buildings[0],
                                            "client_request_id": "bench-test-0"},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert again.status_code == 200 and again.json()["id"] == ids[0]
    print(summary(latencies))
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert ticket.state == "dispatched" and ticket.handling_org_id and ticket.resolve_due
        assert events.verify_chain(ticket) is None
    assert rollups.differences() == []


def test_queued_intake_through_the_api_at_small_n(city):
    from liulin.territory.models import Building
    from liulin.whistle.models import Intake
    from liulin.whistle.services import queue

    operator = personas()["operator"]
    _, token = create_token(actor=operator, user=operator, name="bench test", scopes=["tickets:write"])
    client = Client()
    buildings = list(Building.objects.values_list("pk", flat=True)[:5])
    latencies = []
    for i in range(10):
        body = {"category": "property-leak", "description": "楼上漏水，天花板渗水", "building_id": buildings[i % 5],
                "client_request_id": f"bench-queued-{i}"}
        start = time.perf_counter()
        response = client.post("/api/v1/tickets/intake", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        latencies.append(time.perf_counter() - start)
        assert response.status_code == 202, response.content
    print(summary(latencies))
    assert queue.drain() == 10
    assert Intake.objects.filter(status=Intake.Status.FILED).count() == 10
    for ticket in Ticket.objects.filter(client_request_id__startswith="bench-queued-"):
        assert ticket.state == "dispatched" and ticket.handling_org_id and ticket.resolve_due
        assert events.verify_chain(ticket) is None
    assert rollups.differences() == []


def test_the_in_process_202_is_timed_and_leaves_nothing_for_a_drain(city):
    from bench import intake
    from liulin.territory.models import Building
    from liulin.whistle.models import Intake

    operator = personas()["operator"]
    _, token = create_token(actor=operator, user=operator, name="bench test", scopes=["tickets:write"])
    load = {"token": token, "buildings": list(Building.objects.values_list("pk", flat=True)[:5])}
    result = intake._accepted_in_process(load, log=lambda *_: None, repeat=5)
    assert result["count"] == 5 and result["cpu_p50_ms"] > 0
    assert not Intake.objects.exists()  # the 55 requests (5 and the warm-up) were deleted


def test_the_generators_working_time_is_the_calendars(db):
    """The generator counts working time on epoch seconds for speed; it must agree with the
    platform's calendar over nights, weekends and the holidays the demo calendar holds."""
    from liulin.core.calendar import add_working_minutes, local_zone

    worktime = generate.WorkTime()
    start = datetime.datetime(2026, 9, 28, 7, 45, tzinfo=local_zone())  # the week before the National Day holiday
    for hours in range(0, 24 * 14, 5):
        moment = start + datetime.timedelta(hours=hours, minutes=hours % 60)
        for minutes in (30, 240, 2400):
            expected = add_working_minutes(moment, minutes)
            assert worktime.add(int(moment.timestamp()), minutes) == int(expected.timestamp()), (moment, minutes)


def test_the_dashboard_page_at_a_tiny_city(city):
    from bench import dashboard

    now = datetime.datetime.fromisoformat(PARAMS.now)
    figures = dashboard.run(personas(), now=now, repeat=2, log=print)
    assert set(figures) == {"dashboard cockpit (community)", "dashboard cockpit (district)"}
    for f in figures.values():
        assert f["count"] == 2 and f["rows"] >= 2 and f["queries"] <= 30
