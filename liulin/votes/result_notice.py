"""The 公示 of a vote's result, in the 公示栏 (core.publication, the notices app).

`publish_result` puts the result on public notice as a notice of kind "owners_decision"
(《业主大会和业主委员会指导规则》: the owners' decision is announced to all owners), for the
kind's period or the estate's longer `EstateRules.objection_days`; the vote keeps only the
notice's id. Objections are filed and answered on the notice, and only owners on the vote's
roll may file one (`may_object`). `published` is the vote's last state: community staff
finalise the notice in the 公示栏 once its period is over with every objection answered, and
the vote's page shows where the notice stands (`status`).

The notice says what the result page already shows: the tally in units, areas and heads and
the decision, strict and by the estate's rules. Like the public record (`publication.export`)
it carries units and areas, never an owner's name.
"""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core import publication

from . import tally as tallying
from .models import Ballot, Choice, NonVoterRule, Owner, RollEntry
from .rules import format_area

ORIGIN = "votes.vote"  # a vote's result in the 公示栏, under the notice kind below
NOTICE_KIND = "owners_decision"


def may_object(user, vote_id):
    """Only an owner on this vote's roll (the register frozen when voting opened) objects."""
    if not getattr(user, "is_authenticated", False) or not vote_id:
        return False
    return Owner.objects.filter(user=user, roll_entries__vote_id=vote_id).exists()


def readers(user):
    """The votes whose result notice `user` reads though he may not live in the community: those
    he sees in the votes app (an owner of the estate, its committee, staff)."""
    from .selectors import votes_for

    return votes_for(user).values("pk")


def publish(*, actor, vote, days, now):
    """Called by `publish_result` inside its transaction, with the vote's row held."""
    with publication.in_site_language():
        return publication.publish(actor=actor, origin=ORIGIN, subject_id=vote.pk, community=vote.estate.community_id,
                                   title=(_("表决结果公示：%(title)s") % {"title": vote.title})[:80], body=result_text(vote),
                                   url=reverse("votes:detail", args=[vote.pk]), days=days, is_demo=vote.is_demo, now=now)


def status(vote):
    """The notice of the vote's result (its state, period and open objections), or None."""
    return publication.status_of(vote.notice_id)


def _decision_label(decision):
    if decision.passed:
        return _("通过")
    if not decision.quorate:
        return _("参与不足三分之二，未形成决定")
    return _("未通过")


def _line(label, units, area, owners):
    return _("%(label)s：专有部分 %(units)s 个，面积 %(area)s 平方米，业主 %(owners)s 人") % {
        "label": label, "units": units, "area": format_area(area), "owners": owners}


def result_text(vote):
    """The body of the notice: the matter, the roll, each side's units, area and heads, and
    the decision; the rules' tally beside the strict one where the estate counts non-voters."""
    strict = tallying.strict(vote)
    units = {row["choice"]: row["n"] for row in Ballot.objects.filter(vote=vote).values("choice").annotate(n=Count("pk"))}
    opens, closes = (timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") for moment in (vote.opens_at, vote.closes_at))
    lines = [
        _("表决事项：%(title)s") % {"title": vote.title},
        _("事项类型：民法典第二百七十八条第一款%(matter)s") % {"matter": vote.get_matter_display()},
        _("投票时间：%(opens)s 至 %(closes)s") % {"opens": opens, "closes": closes},
        "",
        _line(_("名册"), RollEntry.objects.filter(vote=vote).count(), strict.total_area, strict.total_owners),
        _line(_("参与表决"), sum(units.values()), strict.voted_area, strict.voted_owners),
        _line(_("同意"), units.get(Choice.YES, 0), strict.yes_area, strict.yes_owners),
        _line(_("反对"), units.get(Choice.NO, 0), strict.no_area, strict.no_owners),
        _line(_("弃权"), units.get(Choice.ABSTAIN, 0), strict.abstain_area, strict.abstain_owners),
        _("表决结果（严格口径，民法典第二百七十八条）：%(result)s") % {"result": _decision_label(tallying.decision(vote, strict))},
    ]
    if vote.non_voter_rule == NonVoterRule.WITH_MAJORITY:
        ruled, (area, owners) = tallying.by_rules(vote, strict)
        lines.append(_("按本小区议事规则计入已送达而未表决的业主（面积 %(area)s 平方米，业主 %(owners)s 人）：%(result)s") % {
            "area": format_area(area), "owners": owners, "result": _decision_label(tallying.decision(vote, ruled))})
    lines += ["", _("投票人可在表决页面凭回执码核对本人的票，并下载公开投票记录复核。"),
              _("只有本次表决名册上的业主可以提出异议。")]
    return "\n".join(lines)

