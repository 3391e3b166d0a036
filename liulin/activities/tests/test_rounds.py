"""Enrolment rounds of a class: returning students renew, then applications, then a public
lottery within priority tiers that anyone can reproduce, then first come and the waiting list."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from liulin.activities import lottery, services
from liulin.activities.models import Activity, Enrolment
from liulin.core import clock
from liulin.core.errors import Conflict, Invalid

from .factories import Town

E = Enrolment.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return Town()


def enrol(person, activity):
    return services.enrol(actor=person.user, activity=activity, resident=person)


def test_returning_students_renew_first_by_their_attendance(town):
    old = town.term(name="春季学期")
    earlier = town.klass(term=old, course="书法", capacity=10)
    keen, absent = town.resident(), town.resident()
    e_keen, e_absent = enrol(keen, earlier), enrol(absent, earlier)
    for week in range(4):
        with time_machine.travel(clock.now() + datetime.timedelta(days=7 * week)):
            services.check_in(actor=town.staff, activity=earlier, enrolment=e_keen)
            if week == 0:
                services.check_in(actor=town.staff, activity=earlier, enrolment=e_absent)
    assert services.attendance_share(e_keen) == 100 and services.attendance_share(e_absent) == 25
    with time_machine.travel(clock.now() + datetime.timedelta(days=200)):
        renewal = town.klass(term=town.term(name="秋季学期", renewal_attendance_percent=50), course="书法",
                             state=Activity.State.RENEWAL)
        assert enrol(keen, renewal).state == E.CONFIRMED
        for person in (absent, town.resident()):
            with pytest.raises(Conflict) as refused:
                enrol(person, renewal)
            assert refused.value.code == "renewal_only"


def test_applications_wait_for_the_draw_then_places_go_by_lot(town):
    term = town.term(max_classes=2)
    klass = town.klass(term=term, capacity=3, course="智能手机", state=Activity.State.APPLYING)
    other = town.klass(term=term, capacity=50, course="声乐", slots=((4, "09:00", "10:00"),))
    people = [town.resident() for _ in range(6)]
    for person in people[:2]:  # already in another class this term: tier 1
        enrol(person, other)
    applications = [enrol(p, klass) for p in people]
    assert {a.state for a in applications} == {E.APPLIED}
    assert [a.tier for a in applications] == [1, 1, 0, 0, 0, 0]
    assert Activity.objects.get(pk=klass.pk).taken == 0
    services.act_on_activity(actor=town.staff, activity=klass, action="draw")
    klass.refresh_from_db()
    assert klass.state == Activity.State.OPEN and klass.taken == 3 and klass.draw_seed
    results = {e.resident_id: e for e in Enrolment.objects.filter(activity=klass)}
    # Four first-class applicants for three places: the tier-1 pair are both behind them.
    assert sum(results[p.pk].state == E.CONFIRMED for p in people[2:]) == 3
    assert all(results[p.pk].state == E.WAITING for p in people[:2])
    waiting = sorted((e for e in results.values() if e.state == E.WAITING), key=lambda e: e.ticket)
    assert [e.draw_rank for e in waiting] == [4, 5, 6]  # the waiting list is in rank order
    latecomer = enrol(town.resident(), klass)
    assert latecomer.state == E.WAITING and services.waiting_position(latecomer) == 4


def test_the_draw_reproduces_from_its_published_inputs_and_a_change_shows(town):
    klass = town.klass(capacity=2, state=Activity.State.APPLYING)
    for _ in range(5):
        enrol(town.resident(), klass)
    services.act_on_activity(actor=town.staff, activity=klass, action="draw")
    klass.refresh_from_db()
    holds, expected, stored = lottery.verify(klass)
    assert holds and expected == stored and len(stored) == 5
    rows = list(Enrolment.objects.filter(activity=klass).values_list("pk", "resident_id", "tier"))
    seed = lottery.seed_of(klass.draw_public_value, lottery.applicants_hash(rows))
    assert seed == klass.draw_seed and lottery.ranking(seed, rows) == stored  # same inputs, same result
    out = io.StringIO()
    call_command("verify_draw", str(klass.pk), stdout=out)
    assert "reproduces" in out.getvalue()
    Enrolment.objects.filter(pk=stored[0]).update(draw_rank=99)  # someone moves a winner
    with pytest.raises(CommandError):
        call_command("verify_draw", str(klass.pk), stdout=io.StringIO())


def test_the_public_value_is_required_and_rounds_are_for_classes(town):
    klass = town.klass(state=Activity.State.DRAFT)
    with pytest.raises(Invalid) as refused:
        services.act_on_activity(actor=town.staff, activity=klass, action="open_applications", public_value="")
    assert refused.value.code == "public_value_required"
    event = town.event(state=Activity.State.DRAFT)
    with pytest.raises(Conflict):
        services.act_on_activity(actor=town.staff, activity=event, action="open_renewal")
    assert Activity.objects.get(pk=event.pk).state == Activity.State.DRAFT


def test_order_of_application_gives_no_advantage():
    rows = [(pk, pk + 100, 0) for pk in range(1, 41)]
    seed = lottery.seed_of("2025-12-08 双色球 03 12 18 22 27 31 + 09", lottery.applicants_hash(rows))
    order = lottery.ranking(seed, rows)
    assert sorted(order) == [pk for pk, *_ in rows] and order != [pk for pk, *_ in rows]
    assert lottery.ranking(seed, list(reversed(rows))) == order  # the list's order does not matter
