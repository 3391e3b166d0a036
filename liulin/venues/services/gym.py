"""The smart gym: memberships (join or renew, payment at the counter, cancel, refund, expiry)
and entries and exits with a cap on how many are inside at once.

A person's live periods at one gym never overlap (database-enforced, see models). Renewal
starts the new period at the later of today and the end of the person's last live period:
renewing early loses no day, renewing late starts from today.
"""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import calendar, chain, clock
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.permissions import authorise, can, permitting_role
from liulin.core.text import clean_text

from ..models import LIVE_MEMBERSHIP_STATES, GymVisit, Membership, MembershipEvent, Resource
from ..workflow import MEMBERSHIP_WORKFLOW

NOT_FOUND = N_("找不到该会员记录，或您无权查看。")


def _check_member(actor, member, resource):
    """A resident joins for himself; a manager of the gym's community for any resident."""
    if actor is None or can(actor, "venues.manage", resource):
        target = member or actor
    else:
        if member is not None and member.pk != actor.pk:
            raise NotPermitted(_("只能为自己办理会员。"), code="not_yourself")
        target = actor
    resident = getattr(target, "resident", None)
    if resident is None or resident.household is None or resident.household.community_id != resource.community_id:
        raise NotPermitted(_("实名登记的本社区居民才能办理会员。"), code="real_name_required")
    return target


def _lock_gym(resource):
    if connection.vendor == "postgresql":
        Resource.objects.select_for_update().filter(pk=resource.pk).first()


