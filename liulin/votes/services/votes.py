"""Setting up a vote and moving it through its table (core.workflow): notice (the announcement
in the 公示栏), open (the roll frozen, the ballot sent), close, count, publish (the result on 公示 in the 公示栏, where owners
on the roll object: result_notice); the deadline sweep; service of the ballot."""

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import audit, chain, clock
from liulin.core.errors import Conflict, DomainError, Invalid, NotPermitted
from liulin.core.permissions import authorise
from liulin.core.text import clean_text
from liulin.orgs.models import Organisation

from .. import announcement, notifications, result_notice
from .. import tally as tallying
from ..models import (
    RollEntry,
    State,
    Unit,
    Vote,
    VoteEvent,
)
from ..rules import Matter
from ..workflow import WORKFLOW
from .common import _lock, _role_of, logger, rules_for


def create_vote(*, actor, committee, title, matter, opens_at, closes_at, description=""):
    if committee.kind != Organisation.Kind.OWNERS_COMMITTEE or not committee.estate_id:
        raise Invalid(_("表决须由小区业主委员会发起。"), code="not_a_committee", field="committee")
    authorise(actor, "votes.create", committee, view="orgs.view")
    title = clean_text(title, field="title").strip()
    if not title:
        raise Invalid(_("请填写表决事项。"), code="title_required", field="title")
    try:
        matter = Matter(int(matter))
    except (TypeError, ValueError):
        raise Invalid(_("事项类型无效。"), code="invalid_matter", field="matter") from None
    opens_at, closes_at = clock.bounded(opens_at, field="opens_at"), clock.bounded(closes_at, field="closes_at")
    if closes_at <= opens_at:
        raise Invalid(_("截止时间须晚于开始时间。"), code="closes_before_opens", field="closes_at")
    rules = rules_for(committee.estate)
    with transaction.atomic():
        vote = Vote.objects.create(
            estate_id=committee.estate_id, committee=committee, title=title[:120], matter=matter,
            description=clean_text(description or "", field="description"), opens_at=opens_at, closes_at=closes_at,
            channel_rule=rules.channel_rule, non_voter_rule=rules.non_voter_rule, created_by=actor,
        )
        chain.new_chain(VoteEvent, vote)
        chain.append(VoteEvent, vote, actor=actor, actor_role="committee_member", action="create",
                     data={"title": vote.title, "matter": int(matter), "opens_at": opens_at, "closes_at": closes_at,
                           "channel_rule": vote.channel_rule, "non_voter_rule": vote.non_voter_rule})
    return vote


def act(*, actor, vote, action, reason="", now=None):
    """Take `action` from the table on `vote`. `actor=None` is the scheduled sweep (open and
    close only)."""
    now = now or clock.now()
    reason = clean_text(reason or "", field="reason").strip()
    if actor is None and action not in ("open", "close"):
        raise NotPermitted(_("系统只能按时开始或截止投票。"))
    with transaction.atomic():
        locked = _lock(vote)
        role = _role_of(actor, WORKFLOW.perm(action), locked)
        step = WORKFLOW.transition_for(action, locked.state)
        if step.needs_reason and not reason:
            raise Invalid(_("请填写理由。"), code="reason_required", field="reason")
        data = {"reason": reason} if reason else {}
        data.update(_GUARDS[action](locked, now))
        if action == "publish_notice":
            # the announcement in the 公示栏: its receipts are service of the vote on households
            notice = announcement.publish(actor=actor, vote=locked, days=rules_for(locked.estate).notice_days, now=now)
            locked.announcement_id = data["notice"] = notice.id
        if action == "publish_result":
            # the result on 公示 in the 公示栏, for the kind's period or the estate's longer one
            notice = result_notice.publish(actor=actor, vote=locked, days=rules_for(locked.estate).objection_days, now=now)
            locked.notice_id = data["notice"] = notice.id
        locked.state = step.target
        locked.save(update_fields=[*_CHANGED[action], "state"])
        chain.append(VoteEvent, locked, actor=actor, actor_role=role, action=action, data=data, at=now)
        if actor is not None:
            audit.record(actor=actor, action=f"votes.{action}", target=locked, reason=reason)
    vote.__dict__.update({name: getattr(locked, name) for name in ("state", *_ALL_CHANGED)})
    return locked


def _publish_notice(vote, now):
    days = rules_for(vote.estate).notice_days
    if vote.opens_at - now < timedelta(days=days):
        raise Conflict(_("公告须在投票开始前至少 %(days)d 日发布。") % {"days": days}, code="notice_too_late")
    vote.noticed_at = now
    return {"notice_days": days}


