"""A vote's result on 公示 in the 公示栏 (core.publication, the notices app): published at
`publish_result` for the kind's period or the estate's longer one, the tally in units, areas
and heads and never a name; only owners on the roll object, inside the period; community staff
answer and finalise in the 公示栏 (`published` is the vote's last state), and the vote's page
shows where the notice stands. The receipts and the public record are not touched."""

import datetime
import json

import pytest
from django.test import Client

from liulin.core import calendar
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.notices import selectors as notice_selectors
from liulin.notices import services as notices
from liulin.notices.models import Notice
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory
from liulin.votes import publication, result_notice, services
from liulin.votes.models import EstateRules, NonVoterRule, Owner, State, Vote, VoteEvent

from .factories import drive, make_world, new_vote

pytestmark = pytest.mark.django_db

# Tuesday 31 March 2026, 10:00: the 公示 counts from 1 April, 7 calendar days (kind owners_decision),
# and ends at 24:00 on Tuesday 7 April (Civil Code arts. 201, 203; periods across days off are
# tested in liulin/notices/tests/test_periods.py).
PUBLISHED = calendar.start_of_day(datetime.date(2026, 3, 31)) + datetime.timedelta(hours=10)
ENDS = calendar.start_of_day(datetime.date(2026, 4, 8))
SECOND = datetime.timedelta(seconds=1)
NAMES = ["欧阳明远", "司马秋菊", "上官建国", "诸葛兰芳"]


def live_in_the_community(world, owners):
    """The owners' accounts belong to residents of the estate's community (they see its 公示栏)."""
    building = BuildingFactory(estate=world.estate, grid=GridFactory(community=world.estate.community))
    for owner in owners:
        owner.user.resident = ResidentFactory(household=HouseholdFactory(building=building))
        owner.user.save(update_fields=["resident"])
    return building


def resident_of(building):
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role

    return make_user(Role.RESIDENT, resident=ResidentFactory(household=HouseholdFactory(building=building)))


def published(world, *, now=PUBLISHED, ballots=None):
    o = world.owners
    vote = drive(world, new_vote(world), State.COUNTED, ballots=[(o[0], "yes"), (o[1], "yes"), (o[2], "no")]
                 if ballots is None else ballots)
    for owner, name in zip(o, NAMES, strict=False):
        Owner.objects.filter(pk=owner.pk).update(name=name)
    services.act(actor=world.chair, vote=vote, action="publish_result", now=now)
    vote.refresh_from_db()
    return vote, Notice.objects.get(pk=vote.notice_id)


def test_the_result_goes_on_notice_with_units_areas_and_heads_and_no_name():
    world = make_world()
    live_in_the_community(world, world.owners)
    vote, notice = published(world)
    assert (vote.state, vote.published_at) == (State.PUBLISHED, PUBLISHED)
    assert (notice.origin, notice.subject_id, notice.kind.code, notice.community_id) == (
        result_notice.ORIGIN, vote.pk, "owners_decision", world.estate.community_id)
    assert (notice.state, notice.published_at, notice.ends_at, notice.period_days) == ("published", PUBLISHED, ENDS, None)
    assert notice.subject_url == f"/votes/{vote.pk}/"
    version = notice.versions.get()
    assert vote.title in version.title
    body = version.body
    # 1栋101 0.90 m² and 1栋102 1.10 m² yes, 1栋103 0.80 m² no, 1栋104 1.00 m² did not vote
    assert "名册：专有部分 4 个，面积 3.80 平方米，业主 4 人" in body
    assert "参与表决：专有部分 3 个，面积 2.80 平方米，业主 3 人" in body
    assert "同意：专有部分 2 个，面积 2.00 平方米，业主 2 人" in body
    assert "反对：专有部分 1 个，面积 0.80 平方米，业主 1 人" in body
    assert "弃权：专有部分 0 个，面积 0.00 平方米，业主 0 人" in body
    assert "表决结果（严格口径，民法典第二百七十八条）：通过" in body
    assert "议事规则" not in body  # the estate counts no non-voter
    for name in NAMES:
        assert name not in body and f"{name[0]}*" not in body and name not in version.title  # no name, not even masked
    # the vote's chain records the notice; its record is what it was and still re-adds
    assert VoteEvent.objects.get(vote=vote, action="publish_result").data == {"notice": notice.pk}
    assert publication.verify_document(publication.export(vote))[0] == []
    assert not any(name in json.dumps(publication.export(vote), ensure_ascii=False) for name in NAMES)


