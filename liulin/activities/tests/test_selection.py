"""好家风 selection: nomination, review, a real-name vote once a day, jury, a weighted score
recomputable from the ballots, the ranking's 公示 in the 公示栏 (the notices app: its period,
objections naming a family, answered as upheld or not) gating publication."""

import datetime

import pytest
import time_machine

from liulin.accounts.tests.factories import make_user
from liulin.activities import selection as sel
from liulin.activities.models import Ballot, Nomination, Selection, SelectionEvent
from liulin.activities.workflow import SELECTION_WORKFLOW
from liulin.core import calendar, chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.roles import Role
from liulin.core.testing.workflow import check_every_state, workflow_cases
from liulin.notices import services as notices
from liulin.notices.models import Notice, NoticeEvent

from .factories import Town

pytestmark = pytest.mark.django_db
S = Selection.State
# Monday 4 March 2024, 10:00: the kind's 5 calendar days count from the 5th and end on Saturday
# the 9th, moved past the weekend to Monday the 11th, so the 公示 ends at 24:00 on 11 March
# (Civil Code arts. 201, 203; periods across holidays are tested in liulin/notices/tests/test_periods.py)
PUBLISHED = calendar.start_of_day(datetime.date(2024, 3, 4)) + datetime.timedelta(hours=10)
ENDS = calendar.start_of_day(datetime.date(2024, 3, 12))
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def town():
    return Town()


def families(town, selection, n):
    out = []
    for i in range(n):
        person = town.resident()
        out.append(sel.nominate(actor=person.user, selection=selection, household=person.household,
                                family_name=f"第{i}家", story="三代同堂，孝老爱亲，邻里互助二十年。"))
    return out


def to_voting(town, selection, nominations):
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_review")
    for n in nominations:
        sel.review(actor=town.staff, nomination=n, accept=True)
    return sel.act_on_selection(actor=town.staff, selection=selection, action="start_voting")


@time_machine.travel(PUBLISHED - datetime.timedelta(days=3), tick=False)
def test_the_whole_selection_and_a_score_recomputable_from_the_ballots(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="2025年好家风评比",
                                     choices_per_ballot=2, public_weight=60, jury_weight=40, winners=2)
    a, b, c = families(town, selection, 3)
    to_voting(town, selection, [a, b, c])
    voters = [town.resident() for _ in range(4)]
    for v in voters[:3]:
        sel.vote(actor=v.user, selection=selection, nominations=[a, b])
    sel.vote(actor=voters[3].user, selection=selection, nominations=[c])
    juror = make_user(Role.COMMUNITY_STAFF, town.community)
    sel.score(actor=juror, nomination=c, value=100)
    sel.score(actor=juror, nomination=a, value=50)
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_publicity", now=PUBLISHED)
    selection.refresh_from_db()
    # a: 60% × 3/3 + 40% × 50 = 80; b: 60 + 0 = 60; c: 60% × 1/3 × 100 + 40 = 60 (tie, earlier first)
    assert [(r["family_name"], r["total"]) for r in selection.result] == [("第0家", 80.0), ("第1家", 60.0)]
    recomputed = [(r["nomination"], round(float(r["total"]), 2)) for r in sel.scores(selection)][:2]
    assert recomputed == [(r["nomination"], r["total"]) for r in selection.result]
    assert Ballot.objects.filter(selection=selection).count() == 4  # every ballot stored

    # the ranking is a notice in the 公示栏 of the community, published for the kind's period
    notice = Notice.objects.get(pk=selection.notice_id)
    assert (notice.origin, notice.subject_id, notice.kind.code, notice.community_id) == (
        sel.ORIGIN, selection.pk, "selection", town.community.pk)
    assert (notice.published_at, notice.ends_at, notice.subject_url) == (PUBLISHED, ENDS, f"/activities/selections/{selection.pk}/")
    assert notices.items_of(notice) == [(str(a.pk), "第0家"), (str(b.pk), "第1家")]  # the families on the ranking
    objector = town.resident()
    objection = notices.object_to(actor=objector.user, notice=notice, text="该户存在邻里纠纷未化解，请核实。", item=str(a.pk),
                                  now=ENDS - SECOND)
    assert objection.item_label == "第0家"
    with pytest.raises(Conflict) as refused:
        notices.object_to(actor=objector.user, notice=notice, text="还有一条", item=str(b.pk), now=ENDS)
    assert refused.value.code == "objections_closed"

    secretary = make_user(Role.COMMUNITY_SECRETARY, town.community)
    with pytest.raises(Conflict) as refused:
        sel.act_on_selection(actor=secretary, selection=selection, action="publish", now=ENDS - SECOND)
    assert refused.value.code == "window_open"
    with pytest.raises(Conflict) as refused:
        sel.act_on_selection(actor=secretary, selection=selection, action="publish", now=ENDS)
    assert refused.value.code == "objections_open"
    assert Selection.objects.get(pk=selection.pk).state == S.PUBLICITY
    with pytest.raises(Invalid) as refused:
        notices.answer(actor=town.staff, objection=objection, text="经核实属实，取消评选资格。", now=ENDS)
    assert refused.value.code == "upheld_required"
    notices.answer(actor=town.staff, objection=objection, text="经核实属实，取消评选资格。", upheld=True, now=ENDS)
    published = sel.act_on_selection(actor=secretary, selection=selection, action="publish", now=ENDS)
    assert [r["family_name"] for r in published.result] == ["第1家", "第2家"]  # the upheld family leaves the list
    assert Notice.objects.get(pk=notice.pk).state == "finalised"
    assert selection.events.last().data == {"from": S.PUBLICITY, "to": S.PUBLISHED, "upheld": [a.pk]}
    assert chain.verify(SelectionEvent, selection) is None
    assert chain.verify(NoticeEvent, notice) is None


