"""Hours: from check-in and check-out by QR or by the organiser, the minimum share, hand-added
hours capped with a reason, disputes decided by the organiser, separation of duties, points
following confirmed minutes, stars, tamper-evidence."""

import datetime

import pytest
from django.db import connection

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.roles import Role
from liulin.volunteering import selectors
from liulin.volunteering.models import Rules, ServiceRecord, SignUp, TeamMember
from liulin.volunteering.services import activities, ledger, records, teams

from .factories import join, make_activity, make_world

pytestmark = pytest.mark.django_db


def attend(world, volunteer, activity, *, minutes_in, minutes_out, time_machine):
    """Sign up, then check in and out by scanning the organiser's codes at those minutes of the activity."""
    signup = activities.sign_up(actor=volunteer.user, activity=activity, post=activity.posts.first())
    time_machine.move_to(activity.starts_at + datetime.timedelta(minutes=minutes_in), tick=False)
    code_in = activities.checkin_code(actor=world.leader, activity=activity, direction="in")
    activities.scan(actor=volunteer.user, code=code_in)
    time_machine.move_to(activity.starts_at + datetime.timedelta(minutes=minutes_out), tick=False)
    code_out = activities.checkin_code(actor=world.leader, activity=activity, direction="out")
    return activities.scan(actor=volunteer.user, code=code_out), signup


def upcoming(world, **extra):
    return make_activity(world, starts_at=clock.now() + datetime.timedelta(hours=1), **extra)


def test_qr_check_in_and_out_records_the_attended_minutes(time_machine):
    world = make_world(1)
    activity = upcoming(world)  # two hours
    signup, _ = attend(world, world.volunteers[0], activity, minutes_in=5, minutes_out=125, time_machine=time_machine)
    assert signup.state == SignUp.State.CHECKED_OUT
    record = signup.record
    assert (record.minutes, record.state, record.source) == (115, "pending", "attendance")
    assert records.verify_record(record) is None


@pytest.mark.parametrize(("attended", "recorded"), [(71, False), (72, True)])
def test_the_minimum_share_is_sixty_percent_of_the_activity(time_machine, attended, recorded):
    world = make_world(1)
    activity = upcoming(world)  # 120 minutes: 72 is 60 %
    signup, _ = attend(world, world.volunteers[0], activity, minutes_in=0, minutes_out=attended, time_machine=time_machine)
    assert (signup.record is not None) is recorded


def test_the_minimum_share_is_the_communitys_number(time_machine):
    world = make_world(1)
    Rules.objects.create(community=world.community, min_attendance_percent=90)
    activity = upcoming(world)
    signup, _ = attend(world, world.volunteers[0], activity, minutes_in=0, minutes_out=100, time_machine=time_machine)
    assert signup.record is None


def test_an_expired_or_forged_code_is_refused(time_machine):
    world = make_world(1)
    activity = upcoming(world)
    activities.sign_up(actor=world.volunteers[0].user, activity=activity, post=activity.posts.first())
    time_machine.move_to(activity.starts_at, tick=False)
    code = activities.checkin_code(actor=world.leader, activity=activity, direction="in")
    time_machine.move_to(activity.starts_at + datetime.timedelta(minutes=16), tick=False)
    with pytest.raises(Invalid) as late:
        activities.scan(actor=world.volunteers[0].user, code=code)
    assert late.value.code == "code_expired"
    with pytest.raises(Invalid) as forged:
        activities.scan(actor=world.volunteers[0].user, code=code[:-2] + "xx")
    assert forged.value.code == "invalid_code"


def test_only_the_organiser_shows_a_code_and_a_stranger_cannot_scan_in(time_machine):
    world = make_world(1)
    activity = upcoming(world)
    with pytest.raises((NotFound, NotPermitted)):
        activities.checkin_code(actor=world.volunteers[0].user, activity=activity, direction="in")
    time_machine.move_to(activity.starts_at, tick=False)
    code = activities.checkin_code(actor=world.leader, activity=activity, direction="in")
    with pytest.raises(NotFound):
        activities.scan(actor=make_user(Role.RESIDENT), code=code)


