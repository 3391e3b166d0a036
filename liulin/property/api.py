"""物业监督 API (/api/v1/property): contracts and their scope, satisfaction surveys with their
results, a household's answer, the survey's steps, and supervisors' inspections. Errors are
{detail, code}."""

from ninja import Router
from ninja.responses import Status

from liulin.core.errors import Invalid
from liulin.core.schemas import ERRORS

from . import selectors, services
from .schemas import (
    PropertyAnswerIn,
    PropertyContractOut,
    PropertyInspectionOut,
    PropertyResponseOut,
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


@router.get("/contracts/{int:contract_id}", response={200: PropertyContractOut, **ERRORS}, summary="物业服务合同及服务事项")
def contract(request, contract_id: int):
    return _contract(selectors.contract_for(request.user, contract_id), with_items=True)


@router.get("/surveys", response=list[PropertySurveyOut], summary="我可查看的满意度测评")
def surveys(request):
    return [_survey(request.user, s) for s in selectors.surveys_for(request.user)[:200]]


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


@router.get("/inspections/{int:inspection_id}", response={200: PropertyInspectionOut, **ERRORS}, summary="物业监督巡查记录")
def inspection(request, inspection_id: int):
    found = selectors.inspection_for(request.user, inspection_id)
    return {"id": found.pk, "estate_id": found.estate_id, "estate_name": found.estate.name,
            "company_name": found.contract.company.name, "at": found.at, "notes": found.notes,
            "items": [{"id": i.pk, "scope_item": i.scope_item.name, "passed": i.passed, "note": i.note,
                       "work_order_number": i.work_order_number, "work_order_state": i.work_order_state}
                      for i in selectors.items_of(found)]}
