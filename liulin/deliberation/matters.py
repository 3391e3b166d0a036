"""四议两公开: the writes and reads of a major matter.

党组织提议 → 两委商议 → 党员大会审议 → 居民(代表)会议决议, each stage recording its vote and
gating the next; then 决议公开 through the 公示栏 (core.publication: the notice kind
"four_two", at least 7 days, objections answered within 3 days); implementation starts only
when that notice's period has passed with every objection answered; the matter closes only
when its implementation result is published. docs/deliberation.md has the thresholds and
their sources.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from liulin.core import chain, clock, publication
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import NOT_FOUND, can, permitting, scope_q
from liulin.core.text import clean_text

from .models import MajorMatter, MatterEvent, MatterState, Stage, StageVote
from .workflow import MATTER, NEXT_STAGE

ORIGIN = "deliberation.matter"  # its 决议公开 in the 公示栏, under the notice kind below
NOTICE_KIND = "four_two"
PUBLIC_STATES = frozenset({MatterState.PUBLICISED, MatterState.IMPLEMENTING, MatterState.CLOSED})
STAGE_OF_ACTION = {"discuss": Stage.DISCUSS, "review": Stage.REVIEW, "resolve": Stage.RESOLVE}


@dataclass(frozen=True)
class Vote:
    due: int
    present: int
    in_favour: int
    against: int = 0
    abstain: int = 0
    held_on: datetime.date | None = None
    notes: str = ""


def quorum_met(stage, due, present):
    """Whether the stage's meeting could decide at all."""
    if stage == Stage.REVIEW:
        return present * 3 >= due * 2  # 党员大会: at least two thirds of the members present
    return present * 2 > due  # 党组织, 两委, 居民(代表)会议: more than half present


def passes(stage, due, present, in_favour):
    """Whether the stage's vote carries it."""
    if stage == Stage.RESOLVE:
        return in_favour * 2 > present  # 居民会议: more than half of those present (居委会组织法 art. 9)
    return in_favour * 2 > due  # 党组织, 两委, 党员大会: more than half of those due


def _clean_vote(stage, vote):
    try:
        numbers = [int(n) for n in (vote.due, vote.present, vote.in_favour, vote.against, vote.abstain)]
    except (TypeError, ValueError):
        raise Invalid(_("表决人数须为整数。"), code="invalid_vote") from None
    due, present, in_favour, against, abstain = numbers
    if due < 1 or min(numbers) < 0 or present > due or in_favour + against + abstain > present or due > 100000:
        raise Invalid(_("表决人数不合理：应到 ≥ 实到 ≥ 赞成 + 反对 + 弃权。"), code="invalid_vote")
    if not quorum_met(stage, due, present):
        raise Invalid(_("到会人数不足，本次会议不能表决。"), code="no_quorum")
    held_on = clock.bounded(vote.held_on or clock.today(), field="held_on")
    notes = clean_text(vote.notes or "", field="notes").strip()[:200]
    return {"due": due, "present": present, "in_favour": in_favour, "against": against, "abstain": abstain,
            "passed": passes(stage, due, present, in_favour), "held_on": held_on, "notes": notes}


def _text(value, *, field, label, max_length):
    value = clean_text(str(value or ""), field=field).strip()
    if not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise Invalid(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, code="too_long", field=field)
    return value


# --- reads --------------------------------------------------------------------------------


def resident_q(user):
    household = getattr(getattr(user, "resident", None), "household", None) if getattr(user, "resident_id", None) else None
    if household is None:
        return None
    return Q(community_id=household.community_id, state__in=PUBLIC_STATES)


def matters_for(user):
    q = scope_q(user, "deliberation.view", MajorMatter)
    resident = resident_q(user)
    if resident is not None:
        q |= resident
    return MajorMatter.objects.filter(q).select_related("community").order_by("-created_at", "-pk")


def matter_for(user, pk):
    matter = matters_for(user).filter(pk=pk).first()
    if matter is None:
        raise NotFound(_(NOT_FOUND))
    return matter


# --- writes -------------------------------------------------------------------------------