def test_the_notice_lists_the_ranking_by_family_name_and_score_and_nothing_private(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风", winners=1)
    a, b = families(town, selection, 2)
    to_voting(town, selection, [a, b])
    sel.vote(actor=town.resident().user, selection=selection, nominations=[b])
    sel.score(actor=town.staff, nomination=b, value=90)
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_publicity")
    version = Notice.objects.get(pk=Selection.objects.get(pk=selection.pk).notice_id).versions.get()
    assert version.title == "好家风评选结果公示：好家风"
    assert "1. 第1家：1 票，评委均分 90.0，总分 96.0" in version.body  # 60 × 1 + 40% × 90
    assert "第0家" not in version.body  # only the ranking within the number of winners
    # no person's name (the factory's 居民N), no building or room (N栋), no story
    assert "居民" not in version.body and "栋" not in version.body and a.story not in version.body


def test_only_residents_of_the_community_object_and_they_name_a_family_on_the_ranking(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风", winners=1)
    a, b = families(town, selection, 2)
    to_voting(town, selection, [a, b])
    sel.vote(actor=town.resident().user, selection=selection, nominations=[a])
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_publicity")
    notice = Notice.objects.get(pk=Selection.objects.get(pk=selection.pk).notice_id)
    with pytest.raises(NotPermitted) as refused:  # staff see the notice, but object only as residents
        notices.object_to(actor=town.staff, notice=notice, text="名单有误", item=str(a.pk))
    assert refused.value.code == "may_not_object" and "实名登记的居民" in refused.value.detail
    with pytest.raises(NotFound):  # a resident of another community does not see it
        notices.object_to(actor=Town().resident().user, notice=notice, text="名单有误", item=str(a.pk))
    resident = town.resident()
    with pytest.raises(Invalid) as refused:  # b is accepted but not on the ranking (one winner)
        notices.object_to(actor=resident.user, notice=notice, text="名单有误", item=str(b.pk))
    assert refused.value.code == "item_required"
    notices.object_to(actor=resident.user, notice=notice, text="名单有误", item=str(a.pk))
    assert notice.objections.count() == 1


def test_one_ballot_per_account_per_day_and_a_set_number_of_choices(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风", choices_per_ballot=2)
    a, b, c = families(town, selection, 3)
    to_voting(town, selection, [a, b, c])
    voter = town.resident()
    with pytest.raises(Invalid):
        sel.vote(actor=voter.user, selection=selection, nominations=[a, b, c])
    with pytest.raises(Invalid):
        sel.vote(actor=voter.user, selection=selection, nominations=[])
    sel.vote(actor=voter.user, selection=selection, nominations=[a, b])
    with pytest.raises(Conflict) as refused:
        sel.vote(actor=voter.user, selection=selection, nominations=[c])
    assert refused.value.code == "voted_today"
    with time_machine.travel(clock.now() + datetime.timedelta(days=1)):
        sel.vote(actor=voter.user, selection=selection, nominations=[c])
    assert Ballot.objects.filter(voter=voter.user).count() == 2


def test_only_real_name_residents_of_the_community_vote_and_only_for_candidates(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风")
    a, b = families(town, selection, 2)
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_review")
    sel.review(actor=town.staff, nomination=a, accept=True)
    sel.review(actor=town.staff, nomination=b, accept=False)
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_voting")
    with pytest.raises(NotPermitted):
        sel.vote(actor=Town().resident().user, selection=selection, nominations=[a])
    with pytest.raises(NotPermitted):
        sel.vote(actor=make_user(Role.COMMUNITY_STAFF, town.community), selection=selection, nominations=[a])
    with pytest.raises(Invalid):
        sel.vote(actor=town.resident().user, selection=selection, nominations=[b])


def test_a_household_is_nominated_once_and_only_while_nominating(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风")
    person = town.resident()
    sel.nominate(actor=person.user, selection=selection, household=person.household, family_name="李家", story="家和万事兴，热心公益十余年。")
    with pytest.raises(Conflict):
        sel.nominate(actor=person.user, selection=selection, household=person.household, family_name="李家", story="家和万事兴，热心公益十余年。")
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_review")
    other = town.resident()
    with pytest.raises(Conflict):
        sel.nominate(actor=other.user, selection=selection, household=other.household, family_name="张家", story="勤俭持家，尊老爱幼几十年。")
    assert Nomination.objects.filter(selection=selection).count() == 1


def test_weights_must_add_up_and_publicity_must_run_its_days(town):
    with pytest.raises(Invalid):
        sel.create_selection(actor=town.staff, community=town.community, title="好家风", public_weight=70, jury_weight=40)
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风", publicity_days=10)
    to_voting(town, selection, families(town, selection, 1))
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_publicity", now=PUBLISHED)
    # the community posts 10 days, longer than the kind's 5: from the 5th to 24:00 on Thursday 14 March
    ends = Notice.objects.get(pk=Selection.objects.get(pk=selection.pk).notice_id).ends_at
    assert ends == calendar.start_of_day(datetime.date(2024, 3, 15))
    secretary = make_user(Role.COMMUNITY_SECRETARY, town.community)
    with pytest.raises(Conflict) as refused:
        sel.act_on_selection(actor=secretary, selection=selection, action="publish", now=ends - SECOND)
    assert refused.value.code == "window_open"
    assert sel.act_on_selection(actor=secretary, selection=selection, action="publish", now=ends).state == S.PUBLISHED


def test_fewer_days_than_the_kind_do_not_shorten_the_notice(town):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风", publicity_days=0)
    to_voting(town, selection, families(town, selection, 1))
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_publicity", now=PUBLISHED)
    assert Notice.objects.get(pk=Selection.objects.get(pk=selection.pk).notice_id).ends_at == ENDS


def test_the_selection_page_shows_its_notice_and_links_to_it(town, client):
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风")
    to_voting(town, selection, families(town, selection, 1))
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_publicity")
    notice_id = Selection.objects.get(pk=selection.pk).notice_id
    client.force_login(town.resident().user)
    page = client.get(f"/activities/selections/{selection.pk}/").content.decode()
    assert f'href="/notices/{notice_id}/"' in page and 'data-testid="selection-notice"' in page
    notice_page = client.get(f"/notices/{notice_id}/").content.decode()
    assert f'href="/activities/selections/{selection.pk}/"' in notice_page and "第0家" in notice_page


ROLES = [Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.RESIDENT, Role.TEACHER]


@pytest.mark.parametrize(("action", "role"), workflow_cases(SELECTION_WORKFLOW, ROLES))
def test_selection_table(action, role):
    town = Town()
    paths = {S.NOMINATING: [], S.REVIEWING: ["start_review"], S.VOTING: ["start_review", "start_voting"],
             S.PUBLICITY: ["start_review", "start_voting", "start_publicity"],
             S.PUBLISHED: ["start_review", "start_voting", "start_publicity", "publish"]}
    secretary = make_user(Role.COMMUNITY_SECRETARY, town.community)

    later = clock.now() + datetime.timedelta(days=30)  # past any 公示 period, so `publish` is refused only by the table

    def build(state):
        selection = sel.create_selection(actor=town.staff, community=town.community, title=f"好家风{state}")
        for step in paths[state]:
            selection = sel.act_on_selection(actor=secretary, selection=selection, action=step,
                                             now=later if step == "publish" else None)
        return selection

    def actor_for(role, selection):
        if role == Role.RESIDENT:
            return town.resident().user
        if role == Role.TEACHER:
            from liulin.orgs.models import Organisation

            return make_user(role, Organisation.objects.create(name=f"学校{Organisation.objects.count()}", kind="school",
                                                               community=town.community))
        return make_user(role, town.community)

    check_every_state(
        SELECTION_WORKFLOW, action, role, states=S, build=build, actor_for=actor_for,
        attempt=lambda user, selection, action: sel.act_on_selection(actor=user, selection=selection, action=action, now=later),
        state_of=lambda selection: Selection.objects.get(pk=selection.pk).state,
        events_of=lambda selection: selection.events.count(),
        visible=lambda role, state: role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR),
    )


def test_a_resident_cannot_review():
    town = Town()
    selection = sel.create_selection(actor=town.staff, community=town.community, title="好家风")
    (a,) = families(town, selection, 1)
    sel.act_on_selection(actor=town.staff, selection=selection, action="start_review")
    with pytest.raises(NotFound):
        sel.review(actor=town.resident().user, nomination=a, accept=True)
