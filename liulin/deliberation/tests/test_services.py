import datetime

import pytest

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.deliberation import selectors, services
from liulin.deliberation.models import Capacity, ItemState, Kind, MeetingEvent, PollKind, Rsvp, State

from .factories import convene, meeting_in_state, resident_user


def item_fields(world, **kw):
    today = clock.today()
    return {"title": "修好3栋楼道灯", "owner": world.staff, "due_date": today + datetime.timedelta(days=7),
            "acceptance": "每层灯亮", "review_date": today + datetime.timedelta(days=3), **kw}


def test_a_building_meeting_names_its_estate(world):
    start = clock.now()
    with pytest.raises(Invalid) as e:
        services.convene_meeting(actor=world.staff, kind=Kind.BUILDING, title="x", community=world.community,
                                 starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    assert e.value.code == "estate_required"


def test_a_meeting_ends_after_it_starts(world):
    start = clock.now()
    with pytest.raises(Invalid) as e:
        services.convene_meeting(actor=world.staff, kind=Kind.RESIDENTS, title="x", community=world.community,
                                 starts_at=start, ends_at=start)
    assert e.value.code == "ends_before_start"


def test_coordination_needs_a_party(world):
    with pytest.raises(Invalid) as e:
        convene(world, kind=Kind.COORDINATION, invite=False)
    assert e.value.code == "parties_required"


def test_staff_of_another_community_cannot_convene(world):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role
    from liulin.territory.tests.factories import CommunityFactory

    world.staff = make_user(Role.COMMUNITY_STAFF, CommunityFactory())
    with pytest.raises((NotFound, NotPermitted)):
        convene(world)
    assert not services.Meeting.objects.exists()


def test_notify_tells_the_invited_party_and_its_reply_is_its_own(world):
    from liulin.core.notifications.models import Notification

    meeting = meeting_in_state(world, State.NOTICED, kind=Kind.COORDINATION)
    assert Notification.objects.filter(user=world.property_user, kind=services.NOTICE_KIND).count() == 1
    invitation = meeting.invitations.get()
    services.respond(actor=world.property_user, invitation=invitation, rsvp=Rsvp.ACCEPTED, representative="李经理")
    invitation.refresh_from_db()
    assert (invitation.rsvp, invitation.representative) == (Rsvp.ACCEPTED, "李经理")
    stranger = resident_user(world.building)
    with pytest.raises(NotPermitted):
        services.respond(actor=stranger, invitation=invitation, rsvp=Rsvp.DECLINED)


def test_resident_signs_in_by_qr_once_and_votes(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    user = resident_user(world.building)
    attendance, created = services.sign_in(actor=user, meeting=meeting, token=meeting.sign_in_token)
    again, created_again = services.sign_in(actor=user, meeting=meeting, token=meeting.sign_in_token)
    assert created and not created_again and again.pk == attendance.pk
    assert attendance.capacity == Capacity.VOTER
    with pytest.raises(NotFound):
        services.sign_in(actor=user, meeting=meeting, token="wrong")


def test_staff_sign_in_for_an_elder_is_the_same_person_as_his_qr(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    user = resident_user(world.building)
    services.sign_in_for(actor=world.staff, meeting=meeting, resident=user.resident)
    _, created = services.sign_in(actor=user, meeting=meeting, token=meeting.sign_in_token)
    assert not created
    assert meeting.attendances.count() == 1


def test_someone_from_elsewhere_attends_as_observer_and_cannot_vote(world):
    from liulin.territory.tests.factories import BuildingFactory

    meeting = meeting_in_state(world, State.IN_SESSION)
    outsider = resident_user(BuildingFactory(grid__community=world.community))
    voter = resident_user(world.building)
    services.sign_in(actor=voter, meeting=meeting, token=meeting.sign_in_token)
    # The outsider lives in the community but not in the estate: he does not see the estate's meeting.
    with pytest.raises(NotFound):
        services.cast_ballot(actor=outsider, poll=services.open_poll(actor=world.staff, meeting=meeting, question="修灯？"),
                             option_ids=[1])
    attendance, _ = services.sign_in(actor=world.staff, meeting=meeting, token=meeting.sign_in_token)
    assert attendance.capacity == Capacity.OBSERVER
    poll = meeting.polls.get()
    with pytest.raises(NotPermitted) as e:
        services.cast_ballot(actor=world.staff, poll=poll, option_ids=[poll.options.first().pk])
    assert e.value.code == "observer"


@pytest.mark.parametrize(("signed_in", "allowed"), [(1, False), (2, True)])
def test_quorum_at_its_boundary(world, signed_in, allowed):
    meeting = meeting_in_state(world, State.IN_SESSION, quorum=2)
    for _ in range(signed_in):
        services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    if allowed:
        assert services.open_poll(actor=world.staff, meeting=meeting, question="修灯？")
        assert services.record_decision(actor=world.staff, meeting=meeting, text="修灯", item=item_fields(world))
    else:
        with pytest.raises(Conflict) as e:
            services.open_poll(actor=world.staff, meeting=meeting, question="修灯？")
        assert e.value.code == "no_quorum"
        with pytest.raises(Conflict):
            services.record_decision(actor=world.staff, meeting=meeting, text="修灯", item=item_fields(world))
        assert not meeting.decisions.exists()


def test_results_are_hidden_until_the_poll_closes_and_a_ballot_counts_once(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    voters = [resident_user(world.building) for _ in range(3)]
    for v in voters:
        services.sign_in(actor=v, meeting=meeting, token=meeting.sign_in_token)
    poll = services.open_poll(actor=world.staff, meeting=meeting, question="修灯？")
    agree, abstain, disagree = poll.options.all()
    services.cast_ballot(actor=voters[0], poll=poll, option_ids=[agree.pk])
    services.cast_ballot(actor=voters[1], poll=poll, option_ids=[agree.pk])
    services.cast_ballot(actor=voters[2], poll=poll, option_ids=[disagree.pk])
    with pytest.raises(Conflict) as e:
        services.cast_ballot(actor=voters[0], poll=poll, option_ids=[disagree.pk])
    assert e.value.code == "already_voted"
    with pytest.raises(Conflict) as e:
        selectors.results(world.staff, poll)
    assert e.value.code == "results_hidden"
    services.close_poll(actor=world.staff, poll=poll)
    assert selectors.results(voters[0], poll) == {"options": [["赞成", 2], ["弃权", 0], ["反对", 1]], "ballots": 3}
    with pytest.raises(Conflict):
        services.cast_ballot(actor=voters[0], poll=poll, option_ids=[agree.pk])


def test_single_choice_takes_one_option(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    voter = resident_user(world.building)
    services.sign_in(actor=voter, meeting=meeting, token=meeting.sign_in_token)
    poll = services.open_poll(actor=world.staff, meeting=meeting, question="灯装在哪层？", kind=PollKind.SINGLE,
                              options=["一楼", "二楼", "三楼"], max_choices=3)
    assert poll.max_choices == 1
    ids = list(poll.options.values_list("pk", flat=True))
    with pytest.raises(Invalid) as e:
        services.cast_ballot(actor=voter, poll=poll, option_ids=ids[:2])
    assert e.value.code == "too_many_choices" and not poll.ballots.exists()
    services.cast_ballot(actor=voter, poll=poll, option_ids=ids[1:2])
    services.close_poll(actor=world.staff, poll=poll)
    assert selectors.results(voter, poll)["options"] == [["一楼", 0], ["二楼", 1], ["三楼", 0]]


def test_multiple_choice_limits(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    voter = resident_user(world.building)
    services.sign_in(actor=voter, meeting=meeting, token=meeting.sign_in_token)
    poll = services.open_poll(actor=world.staff, meeting=meeting, question="先修哪里？", kind=PollKind.MULTIPLE,
                              options=["楼道灯", "门禁", "雨棚"], max_choices=2, hide_results=False)
    ids = list(poll.options.values_list("pk", flat=True))
    with pytest.raises(Invalid) as e:
        services.cast_ballot(actor=voter, poll=poll, option_ids=ids)
    assert e.value.code == "too_many_choices"
    services.cast_ballot(actor=voter, poll=poll, option_ids=ids[:2])
    assert selectors.results(voter, poll)["options"] == [["楼道灯", 1], ["门禁", 1], ["雨棚", 0]]


def test_minutes_amended_only_by_attendees_then_frozen_and_chained(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    attendee, absentee = resident_user(world.building), resident_user(world.building)
    services.sign_in(actor=attendee, meeting=meeting, token=meeting.sign_in_token)
    services.act(actor=world.staff, meeting=meeting, action="adjourn")
    services.write_minutes(actor=world.staff, meeting=meeting, text="议定：物业三日内修好楼道灯。")
    with pytest.raises(Conflict):
        services.amend_minutes(actor=attendee, meeting=meeting, text="应写明责任人")
    services.act_on_minutes(actor=world.staff, meeting=meeting, action="open_amendments")
    services.amend_minutes(actor=attendee, meeting=meeting, text="应写明责任人")
    with pytest.raises(NotPermitted):
        services.amend_minutes(actor=absentee, meeting=meeting, text="我也要改")
    with pytest.raises(Conflict):
        services.write_minutes(actor=world.staff, meeting=meeting, text="偷偷改")
    services.act_on_minutes(actor=world.staff, meeting=meeting, action="finalise", text="议定：物业三日内修好楼道灯，责任人王书记。")
    meeting.refresh_from_db()
    last = meeting.events.order_by("-seq").first()
    assert last.action == "finalise" and last.data["hash"] == meeting.minutes_hash
    assert chain.verify(MeetingEvent, meeting) is None


def test_a_decision_always_has_an_action_item_and_validates_it(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    with pytest.raises(Invalid) as e:
        services.record_decision(actor=world.staff, meeting=meeting, text="修灯",
                                 item=item_fields(world, review_date=clock.today() + datetime.timedelta(days=30)))
    assert e.value.code == "invalid_review_date"
    with pytest.raises(Invalid):
        services.record_decision(actor=world.staff, meeting=meeting, text="修灯", item=item_fields(world, acceptance=""))
    assert not meeting.decisions.exists()
    decision = services.record_decision(actor=world.staff, meeting=meeting, text="修灯", item=item_fields(world))
    assert decision.action_items.get().state == ItemState.OPEN


def test_overdue_items_are_listed_for_the_community(world, time_machine):
    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    services.record_decision(actor=world.staff, meeting=meeting, text="修灯", item=item_fields(world))
    assert not selectors.overdue_items(world.staff).exists()
    assert [i.title for i in selectors.overdue_items(world.staff, today=clock.today() + datetime.timedelta(days=8))] == ["修好3栋楼道灯"]


def test_review_reminder_is_sent_once(world):
    from liulin.core.notifications.models import Notification

    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    services.record_decision(actor=world.staff, meeting=meeting, text="修灯",
                             item=item_fields(world, review_date=clock.today()))
    assert services.remind_reviews() == 1
    assert services.remind_reviews() == 0
    assert Notification.objects.filter(user=world.staff, kind=services.ITEM_KIND, message__contains="回顾").count() == 1


def test_residents_see_their_estate_and_community_meetings_only(world):
    from liulin.territory.tests.factories import BuildingFactory

    estate_meeting = convene(world)
    community_meeting = convene(world, kind=Kind.RESIDENTS, title="居民议事", invite=False)
    mine = resident_user(world.building)
    other_estate = resident_user(BuildingFactory(grid__community=world.community))
    elsewhere = resident_user(BuildingFactory())
    assert set(selectors.meetings_for(mine)) == {estate_meeting, community_meeting}
    assert set(selectors.meetings_for(other_estate)) == {community_meeting}
    assert not selectors.meetings_for(elsewhere).exists()
    assert set(selectors.meetings_for(world.property_user)) == {estate_meeting}  # invited
