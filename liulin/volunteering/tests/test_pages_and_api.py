"""Pages and API: the volunteer's phone page, the leader's desk, the counter, certificates
verified publicly, and errors as {detail, code}."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.roles import Role
from liulin.volunteering.models import Certificate, Redemption, ServiceRecord, SignUp, TeamMember
from liulin.volunteering.services import activities, certificates, ledger, records

from .factories import give_points, make_activity, make_world, stocked_good

pytestmark = pytest.mark.django_db
JSON = "application/json"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_resident_registers_by_applying_and_the_leader_accepts_on_the_page():
    world = make_world(0)
    resident = make_user(Role.RESIDENT)
    page = client_for(resident)
    assert page.post(reverse("volunteering:join", args=[world.team.pk])).status_code == 302
    member = TeamMember.objects.get(volunteer__user=resident)
    lead = client_for(world.leader)
    assert f'data-testid="application-{member.pk}"' in lead.get(reverse("volunteering:lead")).content.decode()
    lead.post(reverse("volunteering:decide", args=[member.pk]), {"accept": "on"})
    assert TeamMember.objects.get(pk=member.pk).state == "active"
    assert client_for(world.other_leader).post(reverse("volunteering:decide", args=[member.pk]), {"accept": "on"}).status_code == 404


def test_the_volunteer_signs_up_scans_in_and_out_and_sees_his_hours(time_machine):
    world = make_world(1)
    volunteer = world.volunteers[0]
    activity = make_activity(world, starts_at=clock.now() + datetime.timedelta(hours=1))
    me = client_for(volunteer.user)
    home = me.get(reverse("volunteering:home")).content.decode()
    assert f'data-testid="open-activity-{activity.pk}"' in home
    post = activity.posts.get()
    me.post(reverse("volunteering:sign_up", args=[activity.pk, post.pk]))
    assert SignUp.objects.filter(volunteer=volunteer, activity=activity).exists()
    time_machine.move_to(activity.starts_at, tick=False)
    lead = client_for(world.leader)
    qr = lead.get(reverse("volunteering:activity_qr", args=[activity.pk, "in"])).content.decode()
    url = re.search(r'href="(http://testserver/volunteering/scan/[^"]+)"', qr).group(1)
    path = url.removeprefix("http://testserver")
    assert 'data-testid="scan-confirm"' in me.get(path).content.decode()  # a GET asks, changes nothing
    assert SignUp.objects.get(volunteer=volunteer).state == "signed_up"
    assert 'data-testid="scan-done"' in me.post(path).content.decode()
    time_machine.move_to(activity.ends_at, tick=False)
    out = lead.get(reverse("volunteering:activity_qr", args=[activity.pk, "out"])).content.decode()
    me.post(re.search(r'href="http://testserver(/volunteering/scan/[^"]+)"', out).group(1))
    record = ServiceRecord.objects.get(volunteer=volunteer)
    assert record.minutes == 120
    lead.post(reverse("volunteering:record_action", args=[record.pk]), {"action": "confirm", "next": "lead"})
    assert ServiceRecord.objects.get(pk=record.pk).state == "confirmed"
    home = me.get(reverse("volunteering:home")).content.decode()
    assert 'data-testid="my-hours">2<' in home and 'data-testid="my-points">20<' in home


def test_a_stale_code_is_explained_not_crashed(time_machine):
    world = make_world(1)
    activity = make_activity(world, starts_at=clock.now() + datetime.timedelta(hours=1))
    time_machine.move_to(activity.starts_at, tick=False)
    code = activities.checkin_code(actor=world.leader, activity=activity, direction="in")
    time_machine.move_to(activity.starts_at + datetime.timedelta(hours=1), tick=False)
    response = client_for(world.volunteers[0].user).get(reverse("volunteering:scan", args=[code]))
    assert response.status_code == 400 and 'data-testid="scan-error"' in response.content.decode()


def test_the_counter_finds_a_volunteer_by_his_code_and_redeems_once_per_key():
    world = make_world(1)
    volunteer = world.volunteers[0]
    give_points(world, volunteer, 12)
    soap = stocked_good(world, price=5, stock=2)
    counter = client_for(world.staff)
    from liulin.volunteering import selectors

    page = counter.get(reverse("volunteering:counter"), {"who": selectors.member_code(volunteer)}).content.decode()
    assert 'data-testid="counter-balance">12<' in page
    form = {"volunteer": volunteer.pk, "good": soap.pk, "quantity": 1, "key": "tap-1"}
    counter.post(reverse("volunteering:redeem"), form)
    counter.post(reverse("volunteering:redeem"), form)  # a double tap
    assert Redemption.objects.count() == 1 and ledger.account_of(volunteer).balance == 7
    by_mobile = counter.get(reverse("volunteering:counter"), {"who": volunteer.user.mobile}).content.decode()
    assert 'data-testid="counter-balance">7<' in by_mobile
    assert client_for(world.leader).get(reverse("volunteering:counter")).status_code == 403
    assert client_for(volunteer.user).post(reverse("volunteering:redeem"), form).status_code == 404


def _certified(world):
    volunteer = world.volunteers[0]
    activity = make_activity(world, starts_at=clock.now() - datetime.timedelta(hours=3))
    record = records.record_manual(actor=world.leader, activity=activity, volunteer=volunteer, minutes=120, reason="漏签")
    records.act(actor=world.staff, record=record, action="confirm")
    today = clock.today()
    return certificates.issue_certificate(actor=world.staff, volunteer=volunteer, period_from=today - datetime.timedelta(days=30),
                                          period_to=today)


def test_a_certificate_verifies_publicly_with_no_more_than_needed():
    world = make_world(1)
    certificate = _certified(world)
    anyone = Client()
    page = anyone.get(reverse("volunteering:verify", args=[certificate.number, certificate.code]))
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="verified"' in text
    assert world.volunteers[0].user.name not in text and certificate.masked_name in text
    assert world.volunteers[0].user.mobile not in text
    wrong = anyone.get(reverse("volunteering:verify", args=[certificate.number, "guess"]))
    assert wrong.status_code == 404 and 'data-testid="not-verified"' in wrong.content.decode()
    api = anyone.get("/api/v1/volunteering/certificates/verify", {"number": certificate.number, "code": certificate.code})
    assert api.status_code == 200 and api.json()["minutes"] == 120 and "code" not in api.json()
    mine = client_for(world.volunteers[0].user).get(reverse("volunteering:certificate", args=[certificate.number]))
    assert mine.status_code == 200
    assert client_for(make_user(Role.RESIDENT)).get(reverse("volunteering:certificate", args=[certificate.number])).status_code == 404


def test_the_certificate_prints_as_a_pdf_with_its_seal(settings):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from liulin.volunteering.models import Rules

    world = make_world(1)
    certificate = _certified(world)
    seal = io.BytesIO()
    Image.new("RGB", (60, 60), "red").save(seal, "PNG")
    rules = Rules.objects.create(community=world.community)
    rules.seal.save("seal.png", ContentFile(seal.getvalue()))
    response = client_for(world.volunteers[0].user).get(reverse("volunteering:certificate_pdf", args=[certificate.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    assert client_for(make_user(Role.RESIDENT)).get(
        reverse("volunteering:certificate_pdf", args=[certificate.number])).status_code == 404


def test_api_errors_are_detail_and_code():
    world = make_world(1)
    volunteer = world.volunteers[0]
    soap = stocked_good(world, price=5, stock=2)
    staff = client_for(world.staff)
    response = staff.post("/api/v1/volunteering/redemptions", {"who": volunteer.user.mobile, "good_id": soap.pk, "key": "k"},
                          content_type=JSON)
    assert response.status_code == 409 and response.json()["code"] == "insufficient_points"
    give_points(world, volunteer, 10)
    ok = staff.post("/api/v1/volunteering/redemptions", {"who": volunteer.user.mobile, "good_id": soap.pk, "key": "k2"},
                    content_type=JSON)
    assert ok.status_code == 201 and ok.json()["points"] == 5
    reverse_ = staff.post(f"/api/v1/volunteering/redemptions/{ok.json()['id']}/reverse", {"reason": "拿错了"}, content_type=JSON)
    assert reverse_.status_code == 200 and reverse_.json()["state"] == "reversed"
    again = staff.post(f"/api/v1/volunteering/redemptions/{ok.json()['id']}/reverse", {"reason": "拿错了"}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_reversed"
    assert ledger.account_of(volunteer).balance == 10
    me = client_for(volunteer.user).get("/api/v1/volunteering/me").json()
    assert me["points"] == 10 and me["confirmed_minutes"] == 0
    stranger = client_for(make_user(Role.RESIDENT)).get("/api/v1/volunteering/me")
    assert stranger.status_code == 404 and stranger.json()["code"] == "not_a_volunteer"
    bad = client_for(world.leader).post("/api/v1/volunteering/activities", {
        "team_id": world.team.pk, "title": "x", "content": "x", "place": "x", "starts_at": "2026-01-01T10:00:00+08:00",
        "ends_at": "2026-01-01T09:00:00+08:00", "posts": [{"name": "a", "capacity": 1}]}, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"


def test_lists_are_scoped():
    world = make_world(1)
    activity = make_activity(world)
    other_activity = activities.create_activity(
        actor=world.other_leader, team=world.other_team, title="助残", content="陪同就医", place="社区", posts=[("陪同", 2)],
        starts_at=clock.now() + datetime.timedelta(hours=1), ends_at=clock.now() + datetime.timedelta(hours=2))
    mine = {a["id"] for a in client_for(world.leader).get("/api/v1/volunteering/activities").json()["items"]}
    assert mine == {activity.pk}
    staff = {a["id"] for a in client_for(world.staff).get("/api/v1/volunteering/activities").json()["items"]}
    assert staff == {activity.pk, other_activity.pk}
    assert client_for(world.other_leader).get(reverse("volunteering:activity", args=[activity.pk])).status_code == 404


def test_the_leader_page_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    world = make_world(6)
    activity = make_activity(world, starts_at=clock.now() - datetime.timedelta(hours=3))
    for volunteer in world.volunteers:
        records.record_manual(actor=world.staff, activity=activity, volunteer=volunteer, minutes=60, reason="漏签")
    lead = client_for(world.leader)
    with django_assert_max_num_queries(25):
        assert lead.get(reverse("volunteering:lead")).status_code == 200
    assert Certificate.objects.count() == 0


def test_staff_record_a_consent_and_the_leader_signs_the_child_in_and_out():
    from liulin.volunteering.models import ChildAttendance, GuardianConsent

    world = make_world(0)
    staff = client_for(world.staff)
    response = staff.post(reverse("volunteering:consents"), {
        "child_name": "小明", "child_birth_date": "2017-05-01", "guardian_name": "王芳", "guardian_relation": "母亲",
        "guardian_mobile": "13800138000"})
    assert response.status_code == 302
    consent = GuardianConsent.objects.get()
    bad = staff.post(reverse("volunteering:consents"), {
        "child_name": "小红", "child_birth_date": "2017-05-01", "guardian_name": "王芳", "guardian_relation": "母亲",
        "guardian_mobile": "123"})
    assert bad.status_code == 400 and GuardianConsent.objects.count() == 1
    activity = make_activity(world, kind="youth", for_minors=True)
    lead = client_for(world.leader)
    page = lead.get(reverse("volunteering:activity", args=[activity.pk])).content.decode()
    assert 'data-testid="child-in"' in page and "小明" in page
    lead.post(reverse("volunteering:child_in", args=[activity.pk]), {"consent": consent.pk, "adult_name": "王芳"})
    attendance = ChildAttendance.objects.get()
    lead.post(reverse("volunteering:child_out", args=[attendance.pk]), {"adult_name": "李强"})
    assert ChildAttendance.objects.get().signed_out_adult == "李强"
    assert client_for(world.leader).get(reverse("volunteering:consents")).status_code == 403
    other = client_for(world.other_leader)
    assert other.post(reverse("volunteering:child_in", args=[activity.pk]), {"consent": consent.pk,
                                                                             "adult_name": "x"}).status_code == 404


def test_the_api_enrols_a_resident_only_for_who_may_see_him():
    from liulin.people.tests.factories import ResidentFactory
    from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory

    world = make_world(0)
    elder = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=GridFactory(community=world.community))))
    body = {"resident_id": elder.pk}
    leader = client_for(world.leader).post(f"/api/v1/volunteering/teams/{world.team.pk}/enrol", body, content_type=JSON)
    assert leader.status_code == 404  # a leader does not read the resident registry
    staff = client_for(world.staff).post(f"/api/v1/volunteering/teams/{world.team.pk}/enrol", body, content_type=JSON)
    assert staff.status_code == 201 and staff.json()["state"] == "active"


def test_the_staff_home_page_counts_volunteering_from_rows():
    world = make_world(1)
    activity = make_activity(world, starts_at=clock.now() - datetime.timedelta(hours=3))
    record = records.record_manual(actor=world.leader, activity=activity, volunteer=world.volunteers[0], minutes=120,
                                   reason="漏签")
    records.act(actor=world.staff, record=record, action="confirm")
    from liulin.volunteering import selectors

    tile = selectors.staff_tile(world.staff)
    assert (tile["total_hours"], tile["waiting"], tile["volunteers"], tile["points"]) == (2, 0, 1, 20)
    assert selectors.staff_tile(world.leader)["volunteers"] == 0  # a leader holds no report scope
    page = client_for(world.staff).get("/home/").content.decode()
    assert 'data-testid="volunteering-tile"' in page


def test_a_resident_finds_his_communitys_teams_and_applies_by_api():
    from liulin.people.tests.factories import ResidentFactory
    from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory

    world = make_world(0)
    me = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=GridFactory(community=world.community))))
    api = client_for(make_user(Role.RESIDENT, resident=me))
    teams = {t["id"] for t in api.get("/api/v1/volunteering/teams").json()}
    assert teams == {world.team.pk, world.other_team.pk}
    applied = api.post(f"/api/v1/volunteering/teams/{world.team.pk}/apply", content_type=JSON)
    assert applied.status_code == 201 and applied.json()["state"] == "applied"
    assert {t["id"] for t in api.get("/api/v1/volunteering/teams").json()} == {world.other_team.pk}


def test_a_volunteer_cancels_before_check_in_and_the_place_frees_up():
    world = make_world(2)
    first, second = world.volunteers[:2]
    activity = make_activity(world, starts_at=clock.now() + datetime.timedelta(days=1))
    post = activity.posts.get()
    signup = activities.sign_up(actor=first.user, activity=activity, post=post)
    # On the page: his own sign-up has a cancel button; another's cannot be cancelled by him.
    me = client_for(first.user)
    assert f'data-testid="cancel-signup-{signup.pk}"' in me.get(reverse("volunteering:home")).content.decode()
    other = activities.sign_up(actor=second.user, activity=activity, post=post)
    assert me.post(reverse("volunteering:cancel_sign_up", args=[other.pk])).status_code == 404
    assert me.post(reverse("volunteering:cancel_sign_up", args=[signup.pk])).status_code == 302
    assert SignUp.objects.get(pk=signup.pk).state == "cancelled"
    post.refresh_from_db()
    assert post.taken == 1
    # By API, the organiser cancels the other one; a second cancel changes nothing.
    lead = client_for(world.leader)
    done = lead.post(f"/api/v1/volunteering/signups/{other.pk}/cancel", content_type=JSON)
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    again = lead.post(f"/api/v1/volunteering/signups/{other.pk}/cancel", content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "state_changed"
    post.refresh_from_db()
    assert post.taken == 0
    # Another team's leader does not find it.
    assert client_for(world.other_leader).post(f"/api/v1/volunteering/signups/{signup.pk}/cancel",
                                               content_type=JSON).status_code == 404
