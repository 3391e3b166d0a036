"""Enrolment rules, boundaries and the waiting list, one rule a test."""

import datetime

import pytest
import time_machine

from liulin.activities import services
from liulin.activities.models import Activity, Enrolment, EnrolmentEvent, FamilyLink, NoShowPolicy
from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.people.tests.factories import make_id_number

from .factories import Town

E = Enrolment.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return Town()


def enrol(resident, activity, **kw):
    return services.enrol(actor=resident.user, activity=activity, resident=resident, **kw)


def test_places_then_waiting_list_in_arrival_order(town):
    event = town.event(capacity=3, reserved=1)
    people = [town.resident() for _ in range(5)]
    states = [enrol(p, event).state for p in people]
    assert states == [E.CONFIRMED, E.CONFIRMED, E.WAITING, E.WAITING, E.WAITING]
    event.refresh_from_db()
    assert event.taken == 2 and event.open_places == 0
    waiting = Enrolment.objects.filter(activity=event, state=E.WAITING).order_by("id")
    assert [services.waiting_position(e) for e in waiting] == [1, 2, 3]


def test_one_live_enrolment_per_person(town):
    event, person = town.event(), town.resident()
    enrol(person, event)
    with pytest.raises(Conflict) as refused:
        enrol(person, event)
    assert refused.value.code == "already_enrolled"
    event.refresh_from_db()
    assert event.taken == 1 and Enrolment.objects.filter(activity=event).count() == 1


def test_after_cancelling_one_may_enrol_again(town):
    event, person = town.event(), town.resident()
    first = enrol(person, event)
    services.act_on_enrolment(actor=person.user, enrolment=first, action="cancel")
    assert enrol(person, event).state == E.CONFIRMED


def test_a_draft_or_closed_activity_takes_no_enrolment(town):
    for state in (Activity.State.DRAFT, Activity.State.CLOSED, Activity.State.FINISHED, Activity.State.CANCELLED):
        with pytest.raises(Conflict) as refused:
            enrol(town.resident(), town.event(state=state))
        assert refused.value.code == "not_open"


def test_a_stranger_cannot_enrol_someone_else(town):
    event, person, stranger = town.event(), town.resident(), town.resident()
    with pytest.raises(NotPermitted):
        services.enrol(actor=stranger.user, activity=event, resident=person)
    assert not Enrolment.objects.exists()


def test_family_enrols_by_proxy_with_consent_recorded(town):
    klass = town.klass()
    mother = town.resident(age=79)
    daughter = town.resident(age=50)  # another household: a verified family link
    FamilyLink.objects.create(resident=mother, relative=daughter, kind="family", verified_by=town.staff)
    enrolment = services.enrol(actor=daughter.user, activity=klass, resident=mother)
    assert (enrolment.channel, enrolment.consent_by, enrolment.state) == ("family", daughter, E.CONFIRMED)
    assert enrolment.consent_at is not None


def test_counter_enrolment_needs_the_id_card(town):
    klass = town.klass()
    number = make_id_number(datetime.date(clock.today().year - 70, 1, 1), seq=7, region="439901")
    elder = town.resident(age=70, with_user=False, id_number=number)
    with pytest.raises(Invalid) as refused:
        services.enrol(actor=town.staff, activity=klass, resident=elder, id_number=make_id_number(datetime.date(clock.today().year - 70, 1, 1), seq=8, region="439901"))
    assert refused.value.code in ("id_mismatch", "birth_date_mismatch", "invalid")
    enrolment = services.enrol(actor=town.staff, activity=klass, resident=elder, id_number=number)
    assert enrolment.channel == "counter"


@pytest.mark.parametrize(("gender", "age", "ok"), [("F", 49, False), ("F", 50, True), ("M", 54, False), ("M", 55, True),
                                                    ("F", 80, True), ("F", 81, False)])
def test_class_age_rules_by_sex(town, gender, age, ok):
    klass, person = town.klass(), town.resident(age=age, gender=gender)
    if ok:
        assert enrol(person, klass).state == E.CONFIRMED
    else:
        with pytest.raises(Invalid):
            enrol(person, klass)


def test_returning_student_over_80_needs_family_consent_and_pledge(town):
    old_term = town.term(name="上学期")
    earlier = town.klass(term=old_term, course="书法", slots=((2, "09:00", "10:00"),))
    elder = town.resident(age=79)
    enrol(elder, earlier)
    son = town.resident(age=55, household=elder.household)
    with time_machine.travel(clock.now() + datetime.timedelta(days=400)):
        klass = town.klass(term=town.term(name="下学年"))
        with pytest.raises(Invalid) as refused:
            enrol(elder, klass)
        assert refused.value.code == "consent_required"
        enrolment = services.enrol(actor=son.user, activity=klass, resident=elder, safety_pledge=True)
        assert enrolment.consent_by == son and enrolment.safety_pledge


