"""人民调解: the writes and reads of a mediation case.

A case is accepted (on application, on the mediator's own initiative, or referred from a
work order) with a one-month time limit; sessions are recorded; an agreement carries the
fields of 人民调解法 art. 29 and takes effect when every party has signed (art. 29, 30); the
mediator is reminded on day 30 after it took effect, the last day on which the parties may
ask a court to confirm it (art. 33); follow-up visits record performance (art. 31), and
the case closes once a visit found the agreement performed.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import calendar, chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import NOT_FOUND, can, permitting, scope_q
from liulin.core.text import clean_text

from .models import (
    CaseEvent,
    CaseSource,
    CaseState,
    DisputeType,
    MediationCase,
    MediationParty,
    MediationStep,
    PartyRole,
    Performance,
)
from .workflow import CASE

TIME_LIMIT_MONTHS = 1  # a case is mediated within one month of acceptance
CONFIRMATION_DAYS = 30  # 人民调解法 art. 33: court confirmation within 30 days of the agreement taking effect
OPEN_STATES = frozenset({CaseState.ACCEPTED, CaseState.MEDIATING, CaseState.AGREED})
REMINDER_KIND = "deliberation.mediation"


def _text(value, *, field, label, max_length, required=True):
    value = clean_text(str(value or ""), field=field).strip()
    if required and not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise Invalid(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, code="too_long", field=field)
    return value


# --- reads --------------------------------------------------------------------------------


def cases_for(user):
    return (MediationCase.objects.filter(scope_q(user, "deliberation_case.view_case", MediationCase))
            .select_related("mediator", "community").order_by("-accepted_at", "-pk"))


def case_for(user, pk):
    case = cases_for(user).filter(pk=pk).first()
    if case is None:
        raise NotFound(_(NOT_FOUND))
    return case


def overdue_cases(user, *, now=None):
    now = now or clock.now()
    return cases_for(user).filter(state__in=OPEN_STATES, due_at__lt=now)


def time_limit(accepted_at):
    """One calendar month after acceptance, at the same local time (31 January → 28/29 February)."""
    local = accepted_at.astimezone(calendar.local_zone())
    return datetime.datetime.combine(calendar.add_months(local.date(), TIME_LIMIT_MONTHS), local.time(), tzinfo=local.tzinfo)


def confirmation_deadline(case):
    return case.signed_on + datetime.timedelta(days=CONFIRMATION_DAYS) if case.signed_on else None


# --- writes -------------------------------------------------------------------------------


def _require(actor, perm, case):
    if not cases_for(actor).filter(pk=case.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if not can(actor, perm, case):
        raise NotPermitted(_("您的角色不能执行此操作。"))


def _role(actor, perm, case):
    found = permitting(actor, perm, case)
    return found[0] if found else ""


def _event(case, *, actor, perm, action, data, at):
    return chain.append(CaseEvent, case, actor=actor, actor_role=_role(actor, perm, case) if actor else "system", action=action,
                        data=data, at=at)


def accept_case(*, actor, community, dispute_type, source, summary, parties, estate=None, work_order_number="", now=None):
    """Accept a case (受理) with its parties [(role, name, resident or None)]; the actor mediates it."""
    now = now or clock.now()
    if dispute_type not in DisputeType.values:
        raise Invalid(_("请选择纠纷类型。"), code="invalid_dispute_type", field="dispute_type")
    if source not in CaseSource.values:
        raise Invalid(_("请选择案件来源。"), code="invalid_source", field="source")
    work_order_number = _text(work_order_number, field="work_order_number", label=_("来源工单"), max_length=32,
                              required=source == CaseSource.REFERRAL)
    summary = _text(summary, field="summary", label=_("纠纷简况"), max_length=4000)
    cleaned = [(role, _text(name, field="parties", label=_("当事人"), max_length=64), resident) for role, name, resident in parties]
    roles = {role for role, _, _ in cleaned}
    if not roles <= set(PartyRole.values) or roles != set(PartyRole.values):
        raise Invalid(_("须有申请人和被申请人。"), code="parties_required", field="parties")
    if len({name for _, name, _ in cleaned}) != len(cleaned):
        raise Invalid(_("当事人不能重复。"), code="duplicate_party", field="parties")
    if estate is not None and estate.community_id != community.pk:
        raise Invalid(_("小区不在该社区。"), code="estate_outside_community", field="estate")
    with transaction.atomic():
        case = MediationCase.objects.create(
            community=community, estate=estate, dispute_type=dispute_type, source=source, work_order_number=work_order_number,
            summary=summary, mediator=actor, accepted_at=now, due_at=time_limit(now),
            created_at=now, updated_at=now)
        if not can(actor, CASE.perm("accept"), case):
            raise NotPermitted(_("您不能在该社区受理调解案件。"))
        MediationParty.objects.bulk_create([MediationParty(case=case, role=r, name=n, resident=res) for r, n, res in cleaned])
        chain.new_chain(CaseEvent, case)
        _event(case, actor=actor, perm=CASE.perm("accept"), action="accept",
               data={"source": source, "work_order": work_order_number, "parties": len(cleaned)}, at=now)
    return case


def act(*, actor, case, action, reason="", agreement=None, now=None):
    """A CASE table action. `agree` needs `agreement` (facts, terms, performance_manner,
    performance_deadline); `sign_off` needs every party's signature; `close` a follow-up
    that found the agreement performed."""
    now = now or clock.now()
    if action not in CASE.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = CASE.perm(action)
    _require(actor, perm, case)
    with transaction.atomic():
        locked = MediationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        transition = CASE.transition_for(action, locked.state)
        changes = {"state": transition.target, "updated_at": now}
        data = {"from": locked.state, "to": transition.target}
        if transition.needs_reason:
            data["reason"] = _text(reason, field="reason", label=_("原因"), max_length=500)
        if action == "agree":
            agreement = agreement or {}
            deadline = agreement.get("performance_deadline")
            if deadline is None:
                raise Invalid(_("请填写履行期限。"), code="required", field="performance_deadline")
            changes.update(
                facts=_text(agreement.get("facts"), field="facts", label=_("纠纷的主要事实、争议事项"), max_length=4000),
                terms=_text(agreement.get("terms"), field="terms", label=_("达成协议的内容"), max_length=4000),
                performance_manner=_text(agreement.get("performance_manner"), field="performance_manner",
                                         label=_("履行方式"), max_length=200),
                performance_deadline=clock.bounded(deadline, field="performance_deadline"), agreed_at=now)
            locked.parties.update(signed_at=None)
        if action == "sign_off":
            if locked.parties.filter(signed_at__isnull=True).exists():
                raise Conflict(_("还有当事人未签字。"), code="unsigned_parties")
            changes["signed_on"] = calendar.local_date(now)
        if action == "close":
            if not locked.steps.filter(kind=MediationStep.Kind.FOLLOW_UP, performance=Performance.PERFORMED).exists():
                raise Conflict(_("回访确认协议已履行后才能结案。"), code="not_performed")
            changes["closed_at"] = now
        if MediationCase.objects.filter(pk=locked.pk, state=locked.state).update(**changes) != 1:
            raise Conflict(_("案件状态已变化，请刷新。"), code="stale")
        _event(locked, actor=actor, perm=perm, action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(case, name, value)
    return case


def record_session(*, actor, case, notes, now=None):
    now = now or clock.now()
    _require(actor, CASE.perm("session"), case)
    notes = _text(notes, field="notes", label=_("记录"), max_length=4000)
    with transaction.atomic():
        locked = MediationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if locked.state not in (CaseState.ACCEPTED, CaseState.MEDIATING):
            raise Conflict(_("案件不在调解中。"), code="not_mediating")
        step = MediationStep.objects.create(case=locked, kind=MediationStep.Kind.SESSION, held_at=now, notes=notes, by=actor)
        _event(locked, actor=actor, perm=CASE.perm("session"), action="session", data={"step": step.pk}, at=now)
    return step


def record_signature(*, actor, case, party, now=None):
    """The mediator records that a party signed (or pressed a fingerprint on) the agreement."""
    now = now or clock.now()
    _require(actor, CASE.perm("sign"), case)
    with transaction.atomic():
        locked = MediationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if locked.state != CaseState.AGREED:
            raise Conflict(_("协议达成后才能签字。"), code="not_agreed")
        if MediationParty.objects.filter(pk=party.pk, case=locked, signed_at__isnull=True).update(signed_at=now) != 1:
            raise Conflict(_("该当事人已签字。"), code="already_signed")
        _event(locked, actor=actor, perm=CASE.perm("sign"), action="sign", data={"party": party.pk}, at=now)
    party.signed_at = now
    return party


def follow_up(*, actor, case, notes, performance, now=None):
    now = now or clock.now()
    _require(actor, CASE.perm("follow_up"), case)
    if performance not in Performance.values or performance == Performance.PENDING:
        raise Invalid(_("请选择履行情况。"), code="invalid_performance", field="performance")
    notes = _text(notes, field="notes", label=_("记录"), max_length=4000)
    with transaction.atomic():
        locked = MediationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if locked.state != CaseState.SIGNED:
            raise Conflict(_("协议生效后才能回访履行情况。"), code="not_signed")
        step = MediationStep.objects.create(case=locked, kind=MediationStep.Kind.FOLLOW_UP, held_at=now, notes=notes,
                                            performance=performance, by=actor)
        MediationCase.objects.filter(pk=locked.pk).update(performance=performance, updated_at=now)
        _event(locked, actor=actor, perm=CASE.perm("follow_up"), action="follow_up",
               data={"step": step.pk, "performance": performance}, at=now)
    case.performance = performance
    return step


def remind_confirmations(*, today=None):
    """On day 30 after an agreement took effect (its last day for court confirmation), tell
    the mediator once. Returns how many were reminded."""
    today = today or clock.today()
    due = list(MediationCase.objects.filter(state__in=[CaseState.SIGNED, CaseState.CLOSED], confirmation_reminded=False,
                                            signed_on__lte=today - datetime.timedelta(days=CONFIRMATION_DAYS))[:500])
    with transaction.atomic():
        claimed = MediationCase.objects.filter(pk__in=[c.pk for c in due], confirmation_reminded=False).update(
            confirmation_reminded=True)
        if claimed:
            send([Notice(kind=REMINDER_KIND, text=N_("调解协议（{type}）今天是申请司法确认的最后一日（生效后第 30 日）。"),
                         params={"type": c.get_dispute_type_display()}, user_id=c.mediator_id, target=c) for c in due])
    return claimed
