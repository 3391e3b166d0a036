"""Ballots: online, by a registered proxy, at the counter, on paper typed twice; one per unit
(the unique constraint), the channel rule deciding what a later ballot may replace."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.people import proxies as kernel_proxies

from ..models import (
    Ballot,
    Channel,
    ChannelRule,
    Owner,
    PaperEntry,
    Proxy,
    State,
    VoteEvent,
)
from ..workflow import WORKFLOW
from .common import (
    _lock,
    _parse_choice,
    _require_open,
    _role_of,
    _roll_of,
    new_receipt_code,
    normalise_code,
    receipt_hash,
)


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
        consent = kernel_proxies.proxy_for(actor, owner.resident, "votes") if owner.resident_id else None
        if consent is not None:  # the owner is told that her proxy voted (never how: the ballot is secret)
            kernel_proxies.record_act(proxy=consent, actor=actor, service="votes", action=N_("代为投票"), target=locked,
                                      summary=locked.title, now=now)
    return code
