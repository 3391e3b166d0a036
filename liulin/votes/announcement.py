"""A vote's announcement in the 公示栏 (core.publication, the notices app), published by
`publish_notice` at least the estate's notice days before voting opens (《业主大会和业主委员会指导
规则》: 15 days before the meeting, to all owners), as a notice of kind "owners_meeting".

It is a notice, not a decision: nobody objects to it (views on the matter go to the committee,
and the vote itself is where owners disagree). Its per-household receipts are service of the
vote: a household whose member read it, or that got it by SMS or e-mail, has been told, and at
the count its units on the roll are recorded as served (`served_units`), beside the ballot's
own notification to each owner with an account (notifications.record_served).
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core import publication

ORIGIN = "votes.announcement"
NOTICE_KIND = "owners_meeting"
SERVED_BY = "notice_receipt"


def no_objections(user, vote_id):
    return False


def publish(*, actor, vote, days, now):
    """Called by `publish_notice` inside its transaction, with the vote's row held."""
    with publication.in_site_language():
        return publication.publish(actor=actor, origin=ORIGIN, subject_id=vote.pk, community=vote.estate.community_id,
                                   title=(_("业主表决公告：%(title)s") % {"title": vote.title})[:80], body=text(vote),
                                   url=reverse("votes:detail", args=[vote.pk]), days=days, is_demo=vote.is_demo, now=now)


def text(vote):
    opens, closes = (timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") for moment in (vote.opens_at, vote.closes_at))
    lines = [
        _("表决事项：%(title)s") % {"title": vote.title},
        _("事项类型：民法典第二百七十八条第一款%(matter)s") % {"matter": vote.get_matter_display()},
        _("投票时间：%(opens)s 至 %(closes)s") % {"opens": opens, "closes": closes},
        _("投票方式：实名账号在线投票，或到社区柜台、以纸质表决票投票。"),
        _("未表决的业主：%(rule)s") % {"rule": vote.get_non_voter_rule_display()},
    ]
    if vote.description:
        lines += ["", vote.description]
    lines += ["", _("业主在平台阅读本公告，或收到本公告的短信、电子邮件，即为已送达。")]
    return "\n".join(lines)


def served_households(vote):
    """The households the announcement has been served on (read, SMS or e-mail delivered)."""
    return publication.households_reached(vote.announcement_id)


def status(vote):
    return publication.status_of(vote.announcement_id)
