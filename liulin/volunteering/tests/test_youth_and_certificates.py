"""雷锋号: a child takes part only with a guardian's consent in force, signed in and out by a
named adult; certificates from confirmed records only; bad input changes nothing."""

import datetime

import pytest
from django.test import Client

from liulin.core import clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.volunteering.models import Certificate, ChildAttendance, GuardianConsent
from liulin.volunteering.services import certificates, records, youth

from .factories import make_activity, make_world

pytestmark = pytest.mark.django_db


def consent(world, **extra):
    fields = {"child_name": "小明", "child_birth_date": datetime.date(2017, 5, 1), "guardian_name": "王芳",
              "guardian_relation": "母亲", "guardian_mobile": "13800138000", **extra}
    return youth.record_consent(actor=world.staff, community=world.community, **fields)


def test_a_child_needs_a_consent_in_force_and_a_named_adult():
    world = make_world(0)
    activity = make_activity(world, kind="youth", for_minors=True)
    given = consent(world)
    with pytest.raises(Invalid):
        youth.child_sign_in(actor=world.leader, activity=activity, consent=given, adult_name=" ")
    attendance = youth.child_sign_in(actor=world.leader, activity=activity, consent=given, adult_name="王芳")
    with pytest.raises(Conflict):
        youth.child_sign_in(actor=world.leader, activity=activity, consent=given, adult_name="王芳")
    with pytest.raises(Invalid):
        youth.child_sign_out(actor=world.leader, attendance=attendance, adult_name="")
    out = youth.child_sign_out(actor=world.leader, attendance=attendance, adult_name="李强（外公）")
    assert out.signed_out_adult == "李强（外公）"
    with pytest.raises(Conflict):
        youth.child_sign_out(actor=world.leader, attendance=attendance, adult_name="李强")
    withdrawn = youth.withdraw_consent(actor=world.staff, consent=consent(world, child_name="小红"))
    with pytest.raises(Conflict) as refused:
        youth.child_sign_in(actor=world.leader, activity=make_activity(world, kind="youth", for_minors=True),
                            consent=withdrawn, adult_name="王芳")
    assert refused.value.code == "no_consent"


def test_only_activities_for_minors_take_children_and_only_staff_record_consent():
    world = make_world(0)
    given = consent(world)
    with pytest.raises(Invalid) as refused:
        youth.child_sign_in(actor=world.leader, activity=make_activity(world), consent=given, adult_name="王芳")
    assert refused.value.code == "not_for_minors"
    with pytest.raises((NotFound, NotPermitted)):
        consent_by_leader = dict(child_name="小刚", child_birth_date=datetime.date(2016, 1, 1), guardian_name="张伟",
                                 guardian_relation="父亲", guardian_mobile="13800138001")
        youth.record_consent(actor=world.leader, community=world.community, **consent_by_leader)
    assert GuardianConsent.objects.count() == 1
    with pytest.raises(Invalid):
        consent(world, guardian_mobile="12345")
    with pytest.raises(Invalid):
        consent(world, child_birth_date=clock.today() + datetime.timedelta(days=1))
    assert ChildAttendance.objects.count() == 0


def test_a_certificate_counts_confirmed_records_in_its_period_only():
    world = make_world(1)
    volunteer = world.volunteers[0]
    past = make_activity(world, starts_at=clock.now() - datetime.timedelta(hours=3))
    other = make_activity(world, starts_at=clock.now() - datetime.timedelta(hours=6))
    confirmed = records.record_manual(actor=world.leader, activity=past, volunteer=volunteer, minutes=120, reason="漏签")
    records.act(actor=world.staff, record=confirmed, action="confirm")
    records.record_manual(actor=world.leader, activity=other, volunteer=volunteer, minutes=60, reason="漏签")  # pending
    today = clock.today()
    with pytest.raises(Invalid) as empty:
        certificates.issue_certificate(actor=world.staff, volunteer=volunteer, period_from=today - datetime.timedelta(days=90),
                                       period_to=today - datetime.timedelta(days=30))
    assert empty.value.code == "no_records"
    with pytest.raises(Invalid):
        certificates.issue_certificate(actor=world.staff, volunteer=volunteer, period_from=today, period_to=today - datetime.timedelta(days=1))
    with pytest.raises((NotFound, NotPermitted)):
        certificates.issue_certificate(actor=world.leader, volunteer=volunteer, period_from=today, period_to=today)
    issued = certificates.issue_certificate(actor=world.staff, volunteer=volunteer,
                                            period_from=today - datetime.timedelta(days=1), period_to=today)
    assert issued.minutes == 120 and issued.number.startswith(world.community.code)
    assert issued.masked_name == certificates.mask_name(volunteer.name) and volunteer.name not in issued.masked_name
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("body", [
    {"title": "a\x00b"},
    {"starts_at": "9999-12-31T10:00:00+08:00", "ends_at": "9999-12-31T11:00:00+08:00"},
    {"starts_at": "2026-01-01T10:00:00+15:00"},
    {"posts": [{"name": "a", "capacity": 0}]},
])
def test_bad_input_is_a_4xx_and_changes_nothing(body):
    from liulin.volunteering.models import Activity

    world = make_world(0)
    client = Client()
    client.force_login(world.leader)
    payload = {"team_id": world.team.pk, "title": "t", "content": "c", "place": "p", "starts_at": "2026-01-01T10:00:00+08:00",
               "ends_at": "2026-01-01T11:00:00+08:00", "posts": [{"name": "a", "capacity": 1}], **body}
    response = client.post("/api/v1/volunteering/activities", payload, content_type="application/json")
    assert 400 <= response.status_code < 500 and {"detail", "code"} <= set(response.json())
    assert not Activity.objects.exists()
