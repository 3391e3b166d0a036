"""Every write of 物业监督: contracts and their scope, surveys through their table, one
answer per household, supervisors appointed and ended, inspections whose failed items become
work orders through core.workorders.

docs/property.md has the rules and their sources.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liulin.core import chain, clock, workorders
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import NOT_FOUND, permitting
from liulin.core.text import clean_text
from liulin.orgs.models import Organisation

from . import defaults, selectors
from .models import (
    Answer,
    Dimension,
    Inspection,
    InspectionItem,
    Response,
    Scale,
    ScopeItem,
    ServiceContract,
    Supervisor,
    Survey,
    SurveyEvent,
    SurveyState,
)
from .workflow import SURVEY

ORIGIN = "property.inspection"


def _text(value, *, field, label="", required=False, max_length=300):
    value = clean_text(str(value or ""), field=field).strip()
    if required and not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, code="required", field=field)
    if len(value) > max_length:
        raise Invalid(_("%(label)s不能超过 %(n)s 个字。") % {"label": label or field, "n": max_length}, code="too_long", field=field)
    return value


def require_manager(*, actor, estate):
    """Refuse unless `actor` manages the community of `estate`: the check every staff write
    starts with, for callers (the API) that must refuse before they read the rest of a request."""
    _manage(actor, estate)


def _manage(actor, estate):
    """Refuse unless `actor` manages the community of `estate` (404 when he cannot see it)."""
    from liulin.territory.models import Estate

    if not selectors.estates_to_manage(actor).filter(pk=estate.pk).exists():
        from liulin.core.permissions import scoped

        if (scoped(actor, Estate.objects.filter(pk=estate.pk), "property.view").exists()
                or selectors.contracts_for(actor).filter(estate=estate).exists()):
            raise NotPermitted(_("您的角色不能执行此操作。"))
        raise NotFound(_(NOT_FOUND))


def _role(actor, perm, obj):
    found = permitting(actor, perm, obj)
    return found[0] if found else ""


# --- contracts ---------------------------------------------------------------------------------


def create_contract(*, actor, estate, company, starts_on, ends_on, fee_fen, scope_items=None, signed_by="",
                    is_demo=False, now=None):
    """A service contract of `estate` with `company`; `scope_items` [(dimension, name, standard)]
    (the usual scope when None). Terms of one estate's contracts may not overlap."""
    now = now or clock.now()
    _manage(actor, estate)
    if (company.kind != Organisation.Kind.PROPERTY_COMPANY
            or not selectors.companies_to_manage(actor).filter(pk=company.pk).exists()):
        raise Invalid(_("请选择物业公司。"), code="not_property_company", field="company")
    if not isinstance(fee_fen, int) or isinstance(fee_fen, bool) or not 0 <= fee_fen <= defaults.MAX_FEE_FEN:
        raise Invalid(_("物业费须为 0 到 %(max)s 分之间的整数。") % {"max": defaults.MAX_FEE_FEN}, code="invalid_fee",
                      field="fee_fen")
    starts_on = clock.bounded(starts_on, field="starts_on")
    ends_on = clock.bounded(ends_on, field="ends_on")
    if ends_on <= starts_on:
        raise Invalid(_("合同结束日须晚于开始日。"), code="invalid_term", field="ends_on")
    items = defaults.SCOPE_ITEMS if scope_items is None else scope_items
    cleaned = [(str(d or "")[:16], _text(n, field="scope_items", label=_("服务事项"), required=True, max_length=60),
                _text(s, field="scope_items", max_length=200)) for d, n, s in items]
    if not cleaned:
        raise Invalid(_("请至少列出一项服务事项。"), code="scope_required", field="scope_items")
    if len({name for _d, name, _s in cleaned}) != len(cleaned):
        raise Invalid(_("服务事项不能重复。"), code="duplicate_item", field="scope_items")
    with transaction.atomic():
        overlapping = ServiceContract.objects.select_for_update().filter(
            estate=estate, starts_on__lte=ends_on, ends_on__gte=starts_on)
        if overlapping.exists():
            raise Conflict(_("该小区在这段时间已有物业服务合同。"), code="overlapping_contract")
        contract = ServiceContract.objects.create(
            estate=estate, community_id=estate.community_id, company=company, starts_on=starts_on, ends_on=ends_on,
            fee_fen=fee_fen, signed_by=_text(signed_by, field="signed_by", max_length=60), created_by=actor,
            created_at=now, is_demo=is_demo)
        ScopeItem.objects.bulk_create([ScopeItem(contract=contract, dimension=d, name=n, standard=s, order=i)
                                       for i, (d, n, s) in enumerate(cleaned)])
    return contract


