"""物业监督 API (/api/v1/property): contracts and their scope, satisfaction surveys with their
results, a household's answer, the survey's steps, supervisors and their inspections. Every
write goes through the service the page uses, so the API refuses what the page refuses
(another community's estate or record is 404); errors are {detail, code}."""

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from liulin.core.attachments import services as attachments
from liulin.core.attachments.selectors import for_owner
from liulin.core.errors import Invalid, NotFound, NotPermitted
from liulin.core.permissions import NOT_FOUND
from liulin.core.schemas import ERRORS

from . import selectors, services
from .schemas import (
    PropertyAnswerIn,
    PropertyContractIn,
    PropertyContractOut,
    PropertyInspectionIn,
    PropertyInspectionListOut,
    PropertyInspectionOut,
    PropertyResponseOut,
    PropertySupervisorIn,
    PropertySupervisorOut,
    PropertySurveyIn,
    PropertySurveyOut,
)
from .workflow import SURVEY

router = Router(tags=["property"])


def _contract(contract, with_items=False):
    return {"id": contract.pk, "estate_id": contract.estate_id, "estate_name": contract.estate.name,
            "company_id": contract.company_id, "company_name": contract.company.name, "starts_on": contract.starts_on,
            "ends_on": contract.ends_on, "fee_fen": contract.fee_fen, "signed_by": contract.signed_by,
            "scope_items": list(contract.scope_items.all()) if with_items else []}


def _result(result):
    def dim(d):
        return {"code": d.code, "label": str(d.label), "answered": d.answered, "satisfied": d.satisfied, "permille": d.permille}

    return {"target_pct": result.target_pct, "responses": result.responses, "households": result.households,
            "meets_target": result.meets_target, "overall": dim(result.overall), "dimensions": [dim(d) for d in result.dimensions]}


def _survey(user, survey, with_result=False):
    out = {"id": survey.pk, "estate_id": survey.estate_id, "estate_name": survey.estate.name, "company_id": survey.company_id,
           "company_name": survey.company.name, "year": survey.year, "scale": survey.scale, "target_pct": survey.target_pct,
           "state": survey.state, "opened_at": survey.opened_at, "closed_at": survey.closed_at,
           "published_at": survey.published_at, "answered": selectors.response_of(user, survey) is not None,
           "dimensions": [{"code": d.code, "label": d.label} for d in selectors.dimensions(survey)], "result": None}
    if with_result and selectors.may_see_result(user, survey):
        out["result"] = _result(selectors.results(survey))
    return out


@router.get("/contracts", response=list[PropertyContractOut], summary="我可查看的物业服务合同")
def contracts(request):
    return [_contract(c) for c in selectors.contracts_for(request.user)[:200]]


def _estate(estate_id):
    """The estate named in a request; whether the caller may act there is the service's check
    (another community's estate is 404 there)."""
    from liulin.territory.models import Estate

    estate = Estate.objects.filter(pk=estate_id).first()
    if estate is None:
        raise NotFound(_(NOT_FOUND))
    return estate


@router.post("/contracts", response={201: PropertyContractOut, **ERRORS}, summary="登记物业服务合同及服务事项")
def contract_create(request, payload: PropertyContractIn):
    from liulin.orgs.models import Organisation

    estate = _estate(payload.estate_id)
    services.require_manager(actor=request.user, estate=estate)
    company = Organisation.objects.filter(pk=payload.company_id).first()
    if company is None:
        raise Invalid(_("请选择物业公司。"), code="not_property_company", field="company_id")
    items = None
    if payload.scope_items is not None:
        items = [(i.dimension, i.name, i.standard) for i in payload.scope_items]
    found = services.create_contract(actor=request.user, estate=estate, company=company, starts_on=payload.starts_on,
                                     ends_on=payload.ends_on, fee_fen=payload.fee_fen, signed_by=payload.signed_by,
                                     scope_items=items)
    return Status(201, _contract(selectors.contract_for(request.user, found.pk), with_items=True))


@router.get("/contracts/{int:contract_id}", response={200: PropertyContractOut, **ERRORS}, summary="物业服务合同及服务事项")
def contract(request, contract_id: int):
    return _contract(selectors.contract_for(request.user, contract_id), with_items=True)


@router.get("/surveys", response=list[PropertySurveyOut], summary="我可查看的满意度测评")
def surveys(request):
    return [_survey(request.user, s) for s in selectors.surveys_for(request.user)[:200]]


@router.post("/surveys", response={201: PropertySurveyOut, **ERRORS}, summary="建立年度满意度测评（草稿）")
def survey_create(request, payload: PropertySurveyIn):
    estate = _estate(payload.estate_id)
    found = services.create_survey(actor=request.user, estate=estate, year=payload.year, scale=payload.scale,
                                   target_pct=payload.target_pct)
    return Status(201, _survey(request.user, selectors.survey_for(request.user, found.pk), with_result=True))


