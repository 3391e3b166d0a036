"""Every write of the votes app: setting up a vote, moving it through its table, casting
ballots online, at the counter and on paper, and counting.

Each function takes the acting user first (keyword-only), checks permission, holds the vote's
row (select_for_update; on SQLite the IMMEDIATE transaction serialises writers), changes it
and appends one link to the vote's chain. The unique (vote, unit) constraint on ballots is the
last word on "one ballot per unit": two casts racing for one unit end in one ballot.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liulin.core import audit, chain, clock
from liulin.core.errors import Conflict, DomainError, Invalid, NotFound, NotPermitted
from liulin.core.permissions import authorise, permitting_role
from liulin.core.text import clean_text
from liulin.orgs.models import Organisation

from . import notifications
from . import tally as tallying
from .models import (
    Ballot,
    Channel,
    ChannelRule,
    Choice,
    EstateRules,
    Objection,
    Owner,
    PaperEntry,
    Proxy,
    RollEntry,
    State,
    Unit,
    Vote,
    VoteEvent,
)
from .rules import Matter
from .workflow import WORKFLOW

SYSTEM_ROLE = "system"
logger = logging.getLogger(__name__)


# --- receipts -------------------------------------------------------------------------------


def new_receipt_code():
    """A code the voter keeps: 12 characters from an alphabet without look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code):
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def receipt_hash(vote_id, code):
    """What is stored and published for a receipt code: nobody can go back to the code."""
    return hashlib.sha256(f"liulin-vote:{vote_id}:{normalise_code(code)}".encode()).hexdigest()


# --- setting up -----------------------------------------------------------------------------


def rules_for(estate):
    rules = EstateRules.objects.filter(estate=estate).first()
    return rules or EstateRules(estate=estate)


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


# --- the table ------------------------------------------------------------------------------


def _lock(vote):
    try:
        return Vote.objects.select_for_update().get(pk=vote.pk)
    except Vote.DoesNotExist:
        raise NotFound(_("找不到该表决。")) from None


def _role_of(actor, perm, vote):
    if actor is None:
        return SYSTEM_ROLE
    authorise(actor, perm, vote)
    return permitting_role(actor, perm, vote) or ""


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
    vote.objection_until = now + timedelta(days=rules_for(vote.estate).objection_days)
    return {"objection_until": vote.objection_until}


def _cancel(vote, now):
    return {}


_GUARDS = {"publish_notice": _publish_notice, "open": _open, "close": _close, "count": _count,
           "publish_result": _publish_result, "cancel": _cancel}
