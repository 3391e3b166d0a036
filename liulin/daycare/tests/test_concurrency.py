"""Real concurrent enrolments for the last place (threads released together, each on its own
connection), on SQLite (a file, WAL, IMMEDIATE) and PostgreSQL: one elder gets it, the rest
wait, and no weekday is oversold."""

import pytest

from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.daycare import services
from liulin.daycare.models import DayPlace, Enrolment

from .factories import Station

E = Enrolment.State
pytestmark = pytest.mark.django_db(transaction=True)


def test_30_concurrent_enrolments_for_the_last_place(tmp_path):
    station = Station(capacity=3)
    station.elder()
    station.elder()  # two of three places taken on every weekday
    elders = [station.resident(with_user=False) for _ in range(30)]
    use = threads_database(tmp_path)

    def attempt(elder):
        return lambda: services.enrol(actor=station.manager, centre=station.centre, elder=elder, days=[0, 2, 4]).state

    results, errors = run_at_once([attempt(e) for e in elders], before=use)
    assert errors == []
    assert results.count(E.ACTIVE) == 1 and results.count(E.WAITING) == 29
    taken, active = read_in_threads(lambda: (
        dict(DayPlace.objects.filter(centre=station.centre).values_list("weekday", "taken")),
        Enrolment.objects.filter(centre=station.centre, state=E.ACTIVE).count(),
    ), use)
    assert taken == {0: 3, 1: 2, 2: 3, 3: 2, 4: 3}
    assert active == 3
