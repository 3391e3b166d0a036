"""Party-building API (/api/v1/partybuilding): the lists scoped to the caller, the steps of
each state table, the figures; and the public wish list of a community without login."""

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core.errors import Invalid, NotFound
from liulin.core.permissions import has_perm_anywhere
from liulin.core.schemas import ERRORS
from liulin.orgs.models import Organisation
from liulin.territory.models import Area

from . import selectors, services
from .schemas import (
    AssignIn,
    ClaimIn,
    EvaluationIn,
    EvaluationOut,
    FiguresOut,
    NeedIn,
    NeedOut,
    ProjectOut,
    RegistrationIn,
    RegistrationOut,
    ServiceOut,
    StepIn,
    StoryIn,
    WishIn,
    WishOut,
)

router = Router(tags=["partybuilding"])


def _community(user, community_id, perm):
    """A community the caller works in (or lives in) for a new record; the service checks
    the scope again on the saved row."""
    if not has_perm_anywhere(user, perm):
        raise NotFound("找不到该社区。")
    area = Area.objects.filter(pk=community_id, kind=Area.Kind.COMMUNITY).first()
    if area is None:
        raise NotFound("找不到该社区。")
    return area


@router.get("/needs", response=list[NeedOut], summary="需求清单")
@paginate
def need_list(request, state: str | None = None):
    return selectors.needs_for(request.user, state=state)


@router.post("/needs", response={201: NeedOut}, summary="登记需求")
def need_raise(request, payload: NeedIn):
    community = _community(request.user, payload.community_id, "partybuilding.need_raise")
    need = services.raise_need(actor=request.user, community=community, grid=selectors.grid_of(request.user, community),
                               title=payload.title, category=payload.category, description=payload.description)
    return Status(201, need)


@router.post("/needs/from-ticket/{int:ticket_id}", response={201: NeedOut}, summary="由雷锋哨工单登记需求（保留工单链接）")
def need_from_ticket(request, ticket_id: int):
    from django.apps import apps

    ticket = apps.get_model("whistle", "Ticket").objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("找不到该工单，或您无权查看。")
    return Status(201, services.raise_need_from_ticket(actor=request.user, ticket=ticket))


@router.get("/needs/{int:need_id}", response=NeedOut, summary="需求详情")
def need_detail(request, need_id: int):
    return selectors.need_for(request.user, need_id)


@router.post("/needs/{int:need_id}/claim", response={201: ProjectOut}, summary="共建单位认领需求")
def need_claim(request, need_id: int, payload: ClaimIn):
    need = selectors.need_for(request.user, need_id)
    return Status(201, services.claim_need(actor=request.user, need=need, **payload.dict()))


@router.post("/needs/{int:need_id}/assign", response={201: ProjectOut}, summary="社区派给共建单位资源")
def need_assign(request, need_id: int, payload: AssignIn):
    need = selectors.need_for(request.user, need_id)
    data = payload.dict()
    resource = selectors.resource_for(request.user, data.pop("resource_id"))
    return Status(201, services.assign_resource(actor=request.user, need=need, resource=resource, **data))


@router.post("/needs/{int:need_id}/withdraw", response=NeedOut, summary="撤回需求")
def need_withdraw(request, need_id: int, payload: StepIn):
    return services.withdraw_need(actor=request.user, need=selectors.need_for(request.user, need_id), reason=payload.reason)


@router.get("/projects", response=list[ProjectOut], summary="项目清单")
@paginate
def project_list(request, state: str | None = None):
    return selectors.projects_for(request.user, state=state)


@router.post("/projects/{int:project_id}/steps", response=ProjectOut, summary="项目步骤：开始、提交完成、确认、退回、取消")
def project_step(request, project_id: int, payload: StepIn):
    project = selectors.project_for(request.user, project_id)
    return services.project_step(actor=request.user, project=project, action=payload.action, reason=payload.reason)


@router.post("/projects/{int:project_id}/join", response=ProjectOut, summary="报到党员认领项目任务")
def project_join(request, project_id: int):
    from .models import Project

    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise NotFound("找不到该项目。")
    return services.join_project(actor=request.user, project=project)


@router.get("/wishes", response=list[WishOut], summary="微心愿（按角色范围）")
@paginate
def wish_list(request, state: str | None = None):
    return selectors.wishes_for(request.user, state=state)


@router.post("/wishes", response={201: WishOut}, summary="收集微心愿")
def wish_collect(request, payload: WishIn):
    community = _community(request.user, payload.community_id, "partybuilding.wish_collect")
    data = payload.dict()
    data.pop("community_id")
    return Status(201, services.collect_wish(actor=request.user, community=community, grid=selectors.grid_of(request.user, community),
                                             **data))