def _require(actor, perm, matter):
    if not matters_for(actor).filter(pk=matter.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if not can(actor, perm, matter):
        raise NotPermitted(_("您的角色不能执行此操作。"))


def _role(actor, perm, matter):
    found = permitting(actor, perm, matter)
    return found[0] if found else ""


def propose(*, actor, community, title, description, vote, now=None):
    """党组织提议: the matter with the party organisation's vote; a failed vote records it as 未通过."""
    now = now or clock.now()
    title = _text(title, field="title", label=_("事项"), max_length=80)
    description = _text(description, field="description", label=_("说明"), max_length=4000)
    cleaned = _clean_vote(Stage.PROPOSE, vote)
    with transaction.atomic():
        matter = MajorMatter.objects.create(
            community=community, title=title, description=description, created_by=actor, created_at=now, updated_at=now,
            state=MatterState.PROPOSED if cleaned["passed"] else MatterState.REJECTED)
        if not can(actor, MATTER.perm("propose"), matter):
            raise NotPermitted(_("您不能在该社区提出四议两公开事项。"))
        StageVote.objects.create(matter=matter, stage=Stage.PROPOSE, **cleaned)
        chain.new_chain(MatterEvent, matter)
        chain.append(MatterEvent, matter, actor=actor, actor_role=_role(actor, MATTER.perm("propose"), matter), action="propose",
                     data={"to": matter.state, "vote": {k: v for k, v in cleaned.items() if k != "held_on"}}, at=now)
    return matter


def act(*, actor, matter, action, vote=None, result="", now=None):
    """A MATTER table action: discuss / review / resolve with the stage's vote, publicise,
    implement (after the window, every objection answered), publish_result (with the result)."""
    now = now or clock.now()
    if action not in MATTER.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = MATTER.perm(action)
    _require(actor, perm, matter)
    with transaction.atomic():
        locked = MajorMatter.objects.select_for_update(of=("self",)).get(pk=matter.pk)
        transition = MATTER.transition_for(action, locked.state)
        changes = {"updated_at": now}
        data = {"from": locked.state}
        if action in STAGE_OF_ACTION:
            if vote is None:
                raise Invalid(_("请填写本环节的表决。"), code="vote_required")
            stage = STAGE_OF_ACTION[action]
            cleaned = _clean_vote(stage, vote)
            StageVote.objects.create(matter=locked, stage=stage, **cleaned)
            changes["state"] = NEXT_STAGE[action] if cleaned["passed"] else MatterState.REJECTED
            data["vote"] = {k: v for k, v in cleaned.items() if k != "held_on"}
        else:
            changes["state"] = transition.target
        if action == "publicise":
            with publication.in_site_language():
                notice = publication.publish(actor=actor, origin=ORIGIN, subject_id=locked.pk, community=locked.community_id,
                                             title=(_("决议公开：%(title)s") % {"title": locked.title})[:80],
                                             body=_decision_text(locked), url=f"/deliberation/matters/{locked.pk}/",
                                             is_demo=locked.is_demo, now=now)
            changes.update(publicised_at=now, notice_id=notice.id)
            data["notice"] = notice.id
        if action == "implement":
            # refused while the 公示 runs (window_open) or an objection is unanswered (objections_open)
            publication.finalise(actor=actor, origin=ORIGIN, notice_id=locked.notice_id, now=now)
        if action == "publish_result":
            changes.update(result=_text(result, field="result", label=_("实施结果"), max_length=4000), result_published_at=now)
        if MajorMatter.objects.filter(pk=locked.pk, state=locked.state).update(**changes) != 1:
            raise Conflict(_("事项状态已变化，请刷新。"), code="stale")
        data["to"] = changes["state"]
        chain.append(MatterEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(matter, name, value)
    return matter


def _decision_text(matter):
    """What the 公示 says: the matter, and each stage's vote as counted."""
    lines = [matter.description, "", _("各环节表决：")]
    for vote in matter.votes.order_by("pk"):
        lines.append(_("%(stage)s（%(day)s）：应到 %(due)s，实到 %(present)s，赞成 %(yes)s，反对 %(no)s，弃权 %(abstain)s") % {
            "stage": vote.get_stage_display(), "day": vote.held_on.isoformat(), "due": vote.due, "present": vote.present,
            "yes": vote.in_favour, "no": vote.against, "abstain": vote.abstain})
    return "\n".join(lines)