def test_class_for_residents_of_the_community_only(town):
    klass, outsider = town.klass(), Town().resident(age=60)
    with pytest.raises(Invalid) as refused:
        enrol(outsider, klass)
    assert refused.value.code == "not_resident"
    assert not Enrolment.objects.exists()


def test_no_timetable_clash_and_at_most_the_terms_classes(town):
    term = town.term(max_classes=2)
    a = town.klass(term=term, course="声乐", slots=((0, "09:00", "10:30"),))
    clash = town.klass(term=term, course="舞蹈", slots=((0, "10:00", "11:00"),))
    b = town.klass(term=term, course="书法", slots=((0, "10:30", "12:00"),))  # touching is no clash
    c = town.klass(term=term, course="太极拳", slots=((3, "09:00", "10:00"),))
    person = town.resident()
    enrol(person, a)
    with pytest.raises(Conflict) as refused:
        enrol(person, clash)
    assert refused.value.code == "timetable_clash"
    enrol(person, b)
    with pytest.raises(Conflict) as refused:
        enrol(person, c)
    assert refused.value.code == "too_many_classes"


def test_minor_needs_a_verified_guardian_and_consent(town):
    camp = town.event(min_age=6, max_age=14)
    child = town.resident(age=10, with_user=False)
    parent = town.resident(age=40)
    neighbour = town.resident(age=40)
    FamilyLink.objects.create(resident=child, relative=neighbour, kind="family", verified_by=town.staff)
    with pytest.raises(Invalid) as refused:
        services.enrol(actor=neighbour.user, activity=camp, resident=child)
    assert refused.value.code == "guardian_required"
    FamilyLink.objects.create(resident=child, relative=parent, kind="guardian", verified_by=town.staff)
    enrolment = services.enrol(actor=parent.user, activity=camp, resident=child)
    assert enrolment.consent_by == parent and enrolment.consent_at is not None


@pytest.mark.parametrize(("age", "ok"), [(5, False), (6, True), (14, True), (15, False)])
def test_event_age_bounds(town, age, ok):
    camp = town.event(min_age=6, max_age=14)
    person = town.resident(age=age, with_user=False)
    guardian = town.resident(age=40)
    FamilyLink.objects.create(resident=person, relative=guardian, kind="guardian", verified_by=town.staff)
    if ok:
        services.enrol(actor=guardian.user, activity=camp, resident=person)
    else:
        with pytest.raises(Invalid):
            services.enrol(actor=guardian.user, activity=camp, resident=person)


# --- the waiting list holds a place -------------------------------------------------------------


def test_a_freed_place_is_offered_to_the_first_in_line_and_held(town):
    event = town.event(capacity=1)
    first, second, third = town.resident(), town.resident(), town.resident()
    held = enrol(first, event)
    w2, w3 = enrol(second, event), enrol(third, event)
    services.act_on_enrolment(actor=first.user, enrolment=held, action="cancel")
    w2.refresh_from_db()
    assert w2.state == E.OFFERED and w2.offer_expires_at is not None
    event.refresh_from_db()
    assert event.taken == 1  # the place is held for him: nobody else can take it
    latecomer = enrol(town.resident(), event)
    assert latecomer.state == E.WAITING
    services.act_on_enrolment(actor=second.user, enrolment=w2, action="accept")
    w2.refresh_from_db()
    assert w2.state == E.CONFIRMED
    w3.refresh_from_db()
    assert w3.state == E.WAITING and services.waiting_position(w3) == 1


def test_an_offer_lapses_after_the_hold_and_moves_on(town):
    event = town.event(capacity=1, starts_in=datetime.timedelta(days=10), hold_hours=48)
    first, second, third = town.resident(), town.resident(), town.resident()
    held = enrol(first, event)
    w2, w3 = enrol(second, event), enrol(third, event)
    services.act_on_enrolment(actor=first.user, enrolment=held, action="cancel")
    with time_machine.travel(clock.now() + datetime.timedelta(hours=47)):
        assert services.sweep_offers() == []
    with time_machine.travel(clock.now() + datetime.timedelta(hours=48, seconds=1)):
        assert services.sweep_offers() == [w2.pk]
        w2.refresh_from_db()
        w3.refresh_from_db()
        assert (w2.state, w3.state) == (E.EXPIRED, E.OFFERED)
        with pytest.raises(Conflict):
            services.act_on_enrolment(actor=second.user, enrolment=w2, action="accept")
        assert services.sweep_offers() == []  # twice does nothing twice
    with time_machine.travel(clock.now() + datetime.timedelta(hours=97)):
        services.sweep_offers()
    event.refresh_from_db()
    assert event.taken == 0  # nobody left in line: the place is free again