@router.get("/wishes/{int:wish_id}", response=WishOut, summary="微心愿详情")
def wish_detail(request, wish_id: int):
    return selectors.wish_for(request.user, wish_id)


@router.post("/wishes/{int:wish_id}/steps", response=WishOut, summary="心愿步骤：审核发布、不通过、撤回")
def wish_step(request, wish_id: int, payload: StepIn):
    wish = selectors.wish_for(request.user, wish_id)
    return services.wish_step(actor=request.user, wish=wish, action=payload.action, reason=payload.reason)


@router.post("/wishes/{int:wish_id}/claim", response=WishOut, summary="报到党员认领心愿")
def wish_claim(request, wish_id: int):
    from .models import Wish

    wish = Wish.objects.filter(pk=wish_id, state__in=selectors.PUBLIC_WISH_STATES).first()
    if wish is None:
        raise NotFound("找不到该心愿。")
    return services.claim_wish(actor=request.user, wish=wish)


@router.post("/wishes/{int:wish_id}/confirm", response=WishOut, summary="心愿人（或网格员）确认实现")
def wish_confirm(request, wish_id: int, payload: StoryIn):
    wish = selectors.wish_for(request.user, wish_id)
    return services.confirm_wish(actor=request.user, wish=wish, story=payload.story)


@router.get("/public/{int:community_id}/wishes", response=list[WishOut], auth=None, summary="公开的微心愿超市（不含个人信息）")
@paginate
def public_wishes(request, community_id: int, kind: str | None = None):
    community = get_object_or_404(Area, pk=community_id, kind=Area.Kind.COMMUNITY)
    return selectors.public_wishes(community, kind=kind)


@router.get("/registrations", response=list[RegistrationOut], summary="在职党员报到")
@paginate
def registration_list(request, state: str | None = None):
    return selectors.registrations_for(request.user, state=state)


@router.post("/registrations", response={201: RegistrationOut}, summary="在职党员向居住社区报到")
def registration_create(request, payload: RegistrationIn):
    org = Organisation.objects.filter(pk=payload.org_id).first()
    if org is None:
        raise Invalid("请选择您所在单位的党组织（共建单位）。", code="not_a_partner_unit", field="org_id")
    return Status(201, services.register_member(actor=request.user, org=org, posts=payload.posts))


@router.post("/registrations/{int:registration_id}/steps", response=RegistrationOut, summary="报到步骤：单位确认、不予确认、退出")
def registration_step(request, registration_id: int, payload: StepIn):
    registration = selectors.registration_for(request.user, registration_id)
    return services.registration_step(actor=request.user, registration=registration, action=payload.action, reason=payload.reason)


@router.get("/evaluations", response={200: list[EvaluationOut], **ERRORS}, summary="在职党员年度评议（按角色范围）")
@paginate
def evaluation_list(request, year: int | None = None, registration_id: int | None = None):
    return selectors.evaluations_for(request.user, year=year, registration_id=registration_id)


@router.post("/evaluations", response={201: EvaluationOut, **ERRORS}, summary="社区对在职党员的年度评议（每人每年一次）")
def evaluation_create(request, payload: EvaluationIn):
    registration = selectors.registration_for(request.user, payload.registration_id)
    return Status(201, services.evaluate_member(actor=request.user, registration=registration, year=payload.year,
                                                grade=payload.grade, comment=payload.comment))


@router.get("/services", response=list[ServiceOut], summary="党员服务记录")
@paginate
def service_list(request, state: str | None = None):
    return selectors.services_for(request.user, state=state)


@router.post("/services/{int:service_id}/steps", response=ServiceOut, summary="服务确认或不予确认")
def service_step(request, service_id: int, payload: StepIn):
    record = selectors.service_for(request.user, service_id)
    return services.service_step(actor=request.user, record=record, action=payload.action, reason=payload.reason)


@router.get("/figures", response=FiguresOut, summary="党建惠邻数据（由记录计算）")
def figures(request, year: int | None = None):
    if year is not None and not 2000 <= year <= 2999:
        raise Invalid("年度不正确。", code="invalid_year", field="year")
    f = selectors.figures(request.user, year=year)
    return {
        "needs_open": f["needs"]["open"], "needs_matched": f["needs"]["matched"], "needs_met": f["needs"]["met"],
        "wishes_total": f["wishes"]["total"], "wishes_fulfilled": f["wishes"]["fulfilled"], "wishes_waiting": f["wishes"]["waiting"],
        "hours_by_unit": [{"name": r["org__name"], "hours": r["hours"], "count": r["count"]} for r in f["hours_by_unit"]],
        "hours_by_member": [{"name": r["registration__name"], "org_name": r["org__name"], "hours": r["hours"], "count": r["count"]}
                            for r in f["hours_by_member"]],
        "activities_by_kind": f["activities_by_kind"], "activities_by_month": f["activities_by_month"],
    }