@router.get("/surveys/{int:survey_id}", response={200: PropertySurveyOut, **ERRORS}, summary="满意度测评及结果")
def survey(request, survey_id: int):
    return _survey(request.user, selectors.survey_for(request.user, survey_id), with_result=True)


@router.post("/surveys/{int:survey_id}/responses", response={201: PropertyResponseOut, **ERRORS},
             summary="本户参加测评（每户一份）")
def answer(request, survey_id: int, payload: PropertyAnswerIn):
    found = selectors.survey_for(request.user, survey_id)
    response = services.answer(actor=request.user, survey=found, scores=payload.scores, comment=payload.comment)
    return Status(201, {"id": response.pk, "survey_id": found.pk, "answered_at": response.answered_at})


@router.post("/surveys/{int:survey_id}/actions/{action}", response={200: PropertySurveyOut, **ERRORS},
             summary="开始、截止测评，公布结果")
def act(request, survey_id: int, action: str):
    if action not in SURVEY.transitions:
        raise Invalid("未知的操作。", code="unknown_action")
    found = selectors.survey_for(request.user, survey_id)
    services.act(actor=request.user, survey=found, action=action)
    return _survey(request.user, selectors.survey_for(request.user, survey_id), with_result=True)


def _supervisor(supervisor):
    return {"id": supervisor.pk, "estate_id": supervisor.estate_id, "estate_name": supervisor.estate.name,
            "user_id": supervisor.user_id, "user_name": supervisor.user.name, "appointed_at": supervisor.appointed_at,
            "ended_at": supervisor.ended_at}


def _managing(user):
    if not selectors.estates_to_manage(user).exists():
        raise NotPermitted(_("您的角色不能执行此操作。"))


@router.get("/supervisors", response={200: list[PropertySupervisorOut], **ERRORS}, summary="在任的物业监督员")
def supervisors(request):
    _managing(request.user)
    return [_supervisor(s) for s in selectors.supervisors_for(request.user).order_by("estate__name", "pk")[:500]]


@router.post("/supervisors", response={201: PropertySupervisorOut, **ERRORS}, summary="聘任物业监督员（本小区居民）")
def supervisor_appoint(request, payload: PropertySupervisorIn):
    estate = _estate(payload.estate_id)
    found = services.appoint_supervisor_by_mobile(actor=request.user, estate=estate, mobile=payload.mobile)
    return Status(201, _supervisor(found))


@router.post("/supervisors/{int:supervisor_id}/end", response={200: PropertySupervisorOut, **ERRORS},
             summary="物业监督员卸任")
def supervisor_end(request, supervisor_id: int):
    found = selectors.supervisors_for(request.user).filter(pk=supervisor_id).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return _supervisor(services.end_supervisor(actor=request.user, supervisor=found))


@router.get("/inspections", response=list[PropertyInspectionListOut], summary="我可查看的物业监督巡查记录")
def inspections(request):
    return [{"id": i.pk, "estate_id": i.estate_id, "estate_name": i.estate.name, "company_name": i.contract.company.name,
             "at": i.at, "failed": i.failed} for i in selectors.inspections_for(request.user)[:200]]


@router.post("/inspections", response={201: PropertyInspectionOut, **ERRORS},
             summary="物业监督员记录巡查（逐项合格/不合格，不合格项转为工单）")
def inspection_create(request, payload: PropertyInspectionIn):
    estate = next((e for e in selectors.supervised_estates(request.user) if e.pk == payload.estate_id), None)
    if estate is None:
        raise NotFound(_(NOT_FOUND))
    checks = [(c.scope_item_id, c.passed, c.note,
               [attachments.from_base64(p, field=f"photos_{c.scope_item_id}") for p in c.photos])
              for c in payload.checks]
    found = services.record_inspection(actor=request.user, estate=estate, checks=checks, category=payload.category,
                                       notes=payload.notes)
    return Status(201, _inspection(selectors.inspection_for(request.user, found.pk)))


def _inspection(found):
    return {"id": found.pk, "estate_id": found.estate_id, "estate_name": found.estate.name,
            "company_name": found.contract.company.name, "at": found.at, "notes": found.notes,
            "items": [{"id": i.pk, "scope_item": i.scope_item.name, "passed": i.passed, "note": i.note,
                       "work_order_number": i.work_order_number, "work_order_state": i.work_order_state,
                       "photos": [{"id": p.pk, "url": reverse("attachments:file", args=[p.pk])}
                                  for p in for_owner(i, "inspection")]}
                      for i in selectors.items_of(found)]}


@router.get("/inspections/{int:inspection_id}", response={200: PropertyInspectionOut, **ERRORS}, summary="物业监督巡查记录")
def inspection(request, inspection_id: int):
    return _inspection(selectors.inspection_for(request.user, inspection_id))
