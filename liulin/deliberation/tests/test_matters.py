"""四议两公开: every edge for every role, each stage's thresholds at their exact boundaries, the
decision's 公示 in the notices app (7 days, answers within 3 days) gating implementation, and
closing only with the result published."""

import datetime

import pytest

from liulin.core import calendar, chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.deliberation import matters
from liulin.deliberation.models import MajorMatter, MatterEvent, MatterState, Stage
from liulin.deliberation.workflow import MATTER, NEXT_STAGE
from liulin.notices import services as notices
from liulin.notices.models import Notice

from .factories import resident_user
from .test_workflow_tables import actor_for

PASSING = matters.Vote(due=30, present=30, in_favour=30)
PATH = {
    MatterState.PROPOSED: [], MatterState.DISCUSSED: ["discuss"], MatterState.REVIEWED: ["discuss", "review"],
    MatterState.RESOLVED: ["discuss", "review", "resolve"], MatterState.PUBLICISED: ["discuss", "review", "resolve", "publicise"],
    MatterState.IMPLEMENTING: ["discuss", "review", "resolve", "publicise", "implement"],
    MatterState.CLOSED: ["discuss", "review", "resolve", "publicise", "implement", "publish_result"],
}


def matter_in_state(world, state, *, at=None):
    at = at or clock.now() - datetime.timedelta(days=90)
    if state == MatterState.REJECTED:
        return matters.propose(actor=world.staff, community=world.community, title="加装电梯", description="同心家园加装电梯",
                               vote=matters.Vote(due=5, present=5, in_favour=2), now=at)
    matter = matters.propose(actor=world.staff, community=world.community, title="加装电梯", description="同心家园加装电梯",
                             vote=PASSING, now=at)
    for n, action in enumerate(PATH[state]):
        # two weeks a step: the 7-day window, counted from the next day and moved past a holiday break, has run
        when = at + datetime.timedelta(days=14 * n)
        matters.act(actor=world.staff, matter=matter, action=action, vote=PASSING, result="已完成加装并公示", now=when)
    return MajorMatter.objects.get(pk=matter.pk)


def visible(role, state):
    staff_like = role in MATTER.roles_of("propose") or role == Role.AUDITOR
    return staff_like or (role == Role.RESIDENT and state in matters.PUBLIC_STATES)


@pytest.mark.parametrize(("action", "role"), workflow_cases(MATTER, Role))
def test_matter_table(world, action, role):
    check_every_state(
        MATTER, action, role, states=MatterState, visible=visible,
        build=lambda state: matter_in_state(world, state),
        actor_for=lambda role, matter: actor_for(world, role),
        attempt=lambda user, matter, action: matters.act(actor=user, matter=matter, action=action, vote=PASSING,
                                                         result="已完成加装并公示"),
        state_of=lambda matter: MajorMatter.objects.get(pk=matter.pk).state,
        events_of=lambda matter: matter.events.count(),
        target=lambda transition, state: NEXT_STAGE[transition.action],
    )


def _propose(world, vote):
    return matters.propose(actor=world.staff, community=world.community, title="加装电梯", description="同心家园加装电梯",
                           vote=vote)


# 党组织提议 and 两委商议: "more than half" present and in favour, of those due. At exactly half
# of 10 due (5) refused or failed, at half + 1 (6) allowed or passed; in favour counts against
# those due, not those present (5 of 6 present is more than half of them, not of the 10 due).
@pytest.mark.parametrize(("present", "ok"), [(5, False), (6, True)])
def test_party_proposal_needs_more_than_half_present(world, present, ok):
    vote = matters.Vote(due=10, present=present, in_favour=present)
    if ok:
        assert _propose(world, vote).state == MatterState.PROPOSED
        assert MajorMatter.objects.get().votes.get(stage=Stage.PROPOSE).passed
    else:
        with pytest.raises(Invalid) as e:
            _propose(world, vote)
        assert e.value.code == "no_quorum"
        assert not MajorMatter.objects.exists() and not MatterEvent.objects.exists()


@pytest.mark.parametrize(("present", "in_favour", "state"), [
    (10, 5, MatterState.REJECTED),  # half of those due is not more than half
    (6, 5, MatterState.REJECTED),  # more than half of those present, not of those due
    (10, 6, MatterState.PROPOSED),
    (6, 6, MatterState.PROPOSED),
])
def test_party_proposal_passes_with_more_than_half_of_those_due(world, present, in_favour, state):
    matter = _propose(world, matters.Vote(due=10, present=present, in_favour=in_favour, against=present - in_favour))
    assert MajorMatter.objects.get(pk=matter.pk).state == state
    assert matter.votes.get(stage=Stage.PROPOSE).passed == (state == MatterState.PROPOSED)