_CHANGED = {
    "publish_notice": ["noticed_at"],
    "open": ["total_area_cm2", "total_owners"],
    "close": [],
    "count": ["voted_area_cm2", "voted_owners", "yes_area_cm2", "yes_owners", "no_area_cm2", "no_owners", "passed", "counted_at"],
    "publish_result": ["published_at", "objection_until"],
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


# --- ballots --------------------------------------------------------------------------------


def _parse_choice(choice):
    try:
        return Choice(choice)
    except ValueError:
        raise Invalid(_("请选择同意、反对或弃权。"), code="invalid_choice", field="choice") from None


def _require_open(vote, now):
    if vote.state != State.OPEN or not (vote.opens_at <= now < vote.closes_at):
        raise Conflict(_("本表决当前不在投票期内。"), code="not_open")


def _roll_of(vote, owner):
    entries = list(RollEntry.objects.filter(vote=vote, owner=owner).order_by("label"))
    if not entries:
        raise NotPermitted(_("您不在本次表决的业主名册上（名册在投票开始时确定）。"), code="not_on_roll")
    return entries


def _held_as(ballot):
    return "proxy" if ballot.via_proxy else ballot.channel


def _may_replace(vote, held, *, channel, via_proxy):
    """Whether a new ballot replaces the ones `held` (their channels, "proxy" for a proxy's):
    the owner's own online ballot replaces his proxy's always (his override), and under
    "online prevails" an online ballot replaces counter and paper ones. Nothing replaces the
    owner's own online ballot; counter and paper replace nothing."""
    if channel != Channel.ONLINE or Channel.ONLINE in held:
        return False
    if "proxy" in held:
        return not via_proxy and held <= {"proxy", Channel.COUNTER, Channel.PAPER} and (
            held == {"proxy"} or vote.channel_rule == ChannelRule.ONLINE_PREVAILS)
    return vote.channel_rule == ChannelRule.ONLINE_PREVAILS


def _place(vote, owner, entries, *, choice, channel, entered_by, actor_role, receipt, now, via_proxy=False):
    """Put `owner`'s ballot for all his roll units, under the vote's lock, by the channel rule.
    Returns the chain event."""
    existing = {b.unit_id: b for b in Ballot.objects.filter(vote=vote, unit_id__in=[e.unit_id for e in entries])}
    replaced = []
    if existing:
        held = {_held_as(b) for b in existing.values()}
        if not _may_replace(vote, held, channel=channel, via_proxy=via_proxy):
            raise Conflict(_("该业主的房屋本次已投票，不能重复投票。"), code="already_voted")
        replaced = sorted(str(h) for h in held)
        Ballot.objects.filter(pk__in=[b.pk for b in existing.values()]).delete()
    digest = receipt_hash(vote.pk, receipt)
    try:
        with transaction.atomic():
            Ballot.objects.bulk_create([
                Ballot(vote=vote, unit_id=e.unit_id, owner=owner, area_cm2=e.area_cm2, choice=choice, channel=channel,
                       entered_by=entered_by, via_proxy=via_proxy, receipt_hash=digest, cast_at=now)
                for e in entries
            ])
    except IntegrityError:
        raise Conflict(_("该业主的房屋本次已投票，不能重复投票。"), code="already_voted") from None
    data = {"owner": owner.pk, "units": [[e.label, e.area_cm2] for e in entries], "choice": str(choice),
            "channel": str(channel), "receipt": digest}
    if replaced:
        data["replaces"] = replaced
    if via_proxy:
        data["proxy"] = True
    return chain.append(VoteEvent, vote, actor=entered_by if channel != Channel.ONLINE else None, actor_role=actor_role,
                        action="replace_ballot" if replaced else "cast", data=data, at=now)


def cast_online(*, actor, vote, choice, now=None):
    """The owner votes for all his units on the roll. Returns the receipt code (shown once)."""
    now = now or clock.now()
    choice = _parse_choice(choice)
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted(_("请先登录实名账号。"), code="not_authenticated")
    with transaction.atomic():
        locked = _lock(vote)
        owner = Owner.objects.filter(estate_id=locked.estate_id, user=actor).first()
        if owner is None:
            raise NotPermitted(_("您的账号未绑定本小区的业主身份。"), code="not_an_owner")
        _require_open(locked, now)
        entries = _roll_of(locked, owner)
        code = new_receipt_code()
        _place(locked, owner, entries, choice=choice, channel=Channel.ONLINE, entered_by=actor, actor_role="owner",
               receipt=code, now=now)
    return code


def cast_counter(*, actor, vote, owner, choice, id_checked, now=None):
    """Staff enter the ballot of an owner who came to the counter with his ID."""
    now = now or clock.now()
    choice = _parse_choice(choice)
    if not id_checked:
        raise Invalid(_("柜台投票须核验业主身份证件。"), code="id_not_checked", field="id_checked")
    with transaction.atomic():
        locked = _lock(vote)
        role = _role_of(actor, WORKFLOW.perm("enter_counter"), locked)
        if owner.estate_id != locked.estate_id:
            raise Invalid(_("该业主不属于本小区。"), code="wrong_estate", field="owner")
        _require_open(locked, now)
        entries = _roll_of(locked, owner)
        code = new_receipt_code()
        _place(locked, owner, entries, choice=choice, channel=Channel.COUNTER, entered_by=actor, actor_role=role,
               receipt=code, now=now)
    return code


def enter_paper(*, actor, vote, owner, choice, receipt_code, now=None):
    """One typing of a paper ballot (the sheet carries its receipt code on a tear-off stub).
    The second typing by someone else that agrees puts the ballot in; one that disagrees
    leaves the sheet for a third person. Returns "first", "matched" or "mismatch"."""
    now = now or clock.now()
    choice = _parse_choice(choice)
    if len(normalise_code(receipt_code)) != 12:
        raise Invalid(_("请输入票根上的 12 位回执码。"), code="invalid_receipt", field="receipt_code")
    with transaction.atomic():
        locked = _lock(vote)
        role = _role_of(actor, WORKFLOW.perm("enter_paper"), locked)
        if owner.estate_id != locked.estate_id:
            raise Invalid(_("该业主不属于本小区。"), code="wrong_estate", field="owner")
        # Paper ballots are collected while voting runs and may be typed until the count.
        if locked.state not in (State.OPEN, State.CLOSED):
            raise Conflict(_("本表决当前不能录入纸质票。"), code="not_open")
        entries = _roll_of(locked, owner)
        digest = receipt_hash(locked.pk, receipt_code)
        earlier = list(PaperEntry.objects.filter(vote=locked, owner=owner))
        if any(e.entered_by_id == actor.pk for e in earlier):
            raise Conflict(_("同一张纸质票须由另一位工作人员再次录入。"), code="same_clerk")
        if Ballot.objects.filter(vote=locked, unit_id__in=[e.unit_id for e in entries], channel=Channel.PAPER).exists():
            raise Conflict(_("该纸质票已录入完成。"), code="already_entered")
        try:
            with transaction.atomic():
                PaperEntry.objects.create(vote=locked, owner=owner, choice=choice, receipt_hash=digest, entered_by=actor,
                                          entered_at=now)
        except IntegrityError:
            raise Conflict(_("同一张纸质票须由另一位工作人员再次录入。"), code="same_clerk") from None
        chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="enter_paper",
                     data={"owner": owner.pk, "copy": len(earlier) + 1}, at=now)
        if not earlier:
            return "first"
        if len(earlier) == 1 and (earlier[0].choice, earlier[0].receipt_hash) == (choice, digest):
            _place(locked, owner, entries, choice=choice, channel=Channel.PAPER, entered_by=actor, actor_role=role,
                   receipt=receipt_code, now=now)
            return "matched"
        return "mismatch"


