"""A vote's announcement in the 公示栏: `publish_notice` puts it on notice (kind owners_meeting,
for the estate's notice days or the kind's longer period), nobody objects to it, and its
per-household receipts serve the vote: at the count the units of a household that read it, or
got it by SMS or e-mail, are recorded as served; an in-app receipt nobody opened is not service."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotPermitted
from liulin.core.roles import Role
from liulin.notices import services as notices
from liulin.notices.models import Notice
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory
from liulin.votes import announcement
from liulin.votes.models import RollEntry, State, Unit

from .factories import AFTER, OPENS, T0, drive, make_world, new_vote

pytestmark = pytest.mark.django_db


def homes_for(world):
    """Each unit's flat as a household of the estate's community, and a resident account in it."""
    building = BuildingFactory(estate=world.estate, grid=GridFactory(community=world.estate.community))
    people = []
    for unit in world.units:
        household = HouseholdFactory(building=building)
        Unit.objects.filter(pk=unit.pk).update(household=household)
        people.append(make_user(Role.RESIDENT, resident=ResidentFactory(household=household)))
    return people


def test_the_announcement_goes_on_notice_and_nobody_objects_to_it():
    world = make_world()
    people = homes_for(world)
    vote = drive(world, new_vote(world), State.NOTICED)
    vote.refresh_from_db()
    notice = Notice.objects.get(pk=vote.announcement_id)
    assert (notice.origin, notice.subject_id, notice.kind.code, notice.community_id, notice.state) == (
        announcement.ORIGIN, vote.pk, "owners_meeting", world.estate.community_id, "published")
    assert notice.published_at == T0 and notice.ends_at <= OPENS  # 15 days before voting opens, as the rules ask
    body = notice.versions.get().body
    assert vote.title in body and "2026-03-18 09:00" in body
    assert vote.events.get(action="publish_notice").data["notice"] == notice.pk
    assert not notices.may_object(people[0], notice, T0)
    assert not notices.may_object(world.owners[0].user, notice, T0)
    with pytest.raises(NotPermitted) as refused:
        notices.object_to(actor=people[0], notice=notice, text="不同意", now=T0)
    assert refused.value.code == "may_not_object"


def test_households_the_announcement_reached_are_served_at_the_count():
    world = make_world()
    people = homes_for(world)
    vote = drive(world, new_vote(world), State.NOTICED)
    vote.refresh_from_db()
    notice = Notice.objects.get(pk=vote.announcement_id)
    units = world.units
    notices.mark_read(actor=people[0], notice=notice)  # 1栋101: a member of the household read it
    notices.record_delivery(notice=notice, household=Unit.objects.get(pk=units[1].pk).household,
                            channel="sms")  # 1栋102: the SMS provider confirmed delivery
    # 1栋103 got only the in-app receipt every household gets at publication; 1栋104 read nothing either
    assert announcement.served_households(vote) == {Unit.objects.get(pk=units[0].pk).household_id,
                                                    Unit.objects.get(pk=units[1].pk).household_id}
    drive(world, vote, State.COUNTED)
    served = dict(RollEntry.objects.filter(vote=vote).values_list("label", "served_how"))
    assert served == {"1栋101": announcement.SERVED_BY, "1栋102": announcement.SERVED_BY, "1栋103": "", "1栋104": ""}
    assert vote.events.get(action="count").data["served_by_notification"] == 2
    assert RollEntry.objects.get(vote=vote, label="1栋101").served_at == AFTER


def test_a_ballot_read_in_the_app_still_serves_its_owner():
    world = make_world()
    homes_for(world)
    vote = drive(world, new_vote(world), State.OPEN)
    from liulin.core.notifications.models import Notification

    Notification.objects.filter(user=world.owners[3].user, kind="votes.ballot").update(read_at=OPENS)
    drive(world, vote, State.COUNTED)
    assert RollEntry.objects.get(vote=vote, owner=world.owners[3]).served_how == "notification"


def test_the_vote_page_and_api_link_the_announcement():
    from django.test import Client

    world = make_world()
    homes_for(world)
    vote = drive(world, new_vote(world), State.NOTICED)
    vote.refresh_from_db()
    client = Client()
    client.force_login(world.chair)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert 'data-testid="vote-announcement"' in page and f"/notices/{vote.announcement_id}/" in page
    assert client.get(f"/api/v1/votes/{vote.pk}").json()["announcement_id"] == vote.announcement_id
