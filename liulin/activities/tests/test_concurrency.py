"""Real concurrent enrolments (threads released together, each on its own connection), on
SQLite (a file, WAL, IMMEDIATE) and PostgreSQL: places are never oversold, a person is
enrolled once, and two places freed at once go to two different people."""

import pytest

from liulin.activities import services
from liulin.activities.models import Activity, Enrolment
from liulin.core.testing.concurrency import run_at_once, threads_database

from .factories import Town

E = Enrolment.State
pytestmark = pytest.mark.django_db(transaction=True)


def _read(use, query):
    [value], errors = run_at_once([query], before=use)
    assert errors == []
    return value


def test_100_concurrent_registrations_for_20_seats(tmp_path):
    town = Town()
    event = town.event(capacity=24, reserved=4)
    people = [town.resident(with_user=True) for _ in range(100)]
    use = threads_database(tmp_path)

    def attempts(batch):
        return lambda: [services.enrol(actor=p.user, activity=event, resident=p).state for p in batch]

    # 50 clients of two attempts each: PostgreSQL here allows 100 connections in all.
    batches, errors = run_at_once([attempts(people[i::50]) for i in range(50)], before=use)
    assert errors == []
    results = [state for batch in batches for state in batch]
    assert results.count(E.CONFIRMED) == 20 and results.count(E.WAITING) == 80
    taken, confirmed_count, confirmed, waiting = _read(use, lambda: (
        Activity.objects.get(pk=event.pk).taken,
        Enrolment.objects.filter(activity=event, state=E.CONFIRMED).count(),
        sorted(Enrolment.objects.filter(activity=event, state=E.CONFIRMED).values_list("ticket", flat=True)),
        list(Enrolment.objects.filter(activity=event, state=E.WAITING).order_by("id").values_list("ticket", flat=True)),
    ))
    assert (taken, len(confirmed), len(waiting)) == (20, 20, 80)
    # Arrival order: the first 20 served hold the places, the other 80 wait behind them in turn.
    assert confirmed == list(range(1, 21)) and sorted(waiting) == list(range(21, 101))


def test_one_person_tapping_five_times_at_once_is_enrolled_once(tmp_path):
    town = Town()
    event = town.event(capacity=10)
    person = town.resident()
    use = threads_database(tmp_path)
    results, errors = run_at_once([lambda: services.enrol(actor=person.user, activity=event, resident=person)] * 5, before=use)
    assert len([r for r in results if r is not None]) == 1
    assert len(errors) == 4 and all(getattr(e, "code", "") == "already_enrolled" for e in errors)
    assert _read(use, lambda: (Enrolment.objects.filter(activity=event).count(), Activity.objects.get(pk=event.pk).taken)) == (1, 1)


def test_two_places_freed_at_once_reach_two_people(tmp_path):
    town = Town()
    event = town.event(capacity=2)
    holders = [town.resident() for _ in range(2)]
    held = [services.enrol(actor=p.user, activity=event, resident=p) for p in holders]
    waiting = [town.resident() for _ in range(3)]
    for p in waiting:
        services.enrol(actor=p.user, activity=event, resident=p)
    use = threads_database(tmp_path)
    calls = [lambda p=p, e=e: services.act_on_enrolment(actor=p.user, enrolment=e, action="cancel") for p, e in zip(holders, held, strict=True)]
    _, errors = run_at_once(calls, before=use)
    assert errors == []
    offered, still_waiting, taken = _read(use, lambda: (
        Enrolment.objects.filter(activity=event, state=E.OFFERED).count(),
        Enrolment.objects.filter(activity=event, state=E.WAITING).count(),
        Activity.objects.get(pk=event.pk).taken,
    ))
    assert (offered, still_waiting, taken) == (2, 1, 2)


def test_rush_on_seven_classes_at_once(tmp_path):
    town = Town()
    term = town.term()
    classes = [town.klass(term=term, course=f"课程{n}", capacity=5, slots=((n % 7, "09:00", "10:00"),)) for n in range(7)]
    people = [town.resident(age=62) for _ in range(42)]
    use = threads_database(tmp_path)
    calls = [lambda p=p, k=classes[i % 7]: services.enrol(actor=p.user, activity=k, resident=p).state for i, p in enumerate(people)]
    results, errors = run_at_once(calls, before=use)
    assert errors == []
    counts = _read(use, lambda: [
        (Activity.objects.get(pk=k.pk).taken, Enrolment.objects.filter(activity=k, state=E.CONFIRMED).count(),
         Enrolment.objects.filter(activity=k, state=E.WAITING).count()) for k in classes
    ])
    assert counts == [(5, 5, 1)] * 7 and results.count(E.CONFIRMED) == 35


def test_one_ballot_a_day_even_when_tapped_at_once(tmp_path):
    from liulin.activities import selection as sel
    from liulin.activities.models import Ballot

    town = Town()
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风")
    person = town.resident()
    nomination = sel.nominate(actor=person.user, selection=selection, household=person.household, family_name="王家",
                              story="孝老爱亲，邻里和睦，热心公益。")
    for step in ("start_review", "start_voting"):
        if step == "start_voting":
            sel.review(actor=town.staff, nomination=nomination, accept=True)
        sel.act_on_selection(actor=town.staff, selection=selection, action=step)
    voter = town.resident()
    use = threads_database(tmp_path)
    results, errors = run_at_once([lambda: sel.vote(actor=voter.user, selection=selection, nominations=[nomination])] * 4, before=use)
    assert len([r for r in results if r is not None]) == 1
    assert all(getattr(e, "code", "") == "voted_today" for e in errors) and len(errors) == 3, errors
    assert _read(use, lambda: Ballot.objects.filter(voter=voter.user).count()) == 1