@transaction.atomic
def join_gym(*, actor, plan, member=None, now=None, is_demo=False):
    """Start (or renew) a membership of `plan`: a period awaiting payment, starting at the later
    of today and the end of the member's last live period at this gym."""
    now = now or clock.now()
    if not plan.active:
        raise Invalid(_("该会员类型已停售。"), code="plan_inactive")
    member = _check_member(actor, member, plan.resource)
    today = calendar.local_date(now)
    last = (
        Membership.objects.filter(member=member, resource=plan.resource, state__in=LIVE_MEMBERSHIP_STATES)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    starts_on = max(today, last) if last else today
    membership = Membership(
        plan=plan, resource=plan.resource, member=member, starts_on=starts_on, ends_on=calendar.add_months(starts_on, plan.months),
        state=Membership.State.AWAITING_PAYMENT, price_fen=plan.price_fen, created_at=now, is_demo=is_demo,
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise Conflict(_("会员期与已有的会员期重叠，请刷新后再试。"), code="membership_overlap") from None
    chain.new_chain(MembershipEvent, membership)
    chain.append(MembershipEvent, membership, actor=actor, actor_role="system" if actor is None else "", action="join", at=now,
                 data={"starts_on": starts_on, "ends_on": membership.ends_on, "price_fen": membership.price_fen})
    return membership


def _paused_days_this_year(member, resource, year):
    events = MembershipEvent.objects.filter(membership__member=member, membership__resource=resource, action__in=["pause", "resume"],
                                            at__year=year).order_by("membership_id", "seq").values_list("action", "data")
    return sum(int(data.get("days", 0)) * (1 if kind == "pause" else -1) for kind, data in events)


def _shift_later_periods(current, days):
    """Move the member's live periods after `current` (from its end as it was) by `days`:
    forward latest first, back earliest first, so no step overlaps (the database checks each
    row as it is written)."""
    later = Membership.objects.filter(member_id=current.member_id, resource_id=current.resource_id, state__in=LIVE_MEMBERSHIP_STATES,
                                      starts_on__gte=current.ends_on).exclude(pk=current.pk)
    later = later.order_by("-starts_on" if days > 0 else "starts_on")
    delta = datetime.timedelta(days=days)
    for period in later.select_for_update():
        Membership.objects.filter(pk=period.pk).update(starts_on=period.starts_on + delta, ends_on=period.ends_on + delta)


@transaction.atomic
def act(*, actor, membership, action, receipt_no="", reason="", days=None, now=None):
    now = now or clock.now()
    perm = MEMBERSHIP_WORKFLOW.perm(action)
    if actor is not None:
        authorise(actor, perm, membership, view="venues.view", not_found=NOT_FOUND, message=_("您的角色不能执行此操作。"))
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    step = MEMBERSHIP_WORKFLOW.transition_for(action, current.state)
    reason = clean_text(reason or "", field="reason").strip()
    if step.needs_reason and not reason:
        raise Invalid(_("请填写原因。"), code="reason_required", field="reason")
    fields = {"state": step.target}
    if action == "confirm_payment":
        receipt_no = clean_text(receipt_no or "", field="receipt_no").strip()
        if not receipt_no or len(receipt_no) > 32:
            raise Invalid(_("请填写收据号（最多 32 个字符）。"), code="receipt_required", field="receipt_no")
        if actor is not None and current.member_id == actor.pk:
            raise NotPermitted(_("不能为自己确认收款。"), code="own_membership")
        fields["receipt_no"] = receipt_no
    today = calendar.local_date(now)
    if action == "expire" and current.ends_on > today:
        raise Invalid(_("会员期尚未结束。"), code="not_due")
    shift = 0
    if action == "pause":
        plan = current.plan
        if not current.starts_on <= today < current.ends_on:
            raise Invalid(_("只能暂停当前有效的会员期。"), code="not_current")
        if days is None or not plan.pause_min_days <= days <= plan.pause_max_days:
            raise Invalid(_("暂停天数须在 %(min)d 到 %(max)d 天之间。") % {"min": plan.pause_min_days, "max": plan.pause_max_days},
                          code="pause_days", field="days")
        if _paused_days_this_year(current.member_id, current.resource_id, today.year) + days > plan.pause_days_per_year:
            raise Invalid(_("每年最多暂停 %(n)d 天。") % {"n": plan.pause_days_per_year}, code="pause_limit", field="days")
        shift = days
        fields.update(paused_until=today + datetime.timedelta(days=days), ends_on=current.ends_on + datetime.timedelta(days=days))
    if action == "resume":
        # Back early: the days not used come off the end again (and off this year's count).
        shift = -max(0, (current.paused_until - today).days)
        fields.update(paused_until=None, ends_on=current.ends_on + datetime.timedelta(days=shift))
    if shift > 0:
        _shift_later_periods(current, shift)
    try:
        with transaction.atomic():
            changed = Membership.objects.filter(pk=current.pk, state=current.state).update(**fields)
    except IntegrityError:
        raise Conflict(_("该收据号已经登记过。"), code="duplicate_receipt") from None
    if not changed:
        raise Conflict(_("会员状态已变化，请刷新后再试。"), code="state_changed")
    if shift < 0:
        _shift_later_periods(Membership(pk=current.pk, member_id=current.member_id, resource_id=current.resource_id,
                                        ends_on=current.ends_on), shift)
    role = "system" if actor is None else (permitting_role(actor, perm, current) or "")
    chain.append(MembershipEvent, current, actor=actor, actor_role=role, action=action, at=now,
                 data={"from": current.state, "to": step.target, "reason": reason, "receipt_no": fields.get("receipt_no", ""),
                       "days": abs(shift)})
    for name, value in fields.items():
        setattr(membership, name, value)
    return membership


def confirm_payment(*, actor, membership, receipt_no, now=None):
    """Counter staff record the cash or transfer received (the receipt number is unique per plan)."""
    return act(actor=actor, membership=membership, action="confirm_payment", receipt_no=receipt_no, now=now)


def pause(*, actor, membership, days, now=None):
    """Pause an active period for `days` (the plan's minimum to maximum, within its yearly
    limit): entry is refused meanwhile, and the end (and any later period) moves forward."""
    return act(actor=actor, membership=membership, action="pause", days=days, now=now)


def resume(*, actor, membership, now=None):
    return act(actor=actor, membership=membership, action="resume", now=now)


def expire_memberships(*, actor=None, now=None):
    """Resume every pause that has run its course, and expire every active period whose end
    has come. Returns how many expired."""
    now = now or clock.now()
    for membership in Membership.objects.filter(state=Membership.State.PAUSED, paused_until__lte=calendar.local_date(now)).iterator():
        try:
            act(actor=actor, membership=membership, action="resume", now=now)
        except Conflict:
            continue
    due = Membership.objects.filter(state=Membership.State.ACTIVE, ends_on__lte=calendar.local_date(now))
    done = 0
    for membership in due.iterator():
        try:
            act(actor=actor, membership=membership, action="expire", now=now)
        except Conflict:
            continue
        done += 1
    return done


def current_membership(member, resource, *, now=None):
    """The member's active period at `resource` covering today, or None."""
    today = calendar.local_date(now or clock.now())
    return Membership.objects.filter(
        member=member, resource=resource, state=Membership.State.ACTIVE, starts_on__lte=today, ends_on__gt=today
    ).first()


def occupancy(resource):
    """How many members are inside now (entries without an exit)."""
    return GymVisit.objects.filter(membership__resource=resource, left_at__isnull=True).count()


def capacity_of(resource):
    caps = [c for c in resource.plans.filter(active=True).values_list("hourly_capacity", flat=True) if c]
    return min(caps) if caps else None


@transaction.atomic
def enter_gym(*, actor, resource, member=None, now=None):
    """Let a member in: an active membership covering today, not already inside, and room
    under the gym's cap. Staff let anyone in; a member scans in himself."""
    now = now or clock.now()
    if actor is not None and not can(actor, "venues.manage", resource):
        if member is not None and member.pk != actor.pk:
            raise NotPermitted(_("只能为自己签到入场。"), code="not_yourself")
        member = actor
    if member is None:
        raise Invalid(_("须指明会员。"), code="member_required")
    membership = current_membership(member, resource, now=now)
    if membership is None:
        raise NotPermitted(_("没有有效的会员期，不能入场。"), code="no_membership")
    _lock_gym(resource)
    cap = capacity_of(resource)
    if cap is not None and occupancy(resource) >= cap:
        raise Conflict(_("馆内人数已满（%(n)d 人），请稍后再来。") % {"n": cap}, code="gym_full")
    try:
        with transaction.atomic():
            return GymVisit.objects.create(membership=membership, member=member, entered_at=now)
    except IntegrityError:
        raise Conflict(_("已在馆内，请先登记离场。"), code="already_inside") from None


@transaction.atomic
def leave_gym(*, actor, resource, member=None, now=None):
    now = now or clock.now()
    if actor is not None and not can(actor, "venues.manage", resource):
        member = actor
    if not GymVisit.objects.filter(member=member, membership__resource=resource, left_at__isnull=True).update(left_at=now):
        raise Conflict(_("不在馆内。"), code="not_inside")
