"""未诉先办: recurring clusters by category × grid × month, their trend, and proactive tasks."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotFound
from liulin.core.roles import Role
from liulin.territory.tests.factories import BuildingFactory, GridFactory
from liulin.whistle import recurring
from liulin.whistle.models import Channel, State, Ticket
from liulin.whistle.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
JUNE = datetime.date(2026, 6, 1)


def filed(building, category, month, n, **kw):
    for i in range(n):
        TicketFactory(building=building, category=category, created_at=datetime.datetime(2026, month, 1 + i, 10, tzinfo=CST), **kw)


@pytest.fixture
def area():
    grid = GridFactory()
    other_grid = GridFactory(community=grid.community)
    lights, noise = CategoryFactory(name="路灯"), CategoryFactory(name="噪音")
    here, there = BuildingFactory(grid=grid), BuildingFactory(grid=other_grid)
    # 路灯 in the first grid: Jan 1, Mar 2, Apr 1, May 2, Jun 5 (rising: 5 vs the 1.2 average)
    for month, n in [(1, 1), (3, 2), (4, 1), (5, 2), (6, 5)]:
        filed(here, lights, month, n)
    # 噪音 in the second grid: 3 in each of Feb..May, 1 in June (falling: 1 vs 2.4)
    for month in (2, 3, 4, 5):
        filed(there, noise, month, 3)
    filed(there, noise, 6, 1)
    # Noise that does not count: a single ticket elsewhere; duplicates; December (out of the window).
    filed(here, noise, 6, 1)
    filed(here, noise, 6, 4, state=State.MERGED)
    TicketFactory(building=here, category=noise, created_at=datetime.datetime(2025, 12, 20, tzinfo=CST))
    return {"grid": grid, "other_grid": other_grid, "lights": lights, "noise": noise, "community": grid.community}


def test_clusters_are_counted_per_month_with_their_trend(area):
    staff = make_user(Role.COMMUNITY_STAFF, area["community"])
    found = recurring.clusters(staff, month=JUNE, months=6)
    # Largest total first: noise (13) before lights (11); the lone noise ticket in the first grid is no cluster.
    assert [(c.category, c.grid) for c in found] == [(area["noise"], area["other_grid"]), (area["lights"], area["grid"])]
    noise, lights = found
    assert lights.months == [
        (datetime.date(2026, 1, 1), 1),
        (datetime.date(2026, 2, 1), 0),
        (datetime.date(2026, 3, 1), 2),
        (datetime.date(2026, 4, 1), 1),
        (datetime.date(2026, 5, 1), 2),
        (datetime.date(2026, 6, 1), 5),
    ]
    assert (lights.total, lights.this_month, lights.previous_average, lights.trend) == (11, 5, pytest.approx(1.2), "up")
    assert (noise.total, noise.this_month, noise.previous_average, noise.trend) == (13, 1, pytest.approx(2.4), "down")


def test_a_grid_worker_sees_only_his_grids_clusters(area):
    worker = make_user(Role.GRID_WORKER, area["other_grid"])
    found = recurring.clusters(worker, month=JUNE, months=6)
    assert [(c.category, c.grid) for c in found] == [(area["noise"], area["other_grid"])]
    outsider = make_user(Role.COMMUNITY_STAFF, GridFactory().community)
    assert recurring.clusters(outsider, month=JUNE, months=6) == []


def test_a_shorter_window_and_threshold(area):
    staff = make_user(Role.COMMUNITY_STAFF, area["community"])
    found = recurring.clusters(staff, month=JUNE, months=2, min_total=4)
    # June + May only: lights 5 + 2 = 7, noise 1 + 3 = 4
    assert [(c.category.name, c.total) for c in found] == [("路灯", 7), ("噪音", 4)]


def test_a_supervisor_turns_a_cluster_into_one_proactive_task(area):
    secretary = make_user(Role.COMMUNITY_SECRETARY, area["community"])
    now = datetime.datetime(2026, 6, 20, 10, tzinfo=CST)
    ticket, created = recurring.make_proactive_task(actor=secretary, category=area["lights"], grid=area["grid"], month=JUNE, now=now)
    assert created
    assert ticket.channel == Channel.PROACTIVE
    assert ticket.grid == area["grid"] and ticket.category == area["lights"]
    assert "11件" in ticket.description and "上升" in ticket.description
    note = ticket.events.get(action="internal_note")
    assert note.internal
    assert note.data["source"] == "recurring"
    assert (note.data["category"], note.data["grid"], note.data["month"]) == (area["lights"].pk, area["grid"].pk, "2026-06")
    assert note.data["months"]["2026-06"] == 5 and note.data["total"] == 11

    again, created = recurring.make_proactive_task(actor=secretary, category=area["lights"], grid=area["grid"], month=JUNE, now=now)
    assert not created and again.pk == ticket.pk
    assert Ticket.objects.filter(channel=Channel.PROACTIVE).count() == 1
    # The task itself is not a complaint: the cluster still counts 5 in June, and shows its task.
    (lights,) = [c for c in recurring.clusters(secretary, month=JUNE) if c.category == area["lights"]]
    assert lights.this_month == 5 and lights.task.pk == ticket.pk


def test_only_supervisors_of_that_grid_make_tasks(area):
    worker = make_user(Role.GRID_WORKER, area["grid"])
    with pytest.raises(NotFound):
        recurring.make_proactive_task(actor=worker, category=area["lights"], grid=area["grid"], month=JUNE)
    outsider = make_user(Role.COMMUNITY_SECRETARY, GridFactory().community)
    with pytest.raises(NotFound):
        recurring.make_proactive_task(actor=outsider, category=area["lights"], grid=area["grid"], month=JUNE)
    assert not Ticket.objects.filter(channel=Channel.PROACTIVE).exists()