def resolve_paper(*, actor, vote, owner, choice, receipt_code, now=None):
    """A third person, who typed neither copy, reads the sheet and settles a disagreement."""
    now = now or clock.now()
    choice = _parse_choice(choice)
    with transaction.atomic():
        locked = _lock(vote)
        role = _role_of(actor, WORKFLOW.perm("resolve_paper"), locked)
        if locked.state not in (State.OPEN, State.CLOSED):
            raise Conflict(_("本表决当前不能录入纸质票。"), code="not_open")
        typed = list(PaperEntry.objects.filter(vote=locked, owner=owner))
        if len(typed) < 2 or len({(e.choice, e.receipt_hash) for e in typed}) < 2:
            raise Conflict(_("该纸质票没有待处理的录入不一致。"), code="nothing_to_resolve")
        if any(e.entered_by_id == actor.pk for e in typed):
            raise Conflict(_("录入过该票的人不能裁定自己的录入。"), code="own_entry")
        entries = _roll_of(locked, owner)
        if Ballot.objects.filter(vote=locked, unit_id__in=[e.unit_id for e in entries], channel=Channel.PAPER).exists():
            raise Conflict(_("该纸质票已录入完成。"), code="already_entered")
        chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="resolve_paper",
                     data={"owner": owner.pk}, at=now)
        _place(locked, owner, entries, choice=choice, channel=Channel.PAPER, entered_by=actor, actor_role=role,
               receipt=receipt_code, now=now)
    return "resolved"


def cast_as_proxy(*, actor, vote, owner, choice, now=None):
    """A registered proxy votes for the owner who appointed him. Returns the receipt code,
    which he passes on to the owner."""
    now = now or clock.now()
    choice = _parse_choice(choice)
    with transaction.atomic():
        locked = _lock(vote)
        if not Proxy.objects.filter(vote=locked, owner=owner, holder=actor, revoked_at__isnull=True).exists():
            raise NotPermitted(_("您没有该业主本次表决的有效委托。"), code="no_proxy")
        _require_open(locked, now)
        entries = _roll_of(locked, owner)
        code = new_receipt_code()
        _place(locked, owner, entries, choice=choice, channel=Channel.ONLINE, entered_by=actor, actor_role="proxy",
               receipt=code, now=now, via_proxy=True)
    return code