def test_the_organiser_checks_in_an_elder_without_a_phone(time_machine):
    world = make_world(1)
    activity = upcoming(world, hours=1)
    signup = activities.sign_up(actor=world.volunteers[0].user, activity=activity, post=activity.posts.first())
    time_machine.move_to(activity.starts_at, tick=False)
    activities.check_in(actor=world.leader, signup=signup)
    time_machine.move_to(activity.ends_at, tick=False)
    out = activities.check_out(actor=world.leader, signup=signup)
    assert out.record.minutes == 60 and out.checked_in_by == world.leader
    with pytest.raises((NotFound, NotPermitted)):
        activities.check_in(actor=world.other_leader, signup=signup)


def test_sign_up_needs_an_active_membership_and_a_free_place():
    world = make_world(2)
    activity = upcoming(world, capacity=1)
    post = activity.posts.get()
    outsider = make_user(Role.RESIDENT)
    teams.apply_to_team(actor=outsider, team=world.team)  # applied, not yet accepted
    with pytest.raises(NotPermitted):
        activities.sign_up(actor=outsider, activity=activity, post=post)
    activities.sign_up(actor=world.volunteers[0].user, activity=activity, post=post)
    with pytest.raises(Conflict) as twice:
        activities.sign_up(actor=world.volunteers[0].user, activity=activity, post=post)
    assert twice.value.code in ("full", "already_signed_up")
    with pytest.raises(Conflict) as full:
        activities.sign_up(actor=world.volunteers[1].user, activity=activity, post=post)
    assert full.value.code == "full"


def _past(world, hours=2):
    return make_activity(world, hours=hours, starts_at=clock.now() - datetime.timedelta(hours=hours + 1))


def test_manual_hours_only_by_the_organiser_with_a_reason_and_within_the_activity():
    world = make_world(2)
    activity = _past(world)
    volunteer = world.volunteers[0]
    with pytest.raises(Invalid):
        records.record_manual(actor=world.leader, activity=activity, volunteer=volunteer, minutes=60, reason=" ")
    with pytest.raises(Invalid) as over:
        records.record_manual(actor=world.leader, activity=activity, volunteer=volunteer, minutes=121, reason="漏签")
    assert over.value.code == "minutes_out_of_range"
    with pytest.raises((NotFound, NotPermitted)):
        records.record_manual(actor=world.other_leader, activity=activity, volunteer=volunteer, minutes=60, reason="漏签")
    with pytest.raises((NotFound, NotPermitted)):
        records.record_manual(actor=world.volunteers[1].user, activity=activity, volunteer=volunteer, minutes=60, reason="漏签")
    record = records.record_manual(actor=world.leader, activity=activity, volunteer=volunteer, minutes=120, reason="漏签")
    assert record.minutes == 120 and record.source == "manual"
    with pytest.raises(Conflict):
        records.record_manual(actor=world.leader, activity=activity, volunteer=volunteer, minutes=30, reason="再补")


def test_the_database_caps_minutes_at_the_activity_length():
    from django.db import IntegrityError, transaction

    world = make_world(1)
    record = records.record_manual(actor=world.leader, activity=_past(world), volunteer=world.volunteers[0], minutes=60,
                                   reason="漏签")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.filter(pk=record.pk).update(minutes=121)


def test_nobody_confirms_his_own_hours_nor_hours_he_added_by_hand():
    world = make_world(1)
    activity = _past(world)
    leader_as_volunteer = join(world.team, world.staff, user=world.leader)
    staff = world.staff
    own = records.record_manual(actor=staff, activity=activity, volunteer=leader_as_volunteer, minutes=60, reason="漏签")
    with pytest.raises(NotPermitted) as refused:
        records.act(actor=world.leader, record=own, action="confirm")
    assert refused.value.code == "own_hours"
    with pytest.raises(NotPermitted) as duties:
        records.act(actor=staff, record=own, action="confirm")
    assert duties.value.code == "separated_duties"
    other_staff = make_user(Role.COMMUNITY_STAFF, world.community)
    assert records.act(actor=other_staff, record=own, action="confirm").state == "confirmed"