def _open(vote, now):
    if now < vote.opens_at:
        raise Conflict(_("未到投票开始时间。"), code="too_early")
    units = list(Unit.objects.filter(estate_id=vote.estate_id).values_list("pk", "owner_id", "label", "area_cm2"))
    if not units:
        raise Conflict(_("本小区尚无业主名册，不能开始投票。"), code="empty_register")
    RollEntry.objects.bulk_create(
        [RollEntry(vote=vote, unit_id=pk, owner_id=owner_id, label=label, area_cm2=area) for pk, owner_id, label, area in units],
        batch_size=1000,
    )
    vote.total_area_cm2 = sum(area for *_, area in units)
    vote.total_owners = len({owner_id for _, owner_id, *_ in units})
    notifications.send_ballots(vote)
    return {"total_area_cm2": vote.total_area_cm2, "total_owners": vote.total_owners, "units": len(units)}


def _close(vote, now):
    if now < vote.closes_at:
        raise Conflict(_("未到投票截止时间。"), code="too_early")
    return {}


def _count(vote, now):
    pending = tallying.unsettled_paper(vote)
    if pending:
        raise Conflict(_("还有 %(n)d 张纸质票未经两人录入一致，须先处理。") % {"n": len(pending)}, code="paper_unsettled")
    served = notifications.record_served(vote, now)
    figures = tallying.strict(vote)
    vote.voted_area_cm2, vote.voted_owners = figures.voted_area, figures.voted_owners
    vote.yes_area_cm2, vote.yes_owners = figures.yes_area, figures.yes_owners
    vote.no_area_cm2, vote.no_owners = figures.no_area, figures.no_owners
    vote.passed = tallying.decision(vote, figures).passed
    vote.counted_at = now
    return {"voted_area_cm2": figures.voted_area, "voted_owners": figures.voted_owners, "yes_area_cm2": figures.yes_area,
            "yes_owners": figures.yes_owners, "no_area_cm2": figures.no_area, "no_owners": figures.no_owners,
            "passed": vote.passed, "served_by_notification": served}


def _publish_result(vote, now):
    vote.published_at = now
    return {}


def _cancel(vote, now):
    return {}


_GUARDS = {"publish_notice": _publish_notice, "open": _open, "close": _close, "count": _count,
           "publish_result": _publish_result, "cancel": _cancel}


_CHANGED = {
    "publish_notice": ["noticed_at", "announcement_id"],
    "open": ["total_area_cm2", "total_owners"],
    "close": [],
    "count": ["voted_area_cm2", "voted_owners", "yes_area_cm2", "yes_owners", "no_area_cm2", "no_owners", "passed", "counted_at"],
    "publish_result": ["published_at", "notice_id"],
    "cancel": [],
}


_ALL_CHANGED = sorted({name for names in _CHANGED.values() for name in names})


def sweep_deadlines(*, now=None):
    """Open the noticed votes whose time has come and close the open ones past their deadline
    (the periodic job). Returns (opened, closed)."""
    now = now or clock.now()
    opened = closed = 0
    for vote in Vote.objects.filter(state=State.NOTICED, opens_at__lte=now).only("pk"):
        opened += _sweep_one(vote, "open", now)
    for vote in Vote.objects.filter(state=State.OPEN, closes_at__lte=now).only("pk"):
        closed += _sweep_one(vote, "close", now)
    return opened, closed


def _sweep_one(vote, action, now):
    """One vote's step in the sweep; a refusal (another process took the step first, or an
    estate without a register) is logged and the sweep goes on with the others."""
    try:
        act(actor=None, vote=vote, action=action, now=now)
    except DomainError as error:
        logger.warning("votes sweep: %s of vote %s refused: %s", action, vote.pk, error.detail)
        return 0
    return 1


def record_service(*, actor, vote, owner, how, now=None):
    """Record that the ballot was served on `owner` (a signed paper receipt or a delivered
    notification): needed before the rules may count him with the majority."""
    now = now or clock.now()
    how = clean_text(how or "", field="how").strip()[:32]
    if not how:
        raise Invalid(_("请写明送达方式。"), code="how_required", field="how")
    with transaction.atomic():
        locked = _lock(vote)
        role = _role_of(actor, WORKFLOW.perm("record_service"), locked)
        if locked.state not in (State.OPEN, State.CLOSED):
            raise Conflict(_("只能在投票期间或截止后、计票前登记送达。"), code="not_open")
        changed = RollEntry.objects.filter(vote=locked, owner=owner, served_at__isnull=True).update(served_at=now, served_how=how)
        if not changed and not RollEntry.objects.filter(vote=locked, owner=owner).exists():
            raise NotPermitted(_("该业主不在本次表决的名册上。"), code="not_on_roll")
        chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="record_service",
                     data={"owner": owner.pk, "how": how}, at=now)
    return changed