def test_the_rules_tally_is_published_beside_the_strict_one():
    world = make_world([(10000, i) for i in range(6)])
    vote = new_vote(world)
    Vote.objects.filter(pk=vote.pk).update(non_voter_rule=NonVoterRule.WITH_MAJORITY)
    vote.refresh_from_db()
    o = world.owners
    drive(world, vote, State.COUNTED, ballots=[(o[0], "yes"), (o[1], "yes"), (o[2], "no"), (o[3], "yes")])
    services.act(actor=world.chair, vote=vote, action="publish_result", now=PUBLISHED)
    body = Notice.objects.get(pk=Vote.objects.get(pk=vote.pk).notice_id).versions.get().body
    assert "表决结果（严格口径，民法典第二百七十八条）：通过" in body
    assert "按本小区议事规则计入已送达而未表决的业主（面积 0.00 平方米，业主 0 人）：通过" in body


def test_the_estates_longer_period_lengthens_the_notice_and_a_shorter_one_does_not_shorten_it():
    world = make_world()
    EstateRules.objects.create(estate=world.estate, objection_days=10)
    vote, notice = published(world)
    # 10 calendar days from 1 April: Friday 10 April, ending at 24:00
    assert (notice.period_days, notice.ends_at) == (10, calendar.start_of_day(datetime.date(2026, 4, 11)))
    other = make_world()
    EstateRules.objects.create(estate=other.estate, objection_days=3)
    vote, notice = published(other)
    assert (notice.period_days, notice.ends_at) == (None, ENDS)


def test_only_owners_on_the_roll_object_and_only_inside_the_period():
    world = make_world()
    o = world.owners
    building = live_in_the_community(world, o)
    vote, notice = published(world)
    objection = notices.object_to(actor=o[2].user, notice=notice, text="第 3 栋的票数有误", now=PUBLISHED + datetime.timedelta(days=1))
    assert objection.answer_due > objection.raised_at
    # a resident of the community who owns nothing here, and an owner who bought after the roll was frozen
    late_owner = Owner.objects.create(estate=world.estate, name="后来的业主", user=resident_of(building))
    for outsider in (resident_of(building), late_owner.user):
        with pytest.raises(NotPermitted) as refused:
            notices.object_to(actor=outsider, notice=notice, text="我也有意见", now=PUBLISHED + datetime.timedelta(days=1))
        assert (refused.value.code, refused.value.detail) == ("may_not_object", "只有本次表决名册上的业主可以提出异议。")
    # the committee member, no resident here, reads the notice of the vote he ran but owns nothing on its roll
    assert notice_selectors.notices_for(world.chair).filter(pk=notice.pk).exists()
    with pytest.raises(NotPermitted):
        notices.object_to(actor=world.chair, notice=notice, text="x", now=PUBLISHED + datetime.timedelta(days=1))
    with pytest.raises(Invalid):
        notices.object_to(actor=o[0].user, notice=notice, text="  ", now=PUBLISHED + datetime.timedelta(days=1))
    # one second before the period ends an owner still objects; at its end he may not
    last = notices.object_to(actor=o[0].user, notice=notice, text="弃权票的面积请核实", now=ENDS - SECOND)
    with pytest.raises(Conflict) as closed:
        notices.object_to(actor=o[1].user, notice=notice, text="晚了", now=ENDS)
    assert closed.value.code == "objections_closed"
    # staff see every objection, an owner his own
    staff = world.clerks[0]
    assert list(notice_selectors.objections_of(staff, notice)) == [objection, last]
    assert list(notice_selectors.objections_of(o[0].user, notice)) == [last]
    assert list(notice_selectors.objections_of(o[1].user, notice)) == []
    # the objections are the notice's: the vote's chain and record are as they were
    assert not VoteEvent.objects.filter(vote=vote, action="object").exists()
    assert publication.verify_document(publication.export(vote))[0] == []