def test_confirming_earns_points_and_a_correction_posts_the_difference():
    world = make_world(1)
    volunteer = world.volunteers[0]
    record = records.record_manual(actor=world.leader, activity=_past(world), volunteer=volunteer, minutes=90, reason="漏签")
    records.act(actor=world.staff, record=record, action="confirm")
    assert ledger.account_of(volunteer).balance == 15  # 1.5 h × 10
    records.act(actor=volunteer.user, record=record, action="dispute", reason="实际服务两小时")
    assert ledger.account_of(volunteer).balance == 15
    records.act(actor=world.leader, record=record, action="correct", reason="核对签到表", minutes=120)
    assert ledger.account_of(volunteer).balance == 20
    record.refresh_from_db()
    assert (record.state, record.minutes) == ("confirmed", 120)
    assert list(record.events.values_list("action", flat=True).order_by("seq")) == [
        "record_manual", "confirm", "dispute", "correct"]
    records.act(actor=volunteer.user, record=record, action="dispute", reason="还是不对")
    records.act(actor=world.leader, record=record, action="uphold", reason="以签到表为准")
    assert ledger.account_of(volunteer).balance == 20
    assert records.verify_record(record) is None
    assert ledger.verify(ledger.ledger_for(world.community)) is None


def test_an_edited_record_fails_verify():
    world = make_world(1)
    record = records.record_manual(actor=world.leader, activity=_past(world), volunteer=world.volunteers[0], minutes=60,
                                   reason="漏签")
    records.act(actor=world.staff, record=record, action="confirm")
    assert records.verify_record(record) is None
    with connection.cursor() as cursor:
        cursor.execute("UPDATE volunteering_servicerecord SET minutes = 110 WHERE id = %s", [record.pk])
    assert records.verify_record(record) == "row"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE volunteering_recordevent SET data = %s WHERE record_id = %s AND seq = 1",
                       ['{"minutes": 110}', record.pk])
    broken = records.verify_record(record)
    assert broken.seq == 1 and broken.problem == "hash"


@pytest.mark.parametrize(("hours", "stars"), [(0, 0), (99, 0), (100, 1), (299, 1), (300, 2), (600, 3), (1000, 4),
                                              (1499, 4), (1500, 5), (5000, 5)])
def test_star_levels(hours, stars):
    assert selectors.stars_for(hours * 60) == stars


def test_a_team_confirms_its_members_and_nobody_his_own_application():
    world = make_world(0)
    resident = make_user(Role.RESIDENT)
    member = teams.apply_to_team(actor=resident, team=world.team)
    with pytest.raises((NotFound, NotPermitted)):
        teams.decide_member(actor=world.other_leader, member=member, accept=True)
    with pytest.raises(Invalid):
        teams.decide_member(actor=world.leader, member=member, accept=False)
    teams.decide_member(actor=world.leader, member=member, accept=True)
    assert TeamMember.objects.get(pk=member.pk).state == "active"
    with pytest.raises(Conflict):
        teams.decide_member(actor=world.leader, member=member, accept=True)
    with pytest.raises(Conflict):
        teams.apply_to_team(actor=resident, team=world.team)


def test_staff_enrol_an_elder_without_a_phone_whom_the_organiser_then_signs_up_and_checks_in(time_machine):
    from liulin.people.tests.factories import ResidentFactory
    from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory

    world = make_world(0)
    grid = GridFactory(community=world.community)
    elder = ResidentFactory(name="李奶奶", household=HouseholdFactory(building=BuildingFactory(grid=grid)))
    member = teams.enrol_resident(actor=world.staff, team=world.team, resident=elder)
    assert member.state == "active" and member.volunteer.user is None
    with pytest.raises(Conflict):
        teams.enrol_resident(actor=world.staff, team=world.team, resident=elder)
    activity = upcoming(world, hours=1)
    signup = activities.sign_up(actor=world.leader, activity=activity, post=activity.posts.get(), volunteer=member.volunteer)
    time_machine.move_to(activity.starts_at, tick=False)
    activities.check_in(actor=world.leader, signup=signup)
    time_machine.move_to(activity.ends_at, tick=False)
    assert activities.check_out(actor=world.leader, signup=signup).record.minutes == 60


def test_the_daily_job_expires_and_publishes_once_a_day(time_machine):
    from io import StringIO

    from django.core.management import call_command

    from liulin.volunteering.models import PublishedHash

    from .factories import give_points

    world = make_world(1)
    give_points(world, world.volunteers[0], 30)
    time_machine.move_to(clock.now() + datetime.timedelta(days=3 * 365 + 2), tick=False)
    out = StringIO()
    call_command("volunteering_daily", stdout=out)
    call_command("volunteering_daily", stdout=out)
    assert ledger.account_of(world.volunteers[0]).balance == 0
    assert PublishedHash.objects.count() == 1 and "1 expiries" in out.getvalue()