def test_accepting_after_the_hold_is_refused(town):
    event = town.event(capacity=1)
    first, second = town.resident(), town.resident()
    held, waiting = enrol(first, event), enrol(second, event)
    services.act_on_enrolment(actor=first.user, enrolment=held, action="cancel")
    with time_machine.travel(clock.now() + datetime.timedelta(hours=49)):
        with pytest.raises(Conflict) as refused:
            services.act_on_enrolment(actor=second.user, enrolment=waiting, action="accept")
        assert refused.value.code == "offer_expired"


def test_declining_passes_the_place_on(town):
    event = town.event(capacity=1)
    a, b, c = town.resident(), town.resident(), town.resident()
    held, wb, wc = enrol(a, event), enrol(b, event), enrol(c, event)
    services.act_on_enrolment(actor=a.user, enrolment=held, action="cancel")
    services.act_on_enrolment(actor=b.user, enrolment=wb, action="decline")
    wc.refresh_from_db()
    assert wc.state == E.OFFERED


def test_leaving_the_waiting_list_frees_no_place(town):
    event = town.event(capacity=1)
    a, b = town.resident(), town.resident()
    enrol(a, event)
    wb = enrol(b, event)
    services.act_on_enrolment(actor=b.user, enrolment=wb, action="cancel")
    event.refresh_from_db()
    assert event.taken == 1


def test_the_offer_task_is_queued_for_the_moment_it_lapses(town, django_capture_on_commit_callbacks):
    event = town.event(capacity=1)
    a, b = town.resident(), town.resident()
    held, wb = enrol(a, event), enrol(b, event)
    with django_capture_on_commit_callbacks(execute=True):
        services.act_on_enrolment(actor=a.user, enrolment=held, action="cancel")
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path__endswith="expire_offer_task").get()
    wb.refresh_from_db()
    assert queued.run_after == wb.offer_expires_at and queued.args_kwargs["args"] == [wb.pk]


# --- cancellation cut-off and the no-show policy ----------------------------------------------------


def test_cancelling_after_the_cutoff_counts_as_a_strike(town):
    event = town.event(starts_in=datetime.timedelta(hours=30), cancel_cutoff_hours=24)
    a, b = town.resident(), town.resident()
    timely, late = enrol(a, event), enrol(b, event)
    services.act_on_enrolment(actor=a.user, enrolment=timely, action="cancel")
    with time_machine.travel(clock.now() + datetime.timedelta(hours=7)):
        services.act_on_enrolment(actor=b.user, enrolment=late, action="cancel")
    timely.refresh_from_db()
    late.refresh_from_db()
    assert (timely.late_cancel, late.late_cancel) == (False, True)


def test_three_no_shows_mean_waiting_list_only_for_30_days(town):
    NoShowPolicy.objects.create(community=town.community, threshold=3, restriction_days=30, lookback_days=180)
    person = town.resident()
    for n in range(3):
        event = town.event(title=f"运动会{n}", starts_in=datetime.timedelta(days=1 + n))
        enrol(person, event)
        with time_machine.travel(event.ends_at + datetime.timedelta(hours=1)):
            services.act_on_activity(actor=town.staff, activity=event, action="finish")
    assert Enrolment.objects.filter(resident=person, state=E.NO_SHOW).count() == 3
    with time_machine.travel(clock.now() + datetime.timedelta(days=5)):
        assert enrol(person, town.event(title="好家风讲座")).state == E.WAITING
        assert services.restricted_until(person, town.community) is not None
    with time_machine.travel(clock.now() + datetime.timedelta(days=34)):
        assert enrol(person, town.event(title="夏令营分享会")).state == E.CONFIRMED


def test_timely_cancellations_are_no_strike(town):
    person = town.resident()
    for n in range(3):
        e = enrol(person, town.event(title=f"讲座{n}"))
        services.act_on_enrolment(actor=person.user, enrolment=e, action="cancel")
    assert services.restricted_until(person, town.community) is None


# --- the record ---------------------------------------------------------------------------------


def test_every_step_is_chained(town):
    event = town.event(capacity=1)
    a, b = town.resident(), town.resident()
    held, wb = enrol(a, event), enrol(b, event)
    services.act_on_enrolment(actor=a.user, enrolment=held, action="cancel")
    services.act_on_enrolment(actor=b.user, enrolment=wb, action="accept")
    assert list(wb.events.values_list("action", flat=True)) == ["enrol", "offer", "accept"]
    assert chain.verify(EnrolmentEvent, wb) is None and chain.verify(EnrolmentEvent, held) is None