def test_an_owner_on_the_roll_who_lives_elsewhere_reads_the_notice_and_objects():
    world = make_world()  # the owners' accounts are no residents of the estate's community
    vote, notice = published(world)
    owner = world.owners[0].user
    assert notice_selectors.notices_for(owner).filter(pk=notice.pk).exists()
    objection = notices.object_to(actor=owner, notice=notice, text="我的面积登记有误", now=PUBLISHED + datetime.timedelta(days=1))
    assert objection.notice_id == notice.pk
    stranger = resident_of(BuildingFactory())  # a resident of another community, no owner here
    assert not notice_selectors.notices_for(stranger).filter(pk=notice.pk).exists()
    with pytest.raises(NotFound):
        notices.object_to(actor=stranger, notice=notice, text="x", now=PUBLISHED + datetime.timedelta(days=1))


def test_staff_finalise_the_notice_after_its_period_with_every_objection_answered():
    world = make_world()
    live_in_the_community(world, world.owners)
    vote, notice = published(world)
    staff = world.clerks[0]
    objection = notices.object_to(actor=world.owners[2].user, notice=notice, text="请公布计票明细", now=PUBLISHED)
    with pytest.raises(Conflict) as refused:
        notices.act(actor=staff, notice=notice, action="finalise", now=ENDS - SECOND)
    assert refused.value.code == "window_open"
    with pytest.raises(Conflict) as refused:
        notices.act(actor=staff, notice=notice, action="finalise", now=ENDS)
    assert refused.value.code == "objections_open"
    assert result_notice.status(vote).open_objections == 1
    notices.answer(actor=staff, objection=objection, text="明细见公开投票记录，可下载复核", now=PUBLISHED + datetime.timedelta(days=2))
    notices.act(actor=staff, notice=notice, action="finalise", now=ENDS)
    found = result_notice.status(vote)
    assert (found.state, found.open_objections, found.objections) == ("finalised", 0, 1)
    assert Vote.objects.get(pk=vote.pk).state == State.PUBLISHED  # the vote's last state; nothing more to do there


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_vote_page_and_the_api_show_the_notice_and_objections_go_to_it():
    world = make_world()
    o = world.owners
    building = live_in_the_community(world, o)
    vote, notice = published(world, now=None)  # now: the page reads the notice as it stands today
    owner = _client(o[3].user)
    page = owner.get(f"/votes/{vote.pk}/").content.decode()
    assert f'href="/notices/{notice.pk}/"' in page and 'data-testid="vote-notice-state">公示中<' in page
    assert "0 条异议待答复" in page and "只有本次表决名册上的业主可以提出异议。" in page
    assert owner.get(f"/api/v1/votes/{vote.pk}").json()["notice_id"] == notice.pk
    # the vote's own objection endpoints are gone; an owner objects on the notice
    assert owner.post(f"/votes/{vote.pk}/objections/", {"body": "x"}).status_code == 404
    assert owner.post(f"/api/v1/votes/{vote.pk}/objections", json.dumps({"body": "x"}), content_type="application/json").status_code in (404, 405)
    made = owner.post(f"/api/v1/notices/{notice.pk}/objections", json.dumps({"text": "第 4 户未收到表决票"}),
                      content_type="application/json")
    assert made.status_code == 201, made.content
    refused = _client(resident_of(building)).post(f"/api/v1/notices/{notice.pk}/objections", json.dumps({"text": "x"}),
                                                  content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "may_not_object")
    assert "1 条异议待答复" in owner.get(f"/votes/{vote.pk}/").content.decode()
    # the notice page links back to the vote, and residents of the community read the result there
    notice_page = _client(resident_of(building)).get(f"/notices/{notice.pk}/").content.decode()
    assert f'href="/votes/{vote.pk}/"' in notice_page and "同意：专有部分 2 个" in notice_page