# --- surveys -----------------------------------------------------------------------------------


def create_survey(*, actor, estate, year, scale=Scale.FIVE, target_pct=defaults.TARGET_PCT, dimensions=None,
                  is_demo=False, now=None):
    """A draft survey of `estate` for `year`, of the company whose contract was in force that
    year (the latest one); `dimensions` [(code, label)], the usual five when None."""
    now = now or clock.now()
    _manage(actor, estate)
    if scale not in Scale.values:
        raise Invalid(_("评分方式不对。"), code="invalid_scale", field="scale")
    if not isinstance(target_pct, int) or not 1 <= target_pct <= 100:
        raise Invalid(_("满意率目标须在 1% 到 100% 之间。"), code="invalid_target", field="target_pct")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Invalid(_("年度不对。"), code="invalid_year", field="year")
    contract = (ServiceContract.objects.filter(estate=estate, starts_on__lte=datetime.date(year, 12, 31),
                                               ends_on__gte=datetime.date(year, 1, 1)).order_by("-starts_on").first())
    if contract is None:
        raise Conflict(_("该小区当年没有物业服务合同，请先登记合同。"), code="no_contract")
    dims = defaults.DIMENSIONS if dimensions is None else dimensions
    dims = [(str(code).strip()[:16], _text(label, field="dimensions", label=_("维度"), required=True, max_length=20))
            for code, label in dims]
    if not dims or len({c for c, _label in dims}) != len(dims) or not all(c for c, _label in dims):
        raise Invalid(_("请列出不重复的测评维度。"), code="invalid_dimensions", field="dimensions")
    try:
        with transaction.atomic():
            survey = Survey.objects.create(estate=estate, community_id=estate.community_id, company_id=contract.company_id,
                                           contract=contract, year=year, scale=scale, target_pct=target_pct,
                                           created_by=actor, created_at=now, is_demo=is_demo)
            Dimension.objects.bulk_create([Dimension(survey=survey, code=c, label=label, order=i)
                                           for i, (c, label) in enumerate(dims)])
            chain.new_chain(SurveyEvent, survey)
            chain.append(SurveyEvent, survey, actor=actor, actor_role=_role(actor, SURVEY.perm("manage"), survey),
                         action="create", data={"to": SurveyState.DRAFT, "year": year, "target_pct": target_pct}, at=now)
    except IntegrityError:
        raise Conflict(_("该小区这一年度已有满意度测评。"), code="survey_exists") from None
    return survey