@pytest.mark.parametrize(("present", "ok"), [(5, False), (6, True)])
def test_two_committees_need_more_than_half_present(world, present, ok):
    matter = matter_in_state(world, MatterState.PROPOSED)
    events = matter.events.count()
    vote = matters.Vote(due=10, present=present, in_favour=present)
    if ok:
        assert matters.act(actor=world.staff, matter=matter, action="discuss", vote=vote).state == MatterState.DISCUSSED
    else:
        with pytest.raises(Invalid) as e:
            matters.act(actor=world.staff, matter=matter, action="discuss", vote=vote)
        assert e.value.code == "no_quorum"
        assert MajorMatter.objects.get(pk=matter.pk).state == MatterState.PROPOSED
        assert not matter.votes.filter(stage=Stage.DISCUSS).exists() and matter.events.count() == events


@pytest.mark.parametrize(("present", "in_favour", "state"), [
    (10, 5, MatterState.REJECTED),
    (6, 5, MatterState.REJECTED),
    (10, 6, MatterState.DISCUSSED),
    (6, 6, MatterState.DISCUSSED),
])
def test_two_committees_pass_with_more_than_half_of_those_due(world, present, in_favour, state):
    matter = matter_in_state(world, MatterState.PROPOSED)
    matters.act(actor=world.staff, matter=matter, action="discuss",
                vote=matters.Vote(due=10, present=present, in_favour=in_favour, against=present - in_favour))
    assert MajorMatter.objects.get(pk=matter.pk).state == state
    assert matter.votes.get(stage=Stage.DISCUSS).passed == (state == MatterState.DISCUSSED)


@pytest.mark.parametrize(("present", "ok"), [(19, False), (20, True)])
def test_party_assembly_needs_two_thirds_present(world, present, ok):
    matter = matter_in_state(world, MatterState.DISCUSSED)
    vote = matters.Vote(due=30, present=present, in_favour=present)
    if ok:
        assert matters.act(actor=world.staff, matter=matter, action="review", vote=vote).state == MatterState.REVIEWED
    else:
        with pytest.raises(Invalid) as e:
            matters.act(actor=world.staff, matter=matter, action="review", vote=vote)
        assert e.value.code == "no_quorum"
        assert MajorMatter.objects.get(pk=matter.pk).state == MatterState.DISCUSSED


@pytest.mark.parametrize(("in_favour", "state"), [(15, MatterState.REJECTED), (16, MatterState.REVIEWED)])
def test_party_assembly_passes_with_more_than_half_of_those_due(world, in_favour, state):
    matter = matter_in_state(world, MatterState.DISCUSSED)
    matters.act(actor=world.staff, matter=matter, action="review", vote=matters.Vote(due=30, present=25, in_favour=in_favour))
    assert MajorMatter.objects.get(pk=matter.pk).state == state
    assert matter.votes.get(stage=Stage.REVIEW).passed == (state == MatterState.REVIEWED)


@pytest.mark.parametrize(("present", "in_favour", "outcome"), [
    (50, 50, "no_quorum"),  # half of 100 is not more than half
    (51, 25, MatterState.REJECTED),  # 25 of 51 present is not more than half
    (51, 26, MatterState.RESOLVED),
])
def test_residents_meeting_thresholds(world, present, in_favour, outcome):
    matter = matter_in_state(world, MatterState.REVIEWED)
    vote = matters.Vote(due=100, present=present, in_favour=in_favour)
    if outcome == "no_quorum":
        with pytest.raises(Invalid):
            matters.act(actor=world.staff, matter=matter, action="resolve", vote=vote)
        return
    matters.act(actor=world.staff, matter=matter, action="resolve", vote=vote)
    assert MajorMatter.objects.get(pk=matter.pk).state == outcome


def test_a_vote_cannot_count_more_than_were_present(world):
    matter = matter_in_state(world, MatterState.PROPOSED)
    with pytest.raises(Invalid) as e:
        matters.act(actor=world.staff, matter=matter, action="discuss", vote=matters.Vote(due=5, present=4, in_favour=4, against=1))
    assert e.value.code == "invalid_vote"


