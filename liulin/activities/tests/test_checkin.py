"""Check-in: a signed QR code, a typed ID number for elders, roll-call by the teacher; a
repeat scan admits nobody twice; minors in and out with a named adult."""

import datetime

import pytest
import time_machine

from liulin.accounts.tests.factories import make_user
from liulin.activities import services
from liulin.activities.models import Attendance, Enrolment, FamilyLink
from liulin.core import clock, service_hours
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.people.tests.factories import make_id_number

from .factories import Town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return Town()


def test_qr_check_in_then_a_repeat_scan_says_who_and_when(town):
    event, person = town.event(), town.resident()
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    code = services.checkin_code(enrolment)
    attendance, repeat = services.check_in(actor=town.staff, activity=event, code=code)
    assert not repeat and attendance.method == "qr" and attendance.by == town.staff
    again, repeat = services.check_in(actor=town.staff, activity=event, code=code)
    assert repeat and again.pk == attendance.pk and again.at == attendance.at
    assert Attendance.objects.count() == 1
    assert list(enrolment.events.values_list("action", flat=True)) == ["enrol", "check_in"]


def test_a_forged_or_foreign_code_is_refused(town):
    event, other = town.event(), town.event(title="运动会")
    person = town.resident()
    enrolment = services.enrol(actor=person.user, activity=other, resident=person)
    with pytest.raises(Invalid):
        services.check_in(actor=town.staff, activity=event, code=f"{enrolment.pk}:forged")
    with pytest.raises(NotFound):
        services.check_in(actor=town.staff, activity=event, code=services.checkin_code(enrolment))
    assert not Attendance.objects.exists()


def test_the_id_number_admits_an_elder_without_a_phone(town):
    event = town.event()
    number = make_id_number(datetime.date(clock.today().year - 82, 1, 1), seq=5, region="439902")
    elder = town.resident(age=82, with_user=False, id_number=number)
    services.enrol(actor=town.staff, activity=event, resident=elder, id_number=number)
    attendance, repeat = services.check_in(actor=town.staff, activity=event, id_number=number)
    assert attendance.method == "id" and not repeat


def test_waiting_people_are_not_admitted(town):
    event = town.event(capacity=1)
    a, b = town.resident(), town.resident()
    services.enrol(actor=a.user, activity=event, resident=a)
    waiting = services.enrol(actor=b.user, activity=event, resident=b)
    with pytest.raises(Conflict):
        services.check_in(actor=town.staff, activity=event, code=services.checkin_code(waiting))


def test_only_the_organisers_check_in(town):
    event, person = town.event(), town.resident()
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    with pytest.raises(NotFound):
        services.check_in(actor=person.user, activity=event, code=services.checkin_code(enrolment))
    auditor = make_user(Role.AUDITOR, town.community)
    with pytest.raises(NotPermitted):
        services.check_in(actor=auditor, activity=event, code=services.checkin_code(enrolment))


def test_teacher_takes_the_roll_each_day_the_class_meets(town):
    school = Organisation.objects.create(name="老年大学", kind="school", community=town.community)
    teacher = make_user(Role.TEACHER, school)
    klass = town.klass(organiser=school)
    person = town.resident()
    enrolment = services.enrol(actor=person.user, activity=klass, resident=person)
    services.check_in(actor=teacher, activity=klass, enrolment=enrolment)
    with time_machine.travel(clock.now() + datetime.timedelta(days=7)):
        services.check_in(actor=teacher, activity=klass, enrolment=enrolment)
    assert Attendance.objects.filter(enrolment=enrolment).count() == 2
    other_school = Organisation.objects.create(name="别的学校", kind="school", community=town.community)
    with pytest.raises(NotFound):
        services.check_in(actor=make_user(Role.TEACHER, other_school), activity=klass, enrolment=enrolment)


def test_a_minor_is_signed_in_and_out_by_a_named_adult(town):
    camp = town.event(min_age=6, max_age=14)
    child, parent = town.resident(age=9, with_user=False), town.resident(age=38)
    FamilyLink.objects.create(resident=child, relative=parent, kind="guardian", verified_by=town.staff)
    enrolment = services.enrol(actor=parent.user, activity=camp, resident=child)
    code = services.checkin_code(enrolment)
    with pytest.raises(Invalid) as refused:
        services.check_in(actor=town.staff, activity=camp, code=code)
    assert refused.value.code == "adult_required"
    attendance, _ = services.check_in(actor=town.staff, activity=camp, code=code, adult="王芳")
    with pytest.raises(Invalid):
        services.sign_out(actor=town.staff, attendance=attendance, adult="")
    attendance = services.sign_out(actor=town.staff, attendance=attendance, adult="王建国")
    assert (attendance.adult_in, attendance.adult_out) == ("王芳", "王建国") and attendance.out_at
    with pytest.raises(Conflict):
        services.sign_out(actor=town.staff, attendance=attendance, adult="王建国")


def test_finishing_an_event_records_who_came_and_who_did_not(town):
    event = town.event()
    came, absent = town.resident(), town.resident()
    e1 = services.enrol(actor=came.user, activity=event, resident=came)
    e2 = services.enrol(actor=absent.user, activity=event, resident=absent)
    services.check_in(actor=town.staff, activity=event, code=services.checkin_code(e1))
    services.act_on_activity(actor=town.staff, activity=event, action="finish")
    assert Enrolment.objects.get(pk=e1.pk).state == Enrolment.State.ATTENDED
    assert Enrolment.objects.get(pk=e2.pk).state == Enrolment.State.NO_SHOW


def test_cancelling_an_event_releases_every_place(town):
    event = town.event(capacity=1)
    a, b = town.resident(), town.resident()
    services.enrol(actor=a.user, activity=event, resident=a)
    services.enrol(actor=b.user, activity=event, resident=b)
    services.act_on_activity(actor=town.staff, activity=event, action="cancel_activity", reason="暴雨预警")
    event.refresh_from_db()
    assert event.taken == 0
    assert set(Enrolment.objects.filter(activity=event).values_list("state", flat=True)) == {"cancelled"}


def test_a_teams_finished_activity_reports_who_came_through_the_kernel(town):
    team = Organisation.objects.create(name="银燕腰鼓队", kind="culture_team", community=town.community)
    event = town.event(organiser=team, title="敬老日腰鼓表演")
    came, absent = town.resident(), town.resident()
    e1 = services.enrol(actor=came.user, activity=event, resident=came)
    services.enrol(actor=absent.user, activity=event, resident=absent)
    services.check_in(actor=town.staff, activity=event, code=services.checkin_code(e1))
    reported = []
    service_hours.register_recorder(reported.append)
    try:
        services.act_on_activity(actor=town.staff, activity=event, action="finish")
    finally:
        service_hours.unregister_recorder(reported.append)
    assert len(reported) == 1
    service = reported[0]
    assert (service.origin, service.team_id, service.resident_ids, service.actor) == (
        f"activities.activity:{event.pk}", team.pk, (came.pk,), town.staff)
    assert (service.title, service.starts_at, service.ends_at, service.place) == (
        "敬老日腰鼓表演", event.starts_at, event.ends_at, town.community.name)


def test_an_activity_not_run_by_a_team_reports_no_service(town):
    event = town.event(title="青少年夏令营")
    person = town.resident()
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    services.check_in(actor=town.staff, activity=event, code=services.checkin_code(enrolment))
    reported = []
    service_hours.register_recorder(reported.append)
    try:
        services.act_on_activity(actor=town.staff, activity=event, action="finish")
    finally:
        service_hours.unregister_recorder(reported.append)
    assert reported == []