def act(*, actor, survey, action, now=None):
    """A SURVEY table action: open, close or publish."""
    now = now or clock.now()
    if action not in SURVEY.transitions:
        raise Invalid(_("未知的操作。"), code="unknown_action")
    perm = SURVEY.perm(action)
    if not selectors.surveys_for(actor).filter(pk=survey.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if not selectors.manages(actor, survey) or not permitting(actor, perm, survey):
        raise NotPermitted(_("您的角色不能执行此操作。"))
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        transition = SURVEY.transition_for(action, locked.state)
        stamp = {"open": "opened_at", "close": "closed_at", "publish": "published_at"}[action]
        changes = {"state": transition.target, stamp: now}
        if Survey.objects.filter(pk=locked.pk, state=locked.state).update(**changes) != 1:
            raise Conflict(_("测评状态已变化，请刷新。"), code="stale")
        data = {"from": locked.state, "to": transition.target}
        if action == "publish":
            result = selectors.results(locked)
            data.update(responses=result.responses, answered=result.overall.answered,
                        satisfied=result.overall.satisfied, target_pct=locked.target_pct, met=result.meets_target)
        chain.append(SurveyEvent, locked, actor=actor, actor_role=_role(actor, perm, locked), action=action, data=data, at=now)
    for name, value in changes.items():
        setattr(survey, name, value)
    return survey


def _satisfied(scale, score):
    return score >= defaults.SATISFIED_FROM if scale == Scale.FIVE else score == 1


def answer(*, actor, survey, scores, comment="", now=None, is_demo=False):
    """The household of `actor` answers `survey`: `scores` {dimension code: score}, every
    dimension, 1..5 (five-point) or 0/1 (not satisfied / satisfied). One response per
    household: a second one, even at the same moment, is refused by the database."""
    now = now or clock.now()
    household = selectors.household_of(actor)
    if not selectors.surveys_for(actor).filter(pk=survey.pk).exists():
        raise NotFound(_(NOT_FOUND))
    if household is None or household.building.estate_id != survey.estate_id:
        raise NotPermitted(_("只有本小区的住户可以参加测评。"))
    dims = selectors.dimensions(survey)
    low, high = (1, 5) if survey.scale == Scale.FIVE else (0, 1)
    rows = []
    for dim in dims:
        score = scores.get(dim.code)
        if isinstance(score, str) and score.strip().isdigit():
            score = int(score)
        if not isinstance(score, int) or isinstance(score, bool) or not low <= score <= high:
            raise Invalid(_("请为“%(label)s”评分（%(low)s–%(high)s）。") % {"label": dim.label, "low": low, "high": high},
                          code="invalid_score", field=dim.code)
        rows.append((dim, score))
    unknown = set(scores) - {d.code for d in dims}
    if unknown:
        raise Invalid(_("测评没有这个维度。"), code="unknown_dimension", field=sorted(unknown)[0])
    comment = _text(comment, field="comment", label=_("意见建议"), max_length=300)
    try:
        with transaction.atomic():
            locked = Survey.objects.select_for_update().get(pk=survey.pk)
            if locked.state != SurveyState.OPEN:
                raise Conflict(_("测评未开放或已截止。"), code="survey_not_open")
            response = Response.objects.create(survey=locked, household=household, answered_by=actor, answered_at=now,
                                               comment=comment, is_demo=is_demo)
            Answer.objects.bulk_create([Answer(response=response, dimension=dim, score=score,
                                               satisfied=_satisfied(locked.scale, score)) for dim, score in rows])
    except IntegrityError:
        raise Conflict(_("您家已参加过本次测评，每户一份。"), code="already_answered") from None
    return response


# --- supervisors -------------------------------------------------------------------------------


def appoint_supervisor(*, actor, estate, user, now=None, is_demo=False):
    """Appoint a resident of `estate` as its 物业监督员."""
    now = now or clock.now()
    _manage(actor, estate)
    household = selectors.household_of(user)
    if household is None or household.building.estate_id != estate.pk:
        raise Invalid(_("物业监督员须是本小区的居民。"), code="not_resident", field="user")
    try:
        with transaction.atomic():
            return Supervisor.objects.create(estate=estate, community_id=estate.community_id, user=user,
                                             appointed_by=actor, appointed_at=now, is_demo=is_demo)
    except IntegrityError:
        raise Conflict(_("该居民已是本小区的物业监督员。"), code="already_supervisor") from None


def appoint_supervisor_by_mobile(*, actor, estate, mobile, now=None):
    """Appoint the active account with `mobile` (a resident of `estate`), as the staff's page
    and the API name him."""
    from liulin.accounts.models import User

    _manage(actor, estate)
    mobile = _text(mobile, field="mobile", label=_("手机号"), required=True, max_length=11)
    user = User.objects.filter(mobile=mobile, is_active=True).first()
    if user is None:
        raise Invalid(_("没有这个手机号的居民账号。"), code="unknown_mobile", field="mobile")
    return appoint_supervisor(actor=actor, estate=estate, user=user, now=now)


def end_supervisor(*, actor, supervisor, now=None):
    now = now or clock.now()
    _manage(actor, supervisor.estate)
    if Supervisor.objects.filter(pk=supervisor.pk, ended_at__isnull=True).update(ended_at=now) != 1:
        raise Conflict(_("该监督员已卸任。"), code="already_ended")
    supervisor.ended_at = now
    return supervisor


# --- inspections -------------------------------------------------------------------------------


def record_inspection(*, actor, estate, checks, category=None, notes="", now=None, is_demo=False):
    """A supervisor's inspection of `estate` against its contract in force: `checks` is
    [(scope item, passed, note, [photo uploads])] for every scope item. A failed item needs a
    note, keeps its photos (core.attachments) and becomes a work order (core.workorders)."""
    now = now or clock.now()
    if not Supervisor.objects.filter(estate=estate, user=actor, ended_at__isnull=True).exists():
        raise NotPermitted(_("只有本小区的物业监督员可以记录巡查。"))
    contract = selectors.contract_in_force(estate, timezone.localdate(now))
    if contract is None:
        raise Conflict(_("该小区没有在期的物业服务合同。"), code="no_contract")
    items = {item.pk: item for item in contract.scope_items.all()}
    seen = {}
    for item, passed, note, uploads in checks:
        item_id = getattr(item, "pk", item)
        if item_id not in items:
            raise Invalid(_("巡查事项不属于本小区的合同。"), code="unknown_item", field="checks")
        if item_id in seen:
            raise Invalid(_("同一巡查事项只能填写一次。"), code="duplicate_item", field="checks")
        note = _text(note, field=f"note_{item_id}", label=_("问题说明"), max_length=300)
        if not passed and not note:
            raise Invalid(_("不合格的事项请写明问题。"), code="note_required", field=f"note_{item_id}")
        photos = [attachments.clean(upload, field=f"photos_{item_id}") for upload in uploads or ()]
        seen[item_id] = (bool(passed), note, photos)
    if set(seen) != set(items):
        raise Invalid(_("请逐项填写巡查结果。"), code="incomplete", field="checks")
    failed = [i for i, (passed, _n, _p) in seen.items() if not passed]
    if failed and workorders.available() and category not in {code for code, _label in workorders.categories()}:
        raise Invalid(_("请选择工单类别。"), code="category_required", field="category")
    saved = []
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(contract=contract, estate=estate, community_id=estate.community_id,
                                                   inspector=actor, at=now, notes=_text(notes, field="notes", max_length=300),
                                                   is_demo=is_demo)
            building = estate.buildings.order_by("pk").first()
            for item_id, (passed, note, photos) in seen.items():
                line = InspectionItem.objects.create(inspection=inspection, scope_item_id=item_id, passed=passed, note=note)
                for photo in photos:
                    saved.append(attachments.save_clean(owner=line, cleaned=photo, stage="inspection", actor=actor, now=now))
                if not passed and workorders.available():
                    text = _("物业监督员巡查不合格：%(estate)s，%(item)s：%(note)s") % {
                        "estate": estate.name, "item": items[item_id].name, "note": note}
                    order = workorders.file(actor=actor, origin=ORIGIN, category=category, description=text,
                                            building=building, now=now)
                    InspectionItem.objects.filter(pk=line.pk).update(
                        work_order_id=order.id, work_order_number=order.number, work_order_state=str(order.state_label))
    except BaseException:
        attachments.discard(saved)
        raise
    return inspection


def item_order_changed(order):
    """core.workorders tells us an order filed for a failed item moved."""
    InspectionItem.objects.filter(work_order_id=order.id).update(work_order_state=str(order.state_label))
