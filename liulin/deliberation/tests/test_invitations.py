"""Inviting one more party after convening, until the meeting opens: the organiser alone,
one invitation per party (a unique constraint), the party told as the convened ones are (at
once when the notice has gone out, else with the notice); by the service, the page and the API."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core import chain
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.deliberation import services
from liulin.deliberation.models import Invitation, MeetingEvent, State
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import CommunityFactory

from .factories import meeting_in_state, resident_user

JSON = "application/json"


@pytest.fixture
def committee(world):
    return OrganisationFactory(community=world.community, estate=world.estate, kind=Organisation.Kind.OWNERS_COMMITTEE,
                               name="测试业委会")


@pytest.fixture
def member(committee):
    return make_user(Role.COMMITTEE_MEMBER, committee)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def notices(user):
    return Notification.objects.filter(user=user, kind=services.NOTICE_KIND).count()


# --- the service ---------------------------------------------------------------------------


def test_invited_in_preparation_the_party_is_told_with_the_notice(world, committee, member):
    meeting = meeting_in_state(world, State.DRAFT)
    invitation = services.invite(actor=world.staff, meeting=meeting, org=committee)
    assert invitation.org == committee and invitation.rsvp == "pending"
    assert notices(member) == 0  # nothing is sent before the notice
    services.act(actor=world.staff, meeting=meeting, action="notify")
    assert notices(member) == 1 and notices(world.property_user) == 1
    assert MeetingEvent.objects.filter(meeting=meeting, action="invite", data__org=committee.pk).count() == 1
    assert chain.verify(MeetingEvent, meeting) is None


def test_invited_after_the_notice_the_party_is_told_at_once_and_alone(world, committee, member):
    meeting = meeting_in_state(world, State.NOTICED)
    assert notices(world.property_user) == 1
    services.invite(actor=world.staff, meeting=meeting, org=committee)
    assert notices(member) == 1
    assert notices(world.property_user) == 1  # the parties already told are not told again
    assert meeting.invitations.count() == 2


@pytest.mark.parametrize("state", [State.IN_SESSION, State.HELD, State.CANCELLED])
def test_refused_once_the_meeting_has_started_or_ended(world, committee, member, state):
    meeting = meeting_in_state(world, state)
    with pytest.raises(Conflict) as e:
        services.invite(actor=world.staff, meeting=meeting, org=committee)
    assert e.value.code == "invitations_closed"
    assert not meeting.invitations.filter(org=committee).exists()
    assert not MeetingEvent.objects.filter(meeting=meeting, action="invite").exists()
    assert notices(member) == 0


def test_one_invitation_per_party(world):
    meeting = meeting_in_state(world, State.NOTICED)
    with pytest.raises(Conflict) as e:
        services.invite(actor=world.staff, meeting=meeting, org=world.property_org)
    assert e.value.code == "already_invited"
    assert meeting.invitations.count() == 1
    assert notices(world.property_user) == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        Invitation.objects.create(meeting=meeting, org=world.property_org)


def test_only_the_organiser_invites(world, committee, member):
    meeting = meeting_in_state(world, State.NOTICED)
    for who in (world.property_user, resident_user(world.building), make_user(Role.AUDITOR, world.community)):
        with pytest.raises(NotPermitted):
            services.invite(actor=who, meeting=meeting, org=committee)
    with pytest.raises(NotFound):  # staff of another community do not see the meeting
        services.invite(actor=make_user(Role.COMMUNITY_STAFF, CommunityFactory()), meeting=meeting, org=committee)
    assert meeting.invitations.count() == 1 and notices(member) == 0


def test_a_party_of_another_community_is_refused(world):
    meeting = meeting_in_state(world, State.DRAFT)
    elsewhere = OrganisationFactory(community=CommunityFactory(), kind=Organisation.Kind.ENTERPRISE)
    with pytest.raises(Invalid) as e:
        services.invite(actor=world.staff, meeting=meeting, org=elsewhere)
    assert e.value.code == "org_outside_community"
    assert meeting.invitations.count() == 1


# --- the page ------------------------------------------------------------------------------


def test_the_organiser_invites_from_the_meeting_page(world, committee, member):
    meeting = meeting_in_state(world, State.NOTICED)
    staff = client_for(world.staff)
    url = reverse("deliberation:meeting", args=[meeting.pk])
    page = staff.get(url).content.decode()
    assert 'data-testid="invite-form"' in page
    form = page[page.index('data-testid="invite-form"'):]
    form = form[:form.index("</form>")]
    assert committee.name in form and world.property_org.name not in form  # those invited are not offered again
    r = staff.post(reverse("deliberation:invite", args=[meeting.pk]), {"org": committee.pk}, follow=True)
    assert "已邀请" in r.content.decode() and committee.name in r.content.decode()
    assert meeting.invitations.filter(org=committee).exists() and notices(member) == 1
    r = staff.post(reverse("deliberation:invite", args=[meeting.pk]), {"org": committee.pk}, follow=True)
    assert "该单位已在邀请之列" in r.content.decode()
    assert meeting.invitations.filter(org=committee).count() == 1 and notices(member) == 1


def test_the_page_form_is_the_organisers_and_only_before_the_meeting_opens(world, committee):
    meeting = meeting_in_state(world, State.NOTICED)
    url = reverse("deliberation:meeting", args=[meeting.pk])
    for who in (world.property_user, resident_user(world.building)):
        client = client_for(who)
        assert 'data-testid="invite-form"' not in client.get(url).content.decode()
        r = client.post(reverse("deliberation:invite", args=[meeting.pk]), {"org": committee.pk}, follow=True)
        assert "不能执行" in r.content.decode()
    assert not meeting.invitations.filter(org=committee).exists()
    services.act(actor=world.staff, meeting=meeting, action="open")
    staff = client_for(world.staff)
    assert 'data-testid="invite-form"' not in staff.get(url).content.decode()
    r = staff.post(reverse("deliberation:invite", args=[meeting.pk]), {"org": committee.pk}, follow=True)
    assert "会议已开始，不能再邀请" in r.content.decode()
    assert not meeting.invitations.filter(org=committee).exists()


# --- the API -------------------------------------------------------------------------------


def invite(client, meeting, org_id):
    return client.post(f"/api/v1/deliberation/meetings/{meeting.pk}/invitations", {"org_id": org_id}, content_type=JSON)


def test_the_api_invites_and_refuses_as_json(world, committee, member):
    meeting = meeting_in_state(world, State.DRAFT)
    staff = client_for(world.staff)
    r = invite(staff, meeting, committee.pk)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["org_id"], body["org_name"], body["rsvp"]) == (committee.pk, committee.name, "pending")
    r = invite(staff, meeting, committee.pk)
    assert r.status_code == 409 and r.json()["code"] == "already_invited"
    assert invite(staff, meeting, 987654).status_code == 404
    r = invite(client_for(world.property_user), meeting, committee.pk)
    assert r.status_code == 403
    detail = staff.get(f"/api/v1/deliberation/meetings/{meeting.pk}").json()
    assert sorted(i["org_id"] for i in detail["invitations"]) == sorted([world.property_org.pk, committee.pk])
    services.act(actor=world.staff, meeting=meeting, action="notify")
    assert notices(member) == 1
    services.act(actor=world.staff, meeting=meeting, action="open")
    enterprise = OrganisationFactory(community=world.community, kind=Organisation.Kind.ENTERPRISE)
    r = invite(staff, meeting, enterprise.pk)
    assert r.status_code == 409 and r.json()["code"] == "invitations_closed"
    assert meeting.invitations.count() == 2
