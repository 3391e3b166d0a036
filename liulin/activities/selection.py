"""The 好家风 (good family tradition) selection: nomination → review → a real-name public
vote → a weighted score → 公示 in the 公示栏 with objections → published.

- Residents of the community nominate a household (once per household per selection).
- Community staff review each nomination (accepted or rejected) and form the jury (0–100).
- Voting is by real name: an account linked to a resident of the community casts one ballot a
  day (unique constraint), choosing 1 to `choices_per_ballot` accepted families.
- The score of a family is `public_weight`% × its votes as a share of the most-voted
  family's + `jury_weight`% × its mean jury score, computed from the stored ballots and
  scores every time (`scores`), never kept as a running figure.
- Starting 公示 stores the ranking and publishes it through core.publication (the notice kind
  "selection", lengthened to `publicity_days` where the community posts longer): residents of
  the community object there to a family on the ranking, and the community's staff answer
  each as upheld or not. The result is published only after the notice's period and once
  every objection is answered (the notice is finalised); a family whose objection was upheld
  leaves the list.
"""

from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import chain, clock, publication
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import authorise, can
from liulin.core.text import clean_text

from .models import Ballot, JuryScore, Nomination, Selection, SelectionEvent
from .workflow import SELECTION_WORKFLOW

S = Selection.State
N = Nomination.State
NOT_FOUND = N_("找不到该评比，或您无权查看。")
ORIGIN = "activities.selection"  # its 公示 in the 公示栏, under the notice kind below
NOTICE_KIND = "selection"


def _resident_of(user, selection):
    """The user's resident record when he lives in the selection's community (real name)."""
    resident = getattr(user, "resident", None)
    if resident is None or not resident.household_id or resident.household.community_id != selection.community_id:
        raise NotPermitted(_("只有本社区实名登记的居民可以参与。"))
    return resident


def may_object(user, selection_id):
    """Origin.may_object: who may object to the ranking on 公示 — the same real-name residents
    of the community who nominate and vote (`_resident_of`)."""
    selection = Selection.objects.filter(pk=selection_id).first()
    if selection is None:
        return False
    try:
        _resident_of(user, selection)
    except NotPermitted:
        return False
    return True


def ranked_nominations(selection_id):
    """Origin.items: an objection names a family on the ranking as published, (nomination, 家庭称呼)."""
    result = Selection.objects.filter(pk=selection_id).values_list("result", flat=True).first() or []
    return [(row["nomination"], row["family_name"]) for row in result]


def _event(selection, *, actor, action, at=None, **data):
    return chain.append(SelectionEvent, selection, actor=actor, action=action, data=data, **({"at": at} if at else {}))


@transaction.atomic
def create_selection(*, actor, community, title, choices_per_ballot=3, public_weight=60, jury_weight=40, winners=10,
                     publicity_days=5, is_demo=False):
    if actor is not None and not can(actor, "activities.create", community):
        raise NotPermitted(_("您不能在此创建活动。"))
    if public_weight + jury_weight != 100:
        raise Invalid(_("群众投票与评委评分的权重之和须为 100。"), field="public_weight")
    title = clean_text(title or "").strip()[:80]
    if not title:
        raise Invalid(_("请填写名称。"), field="title")
    selection = Selection.objects.create(
        community=community, title=title, choices_per_ballot=choices_per_ballot, public_weight=public_weight,
        jury_weight=jury_weight, winners=winners, publicity_days=publicity_days, is_demo=is_demo,
    )
    chain.new_chain(SelectionEvent, selection)
    _event(selection, actor=actor, action="create", public_weight=public_weight, jury_weight=jury_weight)
    return selection


@transaction.atomic
def nominate(*, actor, selection, household, family_name, story):
    selection = Selection.objects.get(pk=selection.pk)
    if selection.state != S.NOMINATING:
        raise Conflict(_("现在不在推荐阶段。"), code="not_nominating")
    if not can(actor, "activities.create", selection.community):
        _resident_of(actor, selection)
    if household.community_id != selection.community_id:
        raise Invalid(_("被推荐的家庭须在本社区。"), field="household")
    family_name, story = clean_text(family_name or "").strip()[:40], clean_text(story or "").strip()[:2000]
    if not family_name or len(story) < 10:
        raise Invalid(_("请填写家庭称呼和至少 10 个字的家风故事。"), field="story")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(selection=selection, household=household, family_name=family_name,
                                                   story=story, nominated_by=actor)
    except IntegrityError:
        raise Conflict(_("这个家庭已被推荐。"), code="already_nominated") from None
    _event(Selection.objects.select_for_update().get(pk=selection.pk), actor=actor, action="nominate", nomination=nomination.pk)
    return nomination


@transaction.atomic
def review(*, actor, nomination, accept, reason=""):
    selection = Selection.objects.select_for_update().get(pk=nomination.selection_id)
    authorise(actor, SELECTION_WORKFLOW.perm("review"), selection, not_found=NOT_FOUND)
    if selection.state != S.REVIEWING:
        raise Conflict(_("现在不在审核阶段。"), code="not_reviewing")
    target = N.ACCEPTED if accept else N.REJECTED
    Nomination.objects.filter(pk=nomination.pk).update(state=target)
    nomination.state = target
    _event(selection, actor=actor, action="review", nomination=nomination.pk, to=target, reason=clean_text(reason or "")[:200])
    return nomination


