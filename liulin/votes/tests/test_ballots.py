"""Casting: online, at the counter, on paper typed twice; the channel rule; the roll frozen at
opening; receipts; the count and the published record re-added from scratch."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.workflow import IllegalTransition
from liulin.votes import publication, selectors, services
from liulin.votes import tally as tallying
from liulin.votes.models import Ballot, Channel, ChannelRule, NonVoterRule, Owner, State, Unit, Vote
from liulin.votes.rules import Matter

from .factories import AFTER, CLOSES, OPENS, T0, drive, make_world, new_vote

pytestmark = pytest.mark.django_db
DURING = OPENS + timedelta(days=1)


def open_vote(world, **kw):
    return drive(world, new_vote(world, **kw), State.OPEN)


def test_notice_less_than_15_days_before_voting_is_refused():
    world = make_world()
    vote = new_vote(world)
    with pytest.raises(Conflict) as refused:
        services.act(actor=world.chair, vote=vote, action="publish_notice", now=OPENS - timedelta(days=15, seconds=-1))
    assert refused.value.code == "notice_too_late"
    services.act(actor=world.chair, vote=vote, action="publish_notice", now=OPENS - timedelta(days=15))
    assert Vote.objects.get(pk=vote.pk).state == State.NOTICED


def test_open_and_close_wait_for_their_time_and_the_sweep_keeps_them():
    world = make_world()
    vote = drive(world, new_vote(world), State.NOTICED)
    with pytest.raises(Conflict):
        services.act(actor=world.chair, vote=vote, action="open", now=OPENS - timedelta(seconds=1))
    assert services.sweep_deadlines(now=OPENS - timedelta(seconds=1)) == (0, 0)
    assert services.sweep_deadlines(now=OPENS) == (1, 0)
    assert services.sweep_deadlines(now=CLOSES) == (0, 1)
    vote.refresh_from_db()
    assert vote.state == State.CLOSED
    assert [e.action for e in vote.events.order_by("seq")] == ["create", "publish_notice", "open", "close"]
    assert vote.events.get(action="open").actor is None


def test_the_roll_is_frozen_with_headcount_rules():
    # Owner 0 holds two units (one head, areas add up); the developer's unsold units are one head.
    world = make_world([(9000, 0), (11000, 0), (8000, 1)], developer_areas=(5000, 7000))
    vote = open_vote(world)
    assert (vote.total_area_cm2, vote.total_owners) == (40000, 3)


def test_an_owner_votes_once_for_all_his_units_and_gets_a_receipt():
    world = make_world([(9000, 0), (11000, 0), (8000, 1)])
    vote = open_vote(world)
    code = services.cast_online(actor=world.owners[0].user, vote=vote, choice="yes", now=DURING)
    ballots = Ballot.objects.filter(vote=vote)
    assert sorted(b.area_cm2 for b in ballots) == [9000, 11000]
    digest, found = selectors.receipt(vote, code.lower().replace("-", ""))
    assert {b.unit.label for b in found} == {"1栋101", "1栋102"}
    assert selectors.receipt_in_log(vote, digest)
    with pytest.raises(Conflict) as again:
        services.cast_online(actor=world.owners[0].user, vote=vote, choice="no", now=DURING)
    assert again.value.code == "already_voted"
    assert set(Ballot.objects.filter(vote=vote).values_list("choice", flat=True)) == {"yes"}


def test_voting_outside_the_period_or_without_an_owner_identity_is_refused():
    world = make_world()
    vote = drive(world, new_vote(world), State.NOTICED)
    with pytest.raises(Conflict):
        services.cast_online(actor=world.owners[0].user, vote=vote, choice="yes", now=OPENS)
    services.act(actor=world.chair, vote=vote, action="open", now=OPENS)
    with pytest.raises(NotPermitted):
        services.cast_online(actor=world.chair, vote=vote, choice="yes", now=DURING)
    with pytest.raises(Invalid):
        services.cast_online(actor=world.owners[0].user, vote=vote, choice="maybe", now=DURING)
    with pytest.raises(Conflict):
        services.cast_online(actor=world.owners[0].user, vote=vote, choice="yes", now=CLOSES)
    assert not Ballot.objects.exists()


def test_the_database_refuses_a_second_ballot_for_a_unit():
    world = make_world()
    vote = open_vote(world)
    services.cast_online(actor=world.owners[0].user, vote=vote, choice="yes", now=DURING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(vote=vote, unit=world.units[0], owner=world.owners[0], area_cm2=1, choice="no",
                              channel=Channel.PAPER, receipt_hash="x")


def test_online_prevails_over_the_counter_and_every_change_is_chained():
    world = make_world()
    vote = open_vote(world)
    owner = world.owners[0]
    services.cast_counter(actor=world.clerks[0], vote=vote, owner=owner, choice="no", id_checked=True, now=DURING)
    with pytest.raises(Conflict):  # a second counter ballot
        services.cast_counter(actor=world.clerks[1], vote=vote, owner=owner, choice="yes", id_checked=True, now=DURING)
    services.cast_online(actor=owner.user, vote=vote, choice="yes", now=DURING)
    ballot = Ballot.objects.get(vote=vote, owner=owner)
    assert (ballot.channel, ballot.choice) == ("online", "yes")
    replaced = vote.events.get(action="replace_ballot")
    assert replaced.data["replaces"] == ["counter"]
    with pytest.raises(Conflict):  # once online, nothing replaces it
        services.cast_counter(actor=world.clerks[0], vote=vote, owner=owner, choice="no", id_checked=True, now=DURING)


def test_first_ballot_prevails_when_the_rules_say_so():
    world = make_world()
    vote = new_vote(world)
    Vote.objects.filter(pk=vote.pk).update(channel_rule=ChannelRule.FIRST_PREVAILS)
    vote.refresh_from_db()
    drive(world, vote, State.OPEN)
    owner = world.owners[0]
    services.cast_counter(actor=world.clerks[0], vote=vote, owner=owner, choice="no", id_checked=True, now=DURING)
    with pytest.raises(Conflict):
        services.cast_online(actor=owner.user, vote=vote, choice="yes", now=DURING)


def test_counter_needs_the_id_checked_and_a_clerk():
    world = make_world()
    vote = open_vote(world)
    with pytest.raises(Invalid):
        services.cast_counter(actor=world.clerks[0], vote=vote, owner=world.owners[0], choice="yes", id_checked=False, now=DURING)
    with pytest.raises((NotPermitted, Exception)):
        services.cast_counter(actor=world.owners[1].user, vote=vote, owner=world.owners[0], choice="yes", id_checked=True, now=DURING)
    assert not Ballot.objects.exists()


def test_paper_is_typed_twice_by_two_people_and_a_third_settles_a_mismatch():
    world = make_world()
    vote = open_vote(world)
    a, b, c = world.clerks
    owner, code = world.owners[0], "ABCD-EFGH-JKLM"
    assert services.enter_paper(actor=a, vote=vote, owner=owner, choice="yes", receipt_code=code, now=DURING) == "first"
    with pytest.raises(Conflict) as same:
        services.enter_paper(actor=a, vote=vote, owner=owner, choice="yes", receipt_code=code, now=DURING)
    assert same.value.code == "same_clerk"
    assert services.enter_paper(actor=b, vote=vote, owner=owner, choice="yes", receipt_code=code, now=DURING) == "matched"
    assert Ballot.objects.get(vote=vote, owner=owner).channel == "paper"

    other = world.owners[1]
    services.enter_paper(actor=a, vote=vote, owner=other, choice="yes", receipt_code=code.replace("A", "B"), now=DURING)
    assert services.enter_paper(actor=b, vote=vote, owner=other, choice="no", receipt_code=code.replace("A", "B"),
                                now=DURING) == "mismatch"
    assert not Ballot.objects.filter(vote=vote, owner=other).exists()
    services.act(actor=world.chair, vote=vote, action="close", now=CLOSES)
    with pytest.raises(Conflict) as waiting:
        services.act(actor=world.chair, vote=vote, action="count", now=AFTER)
    assert waiting.value.code == "paper_unsettled"
    with pytest.raises(Conflict) as own:
        services.resolve_paper(actor=b, vote=vote, owner=other, choice="no", receipt_code="BBCD-EFGH-JKLM", now=AFTER)
    assert own.value.code == "own_entry"
    services.resolve_paper(actor=c, vote=vote, owner=other, choice="no", receipt_code="BBCD-EFGH-JKLM", now=AFTER)
    services.act(actor=world.chair, vote=vote, action="count", now=AFTER)
    vote.refresh_from_db()
    assert (vote.yes_owners, vote.no_owners) == (1, 1)


def test_a_unit_sold_during_the_vote_keeps_its_ballot_and_the_buyer_cannot_vote_it():
    world = make_world([(9000, 0), (11000, 1), (8000, 2)])
    vote = open_vote(world)
    services.cast_online(actor=world.owners[0].user, vote=vote, choice="yes", now=DURING)
    from liulin.accounts.tests.factories import UserFactory

    buyer = Owner.objects.create(estate=world.estate, name="新业主", user=UserFactory())
    Unit.objects.filter(pk=world.units[0].pk).update(owner=buyer)
    with pytest.raises(NotPermitted) as refused:
        services.cast_online(actor=buyer.user, vote=vote, choice="no", now=DURING)
    assert refused.value.code == "not_on_roll"
    # The seller's other holdings: none. His ballot stands, counted with his area.
    assert Ballot.objects.get(vote=vote, unit=world.units[0]).choice == "yes"


def finished(world, ballots, matter=Matter.PROPERTY_SERVICE):
    vote = drive(world, new_vote(world, matter=matter), State.PUBLISHED, ballots=ballots)
    vote.refresh_from_db()
    return vote


def test_the_count_the_record_and_verify_vote_agree(tmp_path):
    world = make_world([(9000, 0), (11000, 1), (8000, 2), (10000, 3)])
    o = world.owners
    vote = finished(world, [(o[0], "yes"), (o[1], "yes"), (o[2], "no")])
    assert (vote.voted_area_cm2, vote.voted_owners, vote.yes_area_cm2, vote.yes_owners) == (28000, 3, 20000, 2)
    assert vote.passed is True  # 28000/38000 ≥ 2/3 and 3/4 ≥ 2/3; 20000/28000 and 2/3 > 1/2
    doc = publication.export(vote)
    assert publication.verify_document(doc)[0] == []
    path = tmp_path / "vote.json"
    import json

    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    call_command("verify_vote", str(path))
    # Tampering with one ballot in the file breaks its hash; a forged published figure is named.
    cast = next(e for e in doc["events"] if e["action"] == "cast")
    cast["data"]["choice"] = "no"
    problems, _ = publication.verify_document(doc)
    assert problems and "hash" in problems[0]
    cast["data"]["choice"] = "yes"
    doc["vote"]["yes_area_cm2"] += 1
    problems, _ = publication.verify_document(doc)
    assert any("published yes_area_cm2" in p for p in problems)


def test_non_voters_with_the_majority_only_when_served():
    world = make_world([(10000, i) for i in range(6)])
    o = world.owners
    vote = new_vote(world)
    Vote.objects.filter(pk=vote.pk).update(non_voter_rule=NonVoterRule.WITH_MAJORITY)
    vote.refresh_from_db()
    drive(world, vote, State.OPEN, ballots=[(o[0], "yes"), (o[1], "yes"), (o[2], "no")])
    services.record_service(actor=world.clerks[0], vote=vote, owner=o[3], how="签收回执", now=DURING)
    services.record_service(actor=world.clerks[0], vote=vote, owner=o[4], how="短信送达", now=DURING)
    vote.refresh_from_db()
    result = selectors.result(vote)
    assert (result["strict"].voted_owners, result["strict_decision"].quorate) == (3, False)
    assert (result["rules"].voted_owners, result["rules"].yes_owners) == (5, 4)  # o[5] was never served
    assert result["rules_decision"].passed


def test_cancel_needs_a_reason_and_counting_is_the_committees():
    world = make_world()
    vote = new_vote(world)
    with pytest.raises(Invalid):
        services.act(actor=world.chair, vote=vote, action="cancel", now=T0)
    with pytest.raises(NotPermitted):
        services.act(actor=world.clerks[0], vote=vote, action="publish_notice", now=T0)
    with pytest.raises(IllegalTransition):
        services.act(actor=world.chair, vote=vote, action="count", now=T0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 7), st.sampled_from(["yes", "no", "abstain"]), st.sampled_from(["online", "counter"])),
                max_size=20))
def test_the_tally_equals_a_recount_from_scratch(attempts):
    with transaction.atomic():
        world = make_world([(1000 + 37 * i, i % 6) for i in range(8)], clerks=1)
        vote = open_vote(world)
        for unit_index, choice, channel in attempts:
            owner = world.units[unit_index].owner
            try:
                if channel == "online":
                    services.cast_online(actor=owner.user, vote=vote, choice=choice, now=DURING)
                else:
                    services.cast_counter(actor=world.clerks[0], vote=vote, owner=owner, choice=choice, id_checked=True,
                                          now=DURING)
            except Conflict:
                pass
        rows = [(b.owner_id, b.area_cm2, b.choice) for b in Ballot.objects.filter(vote=vote)]
        assert tallying.strict(vote) == tallying.recount(rows, total_area=vote.total_area_cm2, total_owners=vote.total_owners)
        transaction.set_rollback(True)


def test_opening_sends_the_ballot_and_a_read_notice_is_service():
    from liulin.core.notifications.models import Notification
    from liulin.votes.notifications import KIND_BALLOT

    world = make_world([(10000, i) for i in range(6)])
    o = world.owners
    vote = new_vote(world)
    Vote.objects.filter(pk=vote.pk).update(non_voter_rule=NonVoterRule.WITH_MAJORITY)
    vote.refresh_from_db()
    drive(world, vote, State.OPEN, ballots=[(o[0], "yes"), (o[1], "yes"), (o[2], "no")])
    notices = Notification.objects.filter(kind=KIND_BALLOT)
    assert sorted(notices.values_list("user_id", flat=True)) == sorted(owner.user_id for owner in o)
    notices.filter(user=o[3].user).update(read_at=DURING)  # o[3] read it; o[4], o[5] did not
    drive(world, vote, State.COUNTED)
    assert vote.events.get(action="count").data["served_by_notification"] == 1
    result = selectors.result(vote)
    assert (result["rules"].voted_owners, result["rules"].yes_owners) == (4, 3)


def test_the_sweep_goes_on_past_a_vote_it_cannot_open():
    from liulin.votes.models import Owner as OwnerModel

    empty = make_world([])
    world = make_world()
    stuck = drive(empty, new_vote(empty), State.NOTICED)
    fine = drive(world, new_vote(world), State.NOTICED)
    assert services.sweep_deadlines(now=OPENS) == (1, 0)
    assert Vote.objects.get(pk=stuck.pk).state == State.NOTICED
    assert Vote.objects.get(pk=fine.pk).state == State.OPEN
    assert not OwnerModel.objects.filter(estate=empty.estate).exists()
