"""Every write of housing: rounds, applications and their review, the 公示, the public
lottery, offers down the waiting list, leases, invoices, arrears and inspections.

Each step holds its row (select_for_update), asks the state table for the edge, writes with
a conditional update and appends one chained event. The invariants (one live lease per
apartment, one outstanding offer per apartment, one live application per person per round,
a lease term ≤ 5 years) are database constraints as well, so two clerks racing for the same
apartment get one lease and one clean refusal.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_
from django_tasks import task

from liulin.core import calendar, chain, clock, publication, workorders
from liulin.core import lottery as public_lottery
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.masking import mask_name
from liulin.core.notifications import kinds
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import authorise, can, permitting
from liulin.core.tasks import schedule_at
from liulin.core.text import clean_text

from .models import (
    Apartment,
    Application,
    ApplicationEvent,
    Defect,
    Document,
    Draw,
    Inspection,
    Invoice,
    Lease,
    LeaseEvent,
    RenewalRequest,
    Round,
    RoundEvent,
    Rule,
    Tier,
)
from .workflow import (
    APPLICATION_DUTIES,
    APPLICATION_WORKFLOW,
    LEASE_WORKFLOW,
    RENEWAL_WORKFLOW,
    ROUND_DUTIES,
    ROUND_WORKFLOW,
)

AS = Application.State
RS = Round.State
LS = Lease.State
RRS = RenewalRequest.State

KIND = "housing"
kinds.register(KIND, gettext_lazy("人才公寓"))
NOT_FOUND = N_("找不到该记录，或您无权查看。")

ORIGIN = "housing.qualification"  # the qualified list's 公示 in the 公示栏 (core.publication)
NOTICE_KIND = "housing_qualification"
RENEWAL_WINDOW_DAYS = 90  # a lease may be renewed in its last 90 days
ARREARS_MONTHS = (1, 2, 3)  # alerts when this many monthly invoices are overdue
DEFAULT_TERM_MONTHS = 36


# --- helpers ----------------------------------------------------------------------------------


def _text(value, *, field, required=False, max_length=500):
    value = clean_text(str(value or ""), field=field).strip()
    if required and not value:
        raise Invalid(_("请填写原因。"), code="reason_required", field=field)
    if len(value) > max_length:
        raise Invalid(_("内容过长。"), code="too_long", field=field)
    return value


def _role(actor, perm, obj):
    found = permitting(actor, perm, obj) if actor is not None else None
    return found[0] if found else ""


def _authorise(actor, perm, obj):
    if actor is None:
        return
    authorise(actor, perm, obj, view="housing.view", not_found=NOT_FOUND)


def _notify(resident, text, params, target, url=""):
    from django.contrib.auth import get_user_model

    user_id = get_user_model().objects.filter(resident_id=getattr(resident, "pk", resident)).values_list("pk", flat=True).first()
    if user_id:
        send([Notice(kind=KIND, text=text, params=params, user_id=user_id, target=target, url=url)])


def _lease_url(lease):
    from django.urls import reverse

    return reverse("housing:lease", args=[lease.pk])


def check_rules(rules, answers):
    """The rules `answers` fail, as [(key, label)]."""
    return [(rule.key, rule.label) for rule in rules if not rule.holds((answers or {}).get(rule.key))]


# --- rounds -----------------------------------------------------------------------------------


MAX_RULES = 30  # eligibility rules of one round
MAX_TIERS = 10  # talent tiers of one round
MAX_LIMIT = 10**12  # a rule's limit (whole numbers: months, years, fen)
MAX_GROUP = 99  # a tier's priority group
CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")  # a rule's key, a tier's code: they name answers in the API and URLs


def _whole(value, *, low, high):
    """`value` as an int in [low, high], or None (a bool is not a number here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and low <= value <= high else None


def clean_round_rules(rules):
    """The rules [(key, label, kind, limit, document)] checked: a code of lower-case letters,
    digits and underscores, unique in the round; a condition; a known kind; a whole-number
    limit for 不超过 / 不少于 (none for 须满足 / 须不满足). Errors name the row
    (`field` "rules.<i>.<column>")."""
    rules = list(rules or [])
    if not rules:
        raise Invalid(_("请至少填写一条申请条件。"), code="rules_required", field="rules")
    if len(rules) > MAX_RULES:
        raise Invalid(_("申请条件不能超过 %(n)s 条。") % {"n": MAX_RULES}, code="too_many_rules", field="rules")
    cleaned, seen = [], set()
    for i, (key, label, kind, limit, document) in enumerate(rules):
        key = str(key or "").strip()
        if not CODE.match(key):
            raise Invalid(_("第 %(n)s 条条件的代码须以小写英文字母开头，只含小写字母、数字和下划线，至多 32 位。") % {"n": i + 1},
                          code="invalid_key", field=f"rules.{i}.key")
        if key in seen:
            raise Invalid(_("条件代码“%(key)s”重复。") % {"key": key}, code="duplicate_key", field=f"rules.{i}.key")
        seen.add(key)
        label = _text(label, field=f"rules.{i}.label", max_length=100)
        if not label:
            raise Invalid(_("请填写第 %(n)s 条条件的内容。") % {"n": i + 1}, code="label_required", field=f"rules.{i}.label")
        if kind not in Rule.Kind.values:
            raise Invalid(_("第 %(n)s 条条件的规则不对。") % {"n": i + 1}, code="invalid_kind", field=f"rules.{i}.kind")
        if kind in (Rule.Kind.MAX, Rule.Kind.MIN):
            limit = _whole(limit, low=0, high=MAX_LIMIT)
            if limit is None:
                raise Invalid(_("第 %(n)s 条条件须填写限值（不小于 0 的整数）。") % {"n": i + 1}, code="limit_required",
                              field=f"rules.{i}.limit")
        else:
            limit = None
        document = _text(document, field=f"rules.{i}.document", max_length=100)
        cleaned.append((key, label, kind, limit, document))
    return cleaned


def clean_round_tiers(tiers):
    """The tiers [(code, label, group)] checked: a unique code, a name, a priority group 0-99."""
    tiers = list(tiers or [])
    if not tiers:
        raise Invalid(_("请至少填写一个人才层次。"), code="tiers_required", field="tiers")
    if len(tiers) > MAX_TIERS:
        raise Invalid(_("人才层次不能超过 %(n)s 个。") % {"n": MAX_TIERS}, code="too_many_tiers", field="tiers")
    cleaned, seen = [], set()
    for i, (code, label, group) in enumerate(tiers):
        code = str(code or "").strip()
        if not CODE.match(code):
            raise Invalid(_("第 %(n)s 个人才层次的代码须以小写英文字母开头，只含小写字母、数字和下划线，至多 32 位。") % {"n": i + 1},
                          code="invalid_code", field=f"tiers.{i}.code")
        if code in seen:
            raise Invalid(_("人才层次代码“%(code)s”重复。") % {"code": code}, code="duplicate_code", field=f"tiers.{i}.code")
        seen.add(code)
        label = _text(label, field=f"tiers.{i}.label", max_length=100)
        if not label:
            raise Invalid(_("请填写第 %(n)s 个人才层次的名称。") % {"n": i + 1}, code="label_required", field=f"tiers.{i}.label")
        group = _whole(group, low=0, high=MAX_GROUP)
        if group is None:
            raise Invalid(_("第 %(n)s 个人才层次的优先组须为 0 至 %(max)s 的整数。") % {"n": i + 1, "max": MAX_GROUP},
                          code="invalid_group", field=f"tiers.{i}.group")
        cleaned.append((code, label, group))
    return cleaned


def create_round(*, actor, community, title, rules, tiers, offer_days=7, is_demo=False):
    """A call for applications in `community` with its eligibility rules and talent tiers as
    data. rules: [(key, label, kind, limit, document)]; tiers: [(code, label, group)]. Every
    row is checked before anything is written (clean_round_rules, clean_round_tiers); the
    creation event carries the rules and tiers as published."""
    if actor is not None:
        authorise(actor, "housing.create", community, view="housing.create", not_found=NOT_FOUND)
    if getattr(community, "kind", None) != "community":
        raise Invalid(_("申请批次须属于一个社区。"), code="community_required", field="community")
    title = _text(title, field="title", required=False, max_length=100)
    if not title:
        raise Invalid(_("请填写批次名称。"), code="title_required", field="title")
    days = _whole(offer_days, low=1, high=60)
    if days is None:
        raise Invalid(_("选房答复期限须为 1 至 60 天。"), code="invalid_offer_days", field="offer_days")
    rules, tiers = clean_round_rules(rules), clean_round_tiers(tiers)
    with transaction.atomic():
        round_ = Round.objects.create(community=community, title=title, offer_days=days, is_demo=is_demo)
        Rule.objects.bulk_create([Rule(round=round_, key=k, label=lb, kind=kind, limit=limit, document=doc)
                                  for k, lb, kind, limit, doc in rules])
        Tier.objects.bulk_create([Tier(round=round_, code=c, label=lb, group=g) for c, lb, g in tiers])
        chain.append(RoundEvent, round_, actor=actor, actor_role=_role(actor, "housing.create", community), action="create",
                     data={"title": title, "offer_days": days, "rules": [list(r) for r in rules], "tiers": [list(t) for t in tiers]})
    return round_


def _qualified_rows(round_):
    return [(pk, person, group) for pk, person, group in Application.objects.filter(
        round=round_, state__in=[AS.QUALIFIED, AS.WAITING, AS.OFFERED, AS.ACCEPTED, AS.HOUSED, AS.DECLINED, AS.EXPIRED],
        draw_group__isnull=False).values_list("pk", "applicant_id", "draw_group")]


def act_on_round(*, actor, round, action, reason="", public_value="", now=None):
    now = now or clock.now()
    transition = ROUND_WORKFLOW.transitions.get(action)
    if transition is None:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = ROUND_WORKFLOW.perm(action)
    _authorise(actor, perm, round)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        ROUND_WORKFLOW.transition_for(action, locked.state)
        reason = _text(reason, field="reason", required=transition.needs_reason)
        conflict = ROUND_DUTIES.conflict(action, ROUND_DUTIES.taken(locked.events.all(), actor))
        if conflict:
            raise NotPermitted(_("同一人不能既确定名单又主持摇号。"))
        changes, data = {"state": transition.target}, {"from": locked.state, "to": transition.target, "reason": reason}
        if action == "publish":
            if Application.objects.filter(round=locked, state=AS.SUBMITTED).exists():
                raise Conflict(_("还有申请未审核。"), code="unreviewed")
            with publication.in_site_language():
                notice = publication.publish(actor=actor, origin=ORIGIN, subject_id=locked.pk, community=locked.community_id,
                                             title=(_("资格审核公示：%(title)s") % {"title": locked.title})[:80],
                                             body=_qualified_list_text(locked), url=f"/housing/rounds/{locked.pk}/",
                                             is_demo=locked.is_demo, now=now)
            changes["notice_id"] = data["notice"] = notice.id
        elif action == "finalise":
            # refused while the 公示 runs (window_open) or an objection is unanswered (objections_open)
            found = publication.finalise(actor=actor, origin=ORIGIN, notice_id=locked.notice_id, now=now)
            if Application.objects.filter(round=locked, pk__in=[int(pk) for pk in found.upheld], state=AS.QUALIFIED).exists():
                raise Conflict(_("有异议成立的申请仍为审核通过，请先作不予通过处理。"), code="upheld_not_rejected")
            qualified = list(Application.objects.filter(round=locked, state=AS.QUALIFIED).select_related("tier"))
            for application in qualified:
                Application.objects.filter(pk=application.pk).update(draw_group=application.tier.group)
            rows = [(a.pk, a.applicant_id, a.tier.group) for a in qualified]
            changes.update(list_hash=public_lottery.applicants_hash(rows), list_published_at=now)
            data.update(list_hash=changes["list_hash"], applicants=len(rows))
        elif action in ("draw", "rerun"):
            data.update(_draw(locked, actor=actor, public_value=public_value, reason=reason, now=now, rerun=action == "rerun"))
        Round.objects.filter(pk=locked.pk, state=locked.state).update(**changes)
        chain.append(RoundEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(round, name, value)
    return round


def qualified_items(round_id):
    """What an objection to a round's 公示 names: one of its qualified applications, by number,
    masked name and tier (the list as published)."""
    return [(a.pk, _("第 %(n)s 号 %(name)s（%(tier)s）") % {"n": a.pk, "name": mask_name(a.applicant.name), "tier": a.tier.label})
            for a in Application.objects.filter(round_id=round_id, state=AS.QUALIFIED).select_related("applicant", "tier")
            .order_by("pk")]


def _qualified_list_text(round_):
    lines = [_("经资格审核，以下申请人符合 %(title)s 申请条件，现予公示（姓名已隐去部分）：") % {"title": round_.title}]
    lines += [label for _pk, label in qualified_items(round_.pk)]
    lines.append(_("对名单有异议的，请在公示期内在本公示下提出，并写明针对的申请人与事实理由。"))
    return "\n".join(lines)


def _draw(round_, *, actor, public_value, reason, now, rerun):
    public_value = _text(public_value, field="public_value", max_length=200)
    if not public_value:
        raise Invalid(_("请填写摇号后公布的公开随机值（如当晚开奖号码）。"), code="public_value_required", field="public_value")
    rows = _qualified_rows(round_)
    list_hash = public_lottery.applicants_hash(rows)
    if list_hash != round_.list_hash:
        raise Conflict(_("申请人名单与公布的哈希不一致。"), code="list_changed")
    if rerun:
        if Application.objects.filter(round=round_).exclude(state__in=[AS.WAITING, AS.REJECTED, AS.WITHDRAWN]).filter(
                rank__isnull=False).exists():
            raise Conflict(_("已开始通知选房，不能重新摇号。"), code="offers_made")
        if Draw.objects.filter(round=round_, public_value=public_value).exists():
            raise Invalid(_("重新摇号须使用新的公开随机值。"), code="same_public_value", field="public_value")
        Draw.objects.filter(round=round_, current=True).update(current=False)
        Application.objects.filter(round=round_).update(rank=None)
    seed = public_lottery.seed_of(public_value, list_hash)
    order = public_lottery.ranking(seed, rows)
    by_pk = {pk: (person, group) for pk, person, group in rows}
    draw = Draw.objects.create(round=round_, public_value=public_value, list_hash=list_hash, seed=seed,
                               algorithm=public_lottery.ALGORITHM, drawn_at=now, drawn_by=actor, rerun_reason=reason,
                               ranks=[[pk, *by_pk[pk]] for pk in order])
    live = {pk: state for pk, state in Application.objects.filter(pk__in=order).values_list("pk", "state")}
    for rank, pk in enumerate(order, start=1):
        Application.objects.filter(pk=pk).update(rank=rank, state=AS.WAITING)
        if not rerun and live[pk] == AS.QUALIFIED:
            application = Application(pk=pk)
            chain.append(ApplicationEvent, application, actor=None, action="rank", data={"rank": rank, "seed": seed, "draw": draw.pk}, at=now)
    return {"draw": draw.pk, "seed": seed, "public_value": public_value, "algorithm": public_lottery.ALGORITHM}


def verify_draw(draw):
    """(holds, expected order, stored order) of a published draw, from its stored inputs."""
    rows = [tuple(row) for row in draw.ranks]
    stored = [row[0] for row in draw.ranks]
    holds, expected = public_lottery.verify(rows, public_value=draw.public_value, published_hash=draw.list_hash,
                                            published_seed=draw.seed, published_order=stored)
    holds = holds and draw.list_hash == draw.round.list_hash
    return holds, expected, stored


def draw_file(draw):
    """The downloadable text anyone re-runs the draw from (with core.lottery or by hand)."""
    lines = [
        f"algorithm: {draw.algorithm}",
        f"public_value: {draw.public_value}",
        f"applicants_hash: {draw.list_hash}",
        f"seed: {draw.seed}",
        "# rank application applicant group lot",
    ]
    for rank, (pk, person, group) in enumerate(draw.ranks, start=1):
        lines.append(f"{rank} {pk} {person} {group} {public_lottery.lot(draw.seed, pk)}")
    return "\n".join(lines) + "\n"


# --- applications -----------------------------------------------------------------------------


def submit_application(*, actor, round, applicant, tier, answers, now=None, is_demo=False):
    """File an application (the applicant himself, or staff at the counter). Rules the
    answers fail refuse it with the failed rules named; a document line is opened per rule
    that asks for proof."""
    now = now or clock.now()
    own = getattr(actor, "resident", None)
    staff = actor is None or can(actor, "housing.create", round)
    if not staff:
        # A call for applications is public: anyone registered may apply to an open round, for himself.
        if own is None or round.state != RS.OPEN:
            raise NotFound(_(NOT_FOUND))
        if own.pk != applicant.pk:
            raise NotPermitted(_("只能为本人申请。"))
    if not isinstance(answers, dict):
        raise Invalid(_("申报情况格式不对。"), code="invalid_answers", field="answers")
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.state != RS.OPEN:
            raise Conflict(_("本批次已截止受理。"), code="round_closed")
        tier_row = Tier.objects.filter(round=locked, code=tier).first()
        if tier_row is None:
            raise Invalid(_("请选择人才层次。"), code="tier_required", field="tier")
        rules = list(locked.rules.all())
        keys = {rule.key for rule in rules}
        answers = {k: v for k, v in answers.items() if k in keys}
        failed = check_rules(rules, answers)
        if failed:
            raise Invalid(_("不符合申请条件：%(rules)s") % {"rules": "、".join(str(label) for _k, label in failed)},
                          code="not_eligible", field=failed[0][0])
        try:
            with transaction.atomic():
                application = Application.objects.create(round=locked, applicant=applicant, filed_by=actor, tier=tier_row,
                                                         answers=answers, submitted_at=now, is_demo=is_demo)
        except IntegrityError:
            raise Conflict(_("您在本批次已有申请。"), code="already_applied") from None
        Document.objects.bulk_create([Document(application=application, rule=rule) for rule in rules if rule.document])
        chain.append(ApplicationEvent, application, actor=actor, actor_role=_role(actor, "housing.submit", application),
                     action="submit", data={"tier": tier_row.code}, at=now)
    return application


def provide_document(*, actor, application, rule_key, upload=None, now=None):
    """Tick a checklist line, with its file (core.attachments: images or PDF)."""
    _authorise(actor, "housing.view", application)
    document = Document.objects.filter(application=application, rule__key=rule_key).first()
    if document is None:
        raise Invalid(_("没有这项材料。"), code="unknown_document", field="rule")
    if application.state not in (AS.SUBMITTED, AS.RETURNED):
        raise Conflict(_("当前状态不能补充材料。"), code="not_editable")
    saved = None
    if upload is not None:
        cleaned = attachments.clean(upload, accept=frozenset({attachments.IMAGE, attachments.DOCUMENT}), field="file")
        saved = attachments.save_clean(owner=document, cleaned=cleaned, stage="document", actor=actor, now=now)
    try:
        Document.objects.filter(pk=document.pk).update(provided=True)
    except Exception:
        attachments.discard([saved] if saved else [])
        raise
    return document


def act_on_application(*, actor, application, action, reason="", now=None):
    now = now or clock.now()
    transition = APPLICATION_WORKFLOW.transitions.get(action)
    if transition is None or not transition.roles:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = APPLICATION_WORKFLOW.perm(action)
    _authorise(actor, perm, application)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        APPLICATION_WORKFLOW.transition_for(action, locked.state)
        reason = _text(reason, field="reason", required=transition.needs_reason)
        conflict = APPLICATION_DUTIES.conflict(action, APPLICATION_DUTIES.taken(locked.events.all(), actor))
        if conflict:
            raise NotPermitted(_("受理该申请的人不能审核它。"))
        if action in ("approve", "reject", "send_back") and Round.objects.filter(pk=locked.round_id).values_list("state", flat=True).get() not in (
                RS.OPEN, RS.REVIEWING, RS.PUBLICITY):
            raise Conflict(_("名单已确定，不能再审核。"), code="list_final")
        if action == "approve" and Document.objects.filter(application=locked, provided=False).exists():
            raise Conflict(_("材料清单未齐全。"), code="documents_missing")
        if action == "resubmit" and Round.objects.filter(pk=locked.round_id, state__in=[RS.OPEN, RS.REVIEWING]).count() == 0:
            raise Conflict(_("审核已结束。"), code="round_closed")
        changes = {"state": transition.target}
        if transition.needs_reason:
            changes["reason"] = reason
        if action == "accept":
            if locked.offer_deadline and locked.offer_deadline < now:
                raise Conflict(_("答复期限已过。"), code="offer_expired")
        if action in ("decline", "withdraw"):
            changes["offer_deadline"] = None
        Application.objects.filter(pk=locked.pk, state=locked.state).update(**changes)
        chain.append(ApplicationEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action=action,
                     data={"from": locked.state, "to": transition.target, "reason": reason}, at=now)
        lease = None
        if action == "accept":
            lease = _open_lease(locked, now=now)
    for name, value in changes.items():
        setattr(application, name, value)
    if action in ("reject", "send_back"):
        _notify(application.applicant, N_("您的人才公寓申请：{step}。原因：{reason}"), {"step": str(transition.label), "reason": reason}, application)
    if action in ("decline", "withdraw") and locked.state == AS.OFFERED:
        make_offers(round=application.round, now=now)
    return lease or application


def _open_lease(application, *, now):
    apartment = Apartment.objects.get(pk=application.offered_apartment_id)
    start = calendar.local_date(now) + datetime.timedelta(days=1)
    try:
        with transaction.atomic():
            lease = Lease.objects.create(
                apartment=apartment, application=application, tenant_id=application.applicant_id, starts_on=start,
                term_months=DEFAULT_TERM_MONTHS, ends_on=calendar.add_months(start, DEFAULT_TERM_MONTHS),
                rent_fen=apartment.rent_fen, deposit_fen=apartment.deposit_fen, is_demo=application.is_demo,
            )
    except IntegrityError:
        raise Conflict(_("该公寓已有在租合同。"), code="apartment_taken") from None
    chain.append(LeaseEvent, lease, actor=None, action="create", data={"application": application.pk}, at=now)
    return lease


# --- offers down the waiting list -------------------------------------------------------------


def free_apartments(round_):
    live_lease = Lease.objects.filter(apartment=OuterRef("pk"), state__in=Lease.LIVE)
    offered = Application.objects.filter(offered_apartment=OuterRef("pk"), state__in=[AS.OFFERED, AS.ACCEPTED])
    return Apartment.objects.filter(community_id=round_.community_id).exclude(Exists(live_lease)).exclude(Exists(offered))


def make_offers(*, round, actor=None, now=None):
    """Offer each free apartment to the next in rank order, with a response deadline; a task
    queued for the deadline passes a lapsed offer on. Returns the offers made."""
    now = now or clock.now()
    made = []
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.state != RS.DRAWN:
            return made
        deadline = now + datetime.timedelta(days=locked.offer_days)
        free = list(free_apartments(locked).order_by("number"))
        waiting = list(Application.objects.filter(round=locked, state=AS.WAITING).order_by("rank")[: len(free)])
        for apartment, application in zip(free, waiting, strict=False):
            updated = Application.objects.filter(pk=application.pk, state=AS.WAITING).update(
                state=AS.OFFERED, offered_apartment=apartment, offer_deadline=deadline)
            if not updated:
                continue
            chain.append(ApplicationEvent, application, actor=actor, action="offer",
                         data={"apartment": apartment.number, "deadline": deadline.isoformat()}, at=now)
            made.append((application, apartment))
    for application, apartment in made:
        _notify(application.applicant, N_("您已摇中人才公寓 {number}，请在 {deadline} 前答复。"),
                {"number": apartment.number, "deadline": f"{calendar.local_date(deadline):%Y-%m-%d}"}, application)
        transaction.on_commit(lambda pk=application.pk: schedule_at(expire_offer_task, deadline, pk), robust=True)
    return made


@task()
def expire_offer_task(application_id):
    expire_offer(application_id=application_id)


def expire_offer(*, application_id, now=None):
    now = now or clock.now()
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id, state=AS.OFFERED,
                                                                     offer_deadline__lte=now).first()
        if application is None:
            return False
        Application.objects.filter(pk=application.pk, state=AS.OFFERED).update(state=AS.EXPIRED)
        chain.append(ApplicationEvent, application, actor=None, action="expire", data={}, at=now)
    make_offers(round=application.round, now=now)
    return True


def sweep_offers(now=None):
    """The safety net for lapsed offers whose task did not run."""
    now = now or clock.now()
    ids = list(Application.objects.filter(state=AS.OFFERED, offer_deadline__lte=now).values_list("pk", flat=True))
    return sum(expire_offer(application_id=pk, now=now) for pk in ids)


# --- leases -----------------------------------------------------------------------------------


def renewal_opens_on(lease):
    """The first day of the lease's renewal window (its last RENEWAL_WINDOW_DAYS days)."""
    return lease.ends_on - datetime.timedelta(days=RENEWAL_WINDOW_DAYS)


def in_renewal_window(lease, today):
    return renewal_opens_on(lease) <= today < lease.ends_on


def _renewal_answers(rules, answers, *, term_months):
    """The answers kept (the rules' keys only) and the term, or Invalid naming the failed rules."""
    if not isinstance(answers, dict):
        raise Invalid(_("申报情况格式不对。"), code="invalid_answers", field="answers")
    keys = {rule.key for rule in rules}
    answers = {k: v for k, v in answers.items() if k in keys}
    failed = check_rules(rules, answers)
    if failed:
        raise Invalid(_("续租资格复核未通过：%(rules)s") % {"rules": "、".join(str(label) for _k, label in failed)},
                      code="not_eligible", field=failed[0][0])
    months = DEFAULT_TERM_MONTHS if term_months is None else term_months
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 60:
        raise Invalid(_("租期须为 1 至 60 个月。"), code="invalid_term", field="term_months")
    return answers, months


def request_renewal(*, actor, lease, answers, term_months=None, now=None):
    """The tenant asks to renew his active lease, in its renewal window, with his answers to
    the round's rules as they stand now (answers failing a rule are refused, the rules
    named). One open request per lease (a database constraint). Returns the request."""
    now = now or clock.now()
    _authorise(actor, "housing.request_renewal", lease)
    own = getattr(actor, "resident", None)
    if actor is not None and (own is None or own.pk != lease.tenant_id):
        raise NotPermitted(_("只有承租人本人可以申请续租。"))
    today = calendar.local_date(now)
    with transaction.atomic():
        locked = Lease.objects.select_for_update().select_related("application__round").get(pk=lease.pk)
        if locked.state != LS.ACTIVE:
            raise Conflict(_("合同不在履约中，不能申请续租。"), code="lease_not_active")
        if not in_renewal_window(locked, today):
            raise Conflict(_("不在续租期内（到期前 %(days)s 天内）。") % {"days": RENEWAL_WINDOW_DAYS}, code="not_in_window")
        answers, months = _renewal_answers(list(locked.application.round.rules.all()), answers, term_months=term_months)
        try:
            with transaction.atomic():
                request = RenewalRequest.objects.create(lease=locked, answers=answers, term_months=months, requested_by=actor,
                                                        requested_at=now)
        except IntegrityError:
            raise Conflict(_("已申请续租，正在办理中。"), code="already_requested") from None
        chain.append(LeaseEvent, locked, actor=actor, actor_role=_role(actor, "housing.request_renewal", locked),
                     action="request_renewal", data={"request": request.pk, "term_months": months, "answers": answers}, at=now)
    return request


def act_on_renewal_request(*, actor, request, action, reason="", now=None):
    """Refuse (the manager, with a reason the tenant is told) or withdraw (the tenant) an open
    renewal request. Renewing is the lease's `renew` (act_on_lease), which closes it."""
    now = now or clock.now()
    transition = RENEWAL_WORKFLOW.transitions.get(action)
    if transition is None or not transition.roles:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = RENEWAL_WORKFLOW.perm(action)
    _authorise(actor, perm, request)
    with transaction.atomic():
        locked = RenewalRequest.objects.select_for_update().select_related("lease").get(pk=request.pk)
        own = getattr(actor, "resident", None)
        if action == "withdraw_renewal" and actor is not None and (own is None or own.pk != locked.lease.tenant_id):
            raise NotPermitted(_("只有承租人本人可以撤回续租申请。"))
        RENEWAL_WORKFLOW.transition_for(action, locked.state)
        reason = _text(reason, field="reason", required=transition.needs_reason)
        changes = {"state": transition.target, "decided_at": now}
        if transition.needs_reason:
            changes["reason"] = reason
        RenewalRequest.objects.filter(pk=locked.pk, state=locked.state).update(**changes)
        lease = Lease.objects.select_for_update().get(pk=locked.lease_id)
        chain.append(LeaseEvent, lease, actor=actor, actor_role=_role(actor, perm, locked), action=action,
                     data={"request": locked.pk, "from": locked.state, "to": transition.target, "reason": reason}, at=now)
    for name, value in changes.items():
        setattr(request, name, value)
    if action == "refuse_renewal":
        _notify(lease.tenant_id, N_("您的续租申请未获办理。原因：{reason}"), {"reason": reason}, lease, url=_lease_url(lease))
    return request


def renewal_reminders(now=None):
    """Tell each tenant whose active lease has entered its renewal window that he may ask to
    renew (once per lease, remembered in the lease's chain). Returns the leases told."""
    now = now or clock.now()
    today = calendar.local_date(now)
    told = LeaseEvent.objects.filter(lease=OuterRef("pk"), action="renewal_window")
    due = list(Lease.objects.filter(state=LS.ACTIVE, ends_on__gt=today, ends_on__lte=today + datetime.timedelta(days=RENEWAL_WINDOW_DAYS))
               .exclude(Exists(told)).select_related("apartment"))
    reminded = []
    for lease in due:
        with transaction.atomic():
            locked = Lease.objects.select_for_update().get(pk=lease.pk)
            if locked.state != LS.ACTIVE or locked.events.filter(action="renewal_window").exists():
                continue
            chain.append(LeaseEvent, locked, actor=None, action="renewal_window", data={"ends_on": locked.ends_on.isoformat()}, at=now)
        _notify(lease.tenant_id, N_("您的公寓 {number} 租期至 {ends_on}，已进入续租期，如需续租请在到期前申请。"),
                {"number": lease.apartment.number, "ends_on": f"{lease.ends_on:%Y-%m-%d}"}, lease, url=_lease_url(lease))
        reminded.append(lease)
    return reminded


def act_on_lease(*, actor, lease, action, reason="", answers=None, term_months=None, now=None):
    now = now or clock.now()
    transition = LEASE_WORKFLOW.transitions.get(action)
    if transition is None:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = LEASE_WORKFLOW.perm(action)
    _authorise(actor, perm, lease)
    today = calendar.local_date(now)
    renewal = None
    with transaction.atomic():
        locked = Lease.objects.select_for_update().get(pk=lease.pk)
        LEASE_WORKFLOW.transition_for(action, locked.state)
        own = getattr(actor, "resident", None)
        if action == "sign" and actor is not None and not can(actor, "housing.create", locked.apartment) \
                and (own is None or own.pk != locked.tenant_id):
            raise NotPermitted(_("只有承租人本人可以签约。"))
        reason = _text(reason, field="reason", required=transition.needs_reason)
        changes = {"state": transition.target}
        if transition.needs_reason:
            changes["reason"] = reason
        data = {"from": locked.state, "to": transition.target, "reason": reason}
        if action == "renew":
            if not in_renewal_window(locked, today):
                raise Conflict(_("不在续租期内（到期前 %(days)s 天内）。") % {"days": RENEWAL_WINDOW_DAYS}, code="not_in_window")
            answers, months = _renewal_answers(list(locked.application.round.rules.all()), answers or {}, term_months=term_months)
        Lease.objects.filter(pk=locked.pk, state=locked.state).update(**changes)
        if action == "renew":
            renewal = Lease.objects.create(
                apartment_id=locked.apartment_id, application_id=locked.application_id, tenant_id=locked.tenant_id, previous=locked,
                state=LS.ACTIVE, starts_on=locked.ends_on, term_months=months, ends_on=calendar.add_months(locked.ends_on, months),
                rent_fen=locked.apartment.rent_fen, deposit_fen=locked.deposit_fen, is_demo=locked.is_demo,
            )
            data["renewal"] = renewal.pk
            request = RenewalRequest.objects.filter(lease=locked, state=RRS.REQUESTED).first()
            if request is not None:
                RenewalRequest.objects.filter(pk=request.pk, state=RRS.REQUESTED).update(state=RRS.RENEWED, decided_at=now)
                data["request"] = request.pk
            chain.append(LeaseEvent, renewal, actor=actor, actor_role=_role(actor, perm, locked), action="create",
                         data={"previous": locked.pk, "answers": answers}, at=now)
        elif action in ("end", "terminate"):
            # An open renewal request is moot once the lease ends: closed as refused, the lease's step as its reason.
            closed = list(RenewalRequest.objects.filter(lease=locked, state=RRS.REQUESTED).values_list("pk", flat=True))
            if closed:
                RenewalRequest.objects.filter(pk__in=closed, state=RRS.REQUESTED).update(state=RRS.REFUSED, decided_at=now,
                                                                                        reason=str(transition.label))
                data["requests_closed"] = closed
        if action == "sign":
            Application.objects.filter(pk=locked.application_id, state=AS.ACCEPTED).update(state=AS.HOUSED)
            chain.append(ApplicationEvent, locked.application, actor=None, action="house", data={"lease": locked.pk}, at=now)
        chain.append(LeaseEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(lease, name, value)
    if renewal is not None:
        _notify(renewal.tenant_id, N_("您的公寓 {number} 已续租至 {ends_on}。"),
                {"number": locked.apartment.number, "ends_on": f"{renewal.ends_on:%Y-%m-%d}"}, renewal, url=_lease_url(renewal))
    return renewal or lease


def issue_invoices(*, month, now=None):
    """One invoice per running lease for `month` (its first day), idempotent. Returns how many.

    A lease runs in a month that begins before it ends and ends on or after it starts: an
    active lease, and a renewed one until its end (it is `renewed` from the day the manager
    renews it, up to three months before it ends). Its renewal takes over from the first
    month that begins on or after the renewal's start, so the month the two meet is billed
    once, to the old lease."""
    month = calendar.month_start(month)
    last_day = calendar.add_months(month, 1) - datetime.timedelta(days=1)
    leases = (Lease.objects.filter(state__in=[LS.ACTIVE, LS.RENEWED], starts_on__lte=last_day, ends_on__gt=month)
              .exclude(previous__isnull=False, starts_on__gt=month))
    rows = [Invoice(lease=lease, month=month, amount_fen=lease.rent_fen) for lease in leases]
    before = Invoice.objects.filter(month=month).count()
    Invoice.objects.bulk_create(rows, ignore_conflicts=True)
    return Invoice.objects.filter(month=month).count() - before


def issue_this_months_invoices(now=None):
    """The periodic job: this month's invoices (idempotent, so a daily run bills a lease
    signed mid-month the day after)."""
    return issue_invoices(month=calendar.local_date(now or clock.now()), now=now)


def pay_invoice(*, actor, invoice, now=None):
    now = now or clock.now()
    _authorise(actor, "housing.pay", invoice.lease)
    with transaction.atomic():
        updated = Invoice.objects.filter(pk=invoice.pk, paid_at__isnull=True).update(paid_at=now)
        if not updated:
            raise Conflict(_("该账单已缴清。"), code="already_paid")
        chain.append(LeaseEvent, Lease.objects.select_for_update().get(pk=invoice.lease_id), actor=actor,
                     actor_role=_role(actor, "housing.pay", invoice.lease), action="pay",
                     data={"month": invoice.month.isoformat(), "fen": invoice.amount_fen}, at=now)
    invoice.paid_at = now
    return invoice


def arrears(now=None):
    """[(lease, months overdue)] of running leases (active, or renewed and not yet ended)
    with unpaid invoices of past months."""
    now = now or clock.now()
    this_month = calendar.month_start(calendar.local_date(now))
    rows = (Invoice.objects.filter(paid_at__isnull=True, month__lt=this_month, lease__state__in=[LS.ACTIVE, LS.RENEWED])
            .values("lease").annotate(n=Count("pk")).order_by("lease"))
    counts = {row["lease"]: row["n"] for row in rows}
    leases = Lease.objects.filter(pk__in=counts).select_related("apartment", "tenant")
    return [(lease, counts[lease.pk]) for lease in leases]


def arrears_alerts(now=None):
    """Tell each tenant whose overdue months reached one of ARREARS_MONTHS (once per level,
    remembered in the lease's chain). Returns [(lease, months)] alerted."""
    now = now or clock.now()
    alerted = []
    for lease, months in arrears(now):
        if months not in ARREARS_MONTHS:
            continue
        with transaction.atomic():
            locked = Lease.objects.select_for_update().get(pk=lease.pk)
            if locked.events.filter(action="arrears", data__months=months).exists():
                continue
            chain.append(LeaseEvent, locked, actor=None, action="arrears", data={"months": months}, at=now)
        _notify(lease.tenant, N_("您的公寓 {number} 已欠租 {months} 个月，请尽快缴纳。"), {"number": lease.apartment.number, "months": months}, lease)
        alerted.append((lease, months))
    return alerted


def record_inspection(*, actor, lease, kind, defects=(), category=None, notes="", now=None):
    """A move-in or move-out inspection; defects: [(description, [uploads])]. Each defect's
    photos are kept (core.attachments) and its repair filed as a 雷锋哨 work order
    (core.workorders). Returns the inspection."""
    now = now or clock.now()
    _authorise(actor, "housing.inspect", lease)
    if kind not in Inspection.Kind.values:
        raise Invalid(_("验房类型不对。"), code="invalid_kind", field="kind")
    allowed = {Inspection.Kind.MOVE_IN: (LS.PENDING, LS.ACTIVE), Inspection.Kind.MOVE_OUT: (LS.ACTIVE, LS.ENDED, LS.TERMINATED)}
    cleaned = [(_text(description, field="description", required=True, max_length=300),
                [attachments.clean(upload, field="photos") for upload in uploads]) for description, uploads in defects]
    if cleaned and workorders.available() and category not in {code for code, _label in workorders.categories()}:
        raise Invalid(_("请选择维修工单类别。"), code="category_required", field="category")
    saved = []
    try:
        with transaction.atomic():
            locked = Lease.objects.select_for_update().select_related("apartment").get(pk=lease.pk)
            if locked.state not in allowed[kind]:
                raise Conflict(_("当前合同状态不能做此验房。"), code="illegal_transition")
            try:
                with transaction.atomic():
                    inspection = Inspection.objects.create(lease=locked, kind=kind, inspected_by=actor, at=now,
                                                           notes=_text(notes, field="notes"))
            except IntegrityError:
                raise Conflict(_("已做过此项验房。"), code="already_inspected") from None
            filed = []
            for description, photos in cleaned:
                defect = Defect.objects.create(inspection=inspection, description=description)
                for photo in photos:
                    saved.append(attachments.save_clean(owner=defect, cleaned=photo, stage="defect", actor=actor, now=now))
                if workorders.available():
                    text = _("人才公寓%(kind)s发现问题：%(number)s，%(description)s") % {
                        "kind": Inspection.Kind(kind).label, "number": locked.apartment.number, "description": description}
                    order = workorders.file(actor=actor, origin="housing.defect", category=category, description=text,
                                            building=locked.apartment.building, now=now)
                    Defect.objects.filter(pk=defect.pk).update(work_order_id=order.id, work_order_number=order.number,
                                                              work_order_state=str(order.state_label))
                    filed.append(order.number)
            chain.append(LeaseEvent, locked, actor=actor, actor_role=_role(actor, "housing.inspect", locked), action="inspect",
                         data={"kind": kind, "defects": len(cleaned), "orders": filed}, at=now)
    except BaseException:
        attachments.discard(saved)
        raise
    return inspection


def defect_order_changed(order):
    Defect.objects.filter(work_order_id=order.id).update(work_order_state=str(order.state_label))