@transaction.atomic
def vote(*, actor, selection, nominations):
    """One real-name ballot for today, choosing 1..choices_per_ballot accepted families."""
    selection = Selection.objects.get(pk=selection.pk)
    _resident_of(actor, selection)  # real name: a registered resident of the community
    if selection.state != S.VOTING:
        raise Conflict(_("现在不在投票阶段。"), code="not_voting")
    ids = sorted({n.pk for n in nominations})
    if not 1 <= len(ids) <= selection.choices_per_ballot:
        raise Invalid(_("每票可选 1 至 %(n)s 个家庭。") % {"n": selection.choices_per_ballot}, code="choices", field="nominations")
    if Nomination.objects.filter(pk__in=ids, selection=selection, state=N.ACCEPTED).count() != len(ids):
        raise Invalid(_("只能投给本次评比中审核通过的家庭。"), code="not_a_candidate", field="nominations")
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(selection=selection, voter=actor, day=clock.today())
    except IntegrityError:
        raise Conflict(_("您今天已经投过票了，明天可以再投。"), code="voted_today") from None
    ballot.choices.set(ids)
    return ballot


@transaction.atomic
def score(*, actor, nomination, value):
    selection = Selection.objects.select_for_update().get(pk=nomination.selection_id)
    authorise(actor, SELECTION_WORKFLOW.perm("score"), selection, not_found=NOT_FOUND)
    if selection.state not in (S.REVIEWING, S.VOTING) or nomination.state != N.ACCEPTED:
        raise Conflict(_("现在不能评分。"), code="not_scoring")
    if not 0 <= int(value) <= 100:
        raise Invalid(_("评分须在 0 至 100 之间。"), field="score")
    try:
        with transaction.atomic():
            row = JuryScore.objects.create(nomination=nomination, juror=actor, score=int(value))
    except IntegrityError:
        raise Conflict(_("您已为这个家庭评过分。"), code="already_scored") from None
    _event(selection, actor=actor, action="score", nomination=nomination.pk, score=int(value))
    return row


def scores(selection, *, excluding=()):
    """[{nomination, family_name, votes, jury, total}] by total, computed from the stored
    ballots and jury scores. `total` is exact (a Fraction); shown rounded to 2 places."""
    candidates = list(Nomination.objects.filter(selection=selection, state=N.ACCEPTED).exclude(pk__in=excluding))
    votes = {n.pk: 0 for n in candidates}
    for nomination_id in Ballot.choices.through.objects.filter(nomination__in=candidates).values_list("nomination_id", flat=True):
        votes[nomination_id] += 1
    jury = {}
    for nomination_id, value in JuryScore.objects.filter(nomination__in=candidates).values_list("nomination_id", "score"):
        jury.setdefault(nomination_id, []).append(value)
    most = max(votes.values(), default=0)
    rows = []
    for n in candidates:
        public = Fraction(100 * votes[n.pk], most) if most else Fraction(0)
        mean = Fraction(sum(jury.get(n.pk, [])), len(jury[n.pk])) if jury.get(n.pk) else Fraction(0)
        total = (selection.public_weight * public + selection.jury_weight * mean) / 100
        rows.append({"nomination": n.pk, "family_name": n.family_name, "votes": votes[n.pk],
                     "jury": round(float(mean), 2), "total": total})
    rows.sort(key=lambda r: (-r["total"], r["nomination"]))
    return rows


def _result(selection, excluding=()):
    return [{**r, "total": round(float(r["total"]), 2), "rank": i}
            for i, r in enumerate(scores(selection, excluding=excluding)[: selection.winners], start=1)]


def _ranking_text(selection, ranking):
    """What the 公示 says: how the score is made and the ranking by family name (as the family
    chose it) with its figures; no person's name, no address."""
    lines = [_("总分 = 群众投票 %(p)s%% + 评委评分 %(j)s%%，按总分排名，评选名额 %(n)s 个。") % {
        "p": selection.public_weight, "j": selection.jury_weight, "n": selection.winners}, ""]
    for row in ranking:
        lines.append(_("%(rank)s. %(family)s：%(votes)s 票，评委均分 %(jury)s，总分 %(total)s") % {
            "rank": row["rank"], "family": row["family_name"], "votes": row["votes"], "jury": row["jury"], "total": row["total"]})
    if not ranking:
        lines.append(_("没有审核通过的家庭。"))
    return "\n".join(lines)


@transaction.atomic
def act_on_selection(*, actor, selection, action, now=None):
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    authorise(actor, SELECTION_WORKFLOW.perm(action), selection, not_found=NOT_FOUND)
    found = SELECTION_WORKFLOW.transition_for(action, selection.state)
    now = now or clock.now()
    changes = {"state": found.target}
    data = {}
    if action == "start_publicity":
        changes["result"] = _result(selection)
        with publication.in_site_language():
            notice = publication.publish(
                actor=actor, origin=ORIGIN, subject_id=selection.pk, community=selection.community_id,
                title=(_("好家风评选结果公示：%(title)s") % {"title": selection.title})[:80],
                body=_ranking_text(selection, changes["result"]), url=f"/activities/selections/{selection.pk}/",
                days=selection.publicity_days, is_demo=selection.is_demo, now=now)
        changes["notice_id"] = data["notice"] = notice.id
    if action == "publish":
        # refused while the 公示 runs (window_open) or an objection is unanswered (objections_open)
        notice = publication.finalise(actor=actor, origin=ORIGIN, notice_id=selection.notice_id, now=now)
        upheld = sorted(int(ref) for ref in notice.upheld)
        changes["result"] = _result(selection, excluding=upheld)
        if upheld:
            data["upheld"] = upheld
    previous = selection.state
    Selection.objects.filter(pk=selection.pk).update(**changes)
    for name, value in changes.items():
        setattr(selection, name, value)
    _event(selection, actor=actor, action=action, at=now, **{"from": previous, "to": found.target}, **data)
    return selection