def test_the_decision_is_publicised_in_the_notices_and_implementation_waits_for_it(world):
    # Tuesday 5 March 2024, 10:00: the 公示 counts from 6 March, 7 days, ends at 24:00 on 12 March
    # (Civil Code arts. 201, 203; periods across holidays are tested in liulin/notices/tests/test_periods.py)
    published = calendar.start_of_day(datetime.date(2024, 3, 5)) + datetime.timedelta(hours=10)
    window_end = calendar.start_of_day(datetime.date(2024, 3, 13))
    matter = matter_in_state(world, MatterState.RESOLVED)
    matters.act(actor=world.staff, matter=matter, action="publicise", now=published)
    notice = Notice.objects.get(pk=MajorMatter.objects.get(pk=matter.pk).notice_id)
    assert (notice.origin, notice.subject_id, notice.kind.code, notice.ends_at) == (matters.ORIGIN, matter.pk, "four_two", window_end)
    assert matter.title in notice.versions.get().title and "应到" in notice.versions.get().body
    resident = resident_user(world.building)
    objection = notices.object_to(actor=resident, notice=notice, text="费用分摊不合理", now=published + datetime.timedelta(days=1))
    # raised Wednesday 6 March: 3 days from the 7th end on Saturday the 9th, moved to Monday the 11th
    assert objection.answer_due == calendar.start_of_day(datetime.date(2024, 3, 12))
    with pytest.raises(Conflict) as e:
        matters.act(actor=world.staff, matter=matter, action="implement", now=window_end - datetime.timedelta(seconds=1))
    assert e.value.code == "window_open"
    with pytest.raises(Conflict) as e:
        matters.act(actor=world.staff, matter=matter, action="implement", now=window_end)
    assert e.value.code == "objections_open"
    assert MajorMatter.objects.get(pk=matter.pk).state == MatterState.PUBLICISED
    notices.answer(actor=world.staff, objection=objection, text="按面积分摊，已公示依据", now=published + datetime.timedelta(days=2))
    matters.act(actor=world.staff, matter=matter, action="implement", now=window_end)
    assert Notice.objects.get(pk=notice.pk).state == "finalised"
    with pytest.raises(Invalid):
        matters.act(actor=world.staff, matter=matter, action="publish_result", result="")
    matters.act(actor=world.staff, matter=matter, action="publish_result", result="电梯已投用")
    assert MajorMatter.objects.get(pk=matter.pk).state == MatterState.CLOSED
    assert chain.verify(MatterEvent, matter) is None


def test_the_matter_page_shows_its_notice(world, client):
    matter = matter_in_state(world, MatterState.RESOLVED)
    matters.act(actor=world.staff, matter=matter, action="publicise")
    client.force_login(world.staff)
    page = client.get(f"/deliberation/matters/{matter.pk}/").content.decode()
    assert f'href="/notices/{MajorMatter.objects.get(pk=matter.pk).notice_id}/"' in page


def test_residents_see_a_matter_only_once_published(world):
    matter = matter_in_state(world, MatterState.RESOLVED)
    resident = resident_user(world.building)
    with pytest.raises(NotFound):
        matters.matter_for(resident, matter.pk)
    matters.act(actor=world.staff, matter=matter, action="publicise")
    assert matters.matter_for(resident, matter.pk) == matter


def test_pages_propose_vote_and_object(world):
    from django.test import Client
    from django.urls import reverse

    staff = Client()
    staff.force_login(world.staff)
    r = staff.post(reverse("deliberation:matters"), {"title": "广场改造", "description": "同心广场改造方案", "due": 7,
                                                      "present": 7, "in_favour": 6, "against": 1, "abstain": 0})
    matter = MajorMatter.objects.get(title="广场改造")
    assert r.status_code == 302 and matter.state == MatterState.PROPOSED
    staff.post(reverse("deliberation:matter_act", args=[matter.pk, "discuss"]),
               {"due": 11, "present": 9, "in_favour": 8, "against": 1, "abstain": 0})
    assert MajorMatter.objects.get(pk=matter.pk).state == MatterState.DISCUSSED
    r = staff.post(reverse("deliberation:matter_act", args=[matter.pk, "review"]),
                   {"due": 30, "present": 19, "in_favour": 19, "against": 0, "abstain": 0}, follow=True)
    assert "到会人数不足" in r.content.decode()
    page = staff.get(reverse("deliberation:matter", args=[matter.pk])).content.decode()
    assert "matter-review" in page and "两委商议" in page


def test_api_matter(world):
    from django.test import Client

    staff = Client()
    staff.force_login(world.staff)
    r = staff.post("/api/v1/deliberation/matters", {"community_id": world.community.pk, "title": "加装电梯", "description": "说明",
                                                   "vote": {"due": 5, "present": 5, "in_favour": 5}}, content_type="application/json")
    assert r.status_code == 201, r.content
    matter_id = r.json()["id"]
    r = staff.post(f"/api/v1/deliberation/matters/{matter_id}/actions/review", {"vote": {"due": 5, "present": 5, "in_favour": 5}},
                   content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = staff.post(f"/api/v1/deliberation/matters/{matter_id}/actions/discuss", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "vote_required"
    r = staff.post(f"/api/v1/deliberation/matters/{matter_id}/actions/discuss",
                   {"vote": {"due": 9, "present": 9, "in_favour": 9}}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "discussed" and len(r.json()["votes"]) == 2