def register_proxy(*, actor, vote, owner, holder, document, now=None):
    """Staff register an owner's written proxy (the signed 委托书, a scan or photo) for this
    vote. One active proxy per owner; at most the estate's cap per holder."""
    from liulin.core.attachments import services as attachments

    now = now or clock.now()
    cleaned = attachments.clean(document, accept={attachments.DOCUMENT, attachments.IMAGE}, field="document")
    written = None
    try:
        with transaction.atomic():
            locked = _lock(vote)
            role = _role_of(actor, WORKFLOW.perm("register_proxy"), locked)
            if locked.state not in (State.NOTICED, State.OPEN):
                raise Conflict(_("只能在公告后、截止前登记委托。"), code="not_open")
            if owner.estate_id != locked.estate_id:
                raise Invalid(_("该业主不属于本小区。"), code="wrong_estate", field="owner")
            if holder is None or not holder.is_active or holder.pk == owner.user_id:
                raise Invalid(_("受托人须是业主本人以外、有账号的人。"), code="invalid_holder", field="holder")
            cap = rules_for(locked.estate).proxy_cap
            if Proxy.objects.filter(vote=locked, holder=holder, revoked_at__isnull=True).count() >= cap:
                raise Conflict(_("每人最多受托 %(cap)d 户。") % {"cap": cap}, code="proxy_cap")
            try:
                with transaction.atomic():
                    proxy = Proxy.objects.create(vote=locked, owner=owner, holder=holder, registered_by=actor, granted_at=now)
            except IntegrityError:
                raise Conflict(_("该业主已有有效委托，须先撤销。"), code="proxy_exists") from None
            written = attachments.save_clean(owner=proxy, cleaned=cleaned, stage="proxy", actor=actor, now=now)
            chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="register_proxy",
                         data={"owner": owner.pk, "proxy": proxy.pk}, at=now)
    except BaseException:
        if written is not None:
            attachments.discard([written])
        raise
    return proxy


def revoke_proxy(*, actor, proxy, now=None):
    """The owner himself, or staff, revoke a proxy; a ballot it already cast stands (the owner
    replaces it by voting online himself)."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _lock(proxy.vote)
        if proxy.owner.user_id == getattr(actor, "pk", None):
            role = "owner"
        else:
            role = _role_of(actor, WORKFLOW.perm("register_proxy"), locked)
        changed = Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
        if not changed:
            raise Conflict(_("该委托已撤销。"), code="already_revoked")
        chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="revoke_proxy",
                     data={"owner": proxy.owner_id, "proxy": proxy.pk}, at=now)


def file_objection(*, actor, vote, body, now=None):
    """An owner on the roll objects to the published result, within the objection period.
    The chain records that an owner objected (not what he wrote)."""
    now = now or clock.now()
    body = clean_text(body or "", field="body").strip()
    if not body:
        raise Invalid(_("请写明异议内容。"), code="body_required", field="body")
    with transaction.atomic():
        locked = _lock(vote)
        owner = Owner.objects.filter(estate_id=locked.estate_id, user=actor).first() if actor else None
        if owner is None or not RollEntry.objects.filter(vote=locked, owner=owner).exists():
            raise NotPermitted(_("只有本次表决名册上的业主可以提出异议。"), code="not_on_roll")
        if locked.state != State.PUBLISHED or locked.objection_until is None or now > locked.objection_until:
            raise Conflict(_("不在结果公示的异议期内。"), code="not_in_objection_period")
        objection = Objection.objects.create(vote=locked, owner=owner, body=body[:5000], filed_by=actor, filed_at=now)
        chain.append(VoteEvent, locked, actor=None, actor_role="owner", action="object", data={"owner": owner.pk}, at=now)
    return objection


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
