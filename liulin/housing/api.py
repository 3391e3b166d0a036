"""Housing API (/api/v1/housing): rounds and their steps (close, 公示, the list's hash, the
draw), applications with their document checklist, the review, the published ranks (ids
only, public), offers, leases, invoices, arrears and inspections. Every read goes through a
scoped selector; errors are {detail, code}."""

from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from liulin.core import clock
from liulin.core import lottery as public_lottery
from liulin.core.errors import Invalid, NotFound, NotPermitted
from liulin.core.permissions import get_or_404
from liulin.core.schemas import ERRORS
from liulin.people.models import Resident

from . import selectors, services
from .schemas import (
    HousingApplicationOut,
    HousingApplyIn,
    HousingArrearsOut,
    HousingDrawOut,
    HousingInspectionIn,
    HousingInspectionOut,
    HousingInvoiceOut,
    HousingLeaseActionIn,
    HousingLeaseOut,
    HousingOfferOut,
    HousingReasonIn,
    HousingRenewalRequestIn,
    HousingRenewalRequestOut,
    HousingRoundActionIn,
    HousingRoundDetailOut,
    HousingRoundIn,
    HousingRoundOut,
)

router = Router(tags=["housing"])


def _round(round_, detail=False):
    out = {f: getattr(round_, f) for f in ("id", "community_id", "title", "state", "notice_id",
                                           "list_hash", "list_published_at", "offer_days")}
    if detail:
        out["rules"] = [{"key": r.key, "label": r.label, "kind": r.kind, "limit": r.limit, "document": r.document}
                        for r in round_.rules.all()]
        out["tiers"] = [{"code": t.code, "label": t.label, "group": t.group} for t in round_.tiers.all()]
    return out


def _application(a):
    return {
        "id": a.pk, "round_id": a.round_id, "applicant_id": a.applicant_id, "state": a.state, "tier": a.tier.code,
        "answers": a.answers, "reason": a.reason, "submitted_at": a.submitted_at, "rank": a.rank,
        "offered_apartment": a.offered_apartment.number if a.offered_apartment_id else None, "offer_deadline": a.offer_deadline,
        "documents": [{"rule_key": d.rule.key, "document": d.rule.document, "provided": d.provided} for d in a.documents.all()],
    }


def _lease(lease):
    return {
        "id": lease.pk, "apartment_id": lease.apartment_id, "apartment": lease.apartment.number, "application_id": lease.application_id,
        "tenant_id": lease.tenant_id, "previous_id": lease.previous_id, "state": lease.state, "starts_on": lease.starts_on,
        "term_months": lease.term_months, "ends_on": lease.ends_on, "rent_fen": lease.rent_fen, "deposit_fen": lease.deposit_fen,
        "reason": lease.reason, "renewal_opens_on": services.renewal_opens_on(lease),
        "in_renewal_window": lease.state == "active" and services.in_renewal_window(lease, clock.today()),
    }


def _must_manage(user, obj):
    if not selectors.manages(user, obj):
        raise NotFound(_(services.NOT_FOUND))


# --- rounds -----------------------------------------------------------------------------------


@router.get("/rounds", response=list[HousingRoundOut], summary="我可查看的申请批次（辖区或本人所在社区）")
def rounds(request):
    return [_round(r) for r in selectors.rounds_for(request.user)[:200]]


@router.post("/rounds", response={201: HousingRoundDetailOut, **ERRORS}, summary="新建申请批次：申请条件与人才层次作为数据，逐行校验")
def create_round(request, payload: HousingRoundIn):
    communities = selectors.communities_for_rounds(request.user)
    if payload.community_id is not None:
        community = communities.filter(pk=payload.community_id).first()
        if community is None:
            raise NotFound(_(services.NOT_FOUND))
    else:
        found = list(communities[:2])
        if not found:
            raise NotPermitted(_("您的角色不能新建申请批次。"))
        if len(found) > 1:
            raise Invalid(_("请指定社区（community_id）。"), code="community_required", field="community_id")
        community = found[0]
    round_ = services.create_round(
        actor=request.user, community=community, title=payload.title, offer_days=payload.offer_days,
        rules=[(r.key, r.label, r.kind, r.limit, r.document) for r in payload.rules],
        tiers=[(t.code, t.label, t.group) for t in payload.tiers],
    )
    return Status(201, _round(selectors.round_for(request.user, round_.pk), detail=True))


@router.get("/rounds/{int:round_id}", response=HousingRoundDetailOut, summary="批次详情：申请条件与人才层次")
def round_detail(request, round_id: int):
    return _round(selectors.round_for(request.user, round_id), detail=True)


@router.post("/rounds/{int:round_id}/actions/{action}", response={200: HousingRoundOut, **ERRORS},
             summary="截止受理、公示、确定名单（公布哈希）、摇号、重新摇号")
def round_act(request, round_id: int, action: str, payload: HousingRoundActionIn):
    round_ = selectors.round_for(request.user, round_id)
    done = services.act_on_round(actor=request.user, round=round_, action=action, reason=payload.reason,
                                 public_value=payload.public_value)
    return _round(done)


@router.post("/rounds/{int:round_id}/offers", response={200: list[HousingOfferOut], **ERRORS}, summary="按轮候顺序通知选房")
def make_offers(request, round_id: int):
    round_ = selectors.round_for(request.user, round_id)
    _must_manage(request.user, round_)
    made = {a.pk for a, _apartment in services.make_offers(round=round_, actor=request.user)}
    return [{"application_id": a.pk, "apartment": a.offered_apartment.number, "deadline": a.offer_deadline}
            for a in selectors.offers(round_) if a.pk in made]


@router.get("/rounds/{int:round_id}/applications", response=list[HousingApplicationOut],
            summary="批次的申请（工作人员：全部；居民：本人的）")
def round_applications(request, round_id: int, state: str = ""):
    round_ = selectors.round_for(request.user, round_id)
    rows = selectors.applications_for(request.user).filter(round=round_).select_related("tier", "offered_apartment") \
        .prefetch_related("documents__rule").order_by("id")
    if state:
        rows = rows.filter(state=state)
    return [_application(a) for a in rows[:500]]


@router.post("/rounds/{int:round_id}/applications", response={201: HousingApplicationOut, **ERRORS},
             summary="提交申请（本人，或工作人员窗口代办）")
def apply(request, round_id: int, payload: HousingApplyIn):
    round_ = selectors.round_for(request.user, round_id)
    if payload.applicant_id is not None:
        applicant = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.applicant_id)
    else:
        applicant = getattr(request.user, "resident", None)
        if applicant is None:
            raise NotFound(_("您的账号未关联居民信息。"), code="no_resident")
    application = services.submit_application(actor=request.user, round=round_, applicant=applicant, tier=payload.tier,
                                              answers=payload.answers)
    return Status(201, _application(selectors.application_for(request.user, application.pk)))


@router.get("/rounds/{int:round_id}/ranks", response={200: HousingDrawOut, **ERRORS}, auth=None,
            summary="公开的摇号结果：输入、种子与名次（只有编号，无姓名；任何人可复算）")
def ranks(request, round_id: int):
    round_ = selectors.published_round(round_id)
    draw = selectors.current_draw(round_)
    if draw is None:
        raise NotFound(_(services.NOT_FOUND))
    return {"round_id": round_.pk, "algorithm": draw.algorithm, "public_value": draw.public_value, "list_hash": draw.list_hash,
            "seed": draw.seed, "drawn_at": draw.drawn_at, "rerun_reason": draw.rerun_reason,
            "ranks": [{"rank": i, "application_id": pk, "applicant_id": person, "group": group,
                       "lot": public_lottery.lot(draw.seed, pk)} for i, (pk, person, group) in enumerate(draw.ranks, start=1)]}


# --- applications -----------------------------------------------------------------------------


@router.get("/applications/mine", response=list[HousingApplicationOut], summary="我的申请")
def mine(request):
    return [_application(a) for a in selectors.my_applications(request.user).prefetch_related("documents__rule")]


@router.get("/applications/{int:application_id}", response=HousingApplicationOut, summary="申请详情：状态、名次、选房通知、材料清单")
def application_detail(request, application_id: int):
    return _application(selectors.application_for(request.user, application_id))


@router.post("/applications/{int:application_id}/actions/{action}", response={200: HousingApplicationOut, **ERRORS},
             summary="审核通过、不予通过、退回、重新提交、撤回、接受或放弃选房")
def application_act(request, application_id: int, action: str, payload: HousingReasonIn):
    application = selectors.application_for(request.user, application_id)
    services.act_on_application(actor=request.user, application=application, action=action, reason=payload.reason)
    return _application(selectors.application_for(request.user, application_id))


@router.post("/applications/{int:application_id}/documents/{rule_key}", response={200: HousingApplicationOut, **ERRORS},
             summary="上传材料清单中的一项证明（图片或 PDF）")
def upload_document(request, application_id: int, rule_key: str, file: File[UploadedFile]):
    application = selectors.application_for(request.user, application_id)
    services.provide_document(actor=request.user, application=application, rule_key=rule_key, upload=file)
    return _application(selectors.application_for(request.user, application_id))


# --- leases, invoices, inspections ------------------------------------------------------------


@router.get("/leases", response=list[HousingLeaseOut], summary="租赁合同（工作人员：辖区；居民：本人的）")
def leases(request):
    return [_lease(lease) for lease in selectors.leases_for(request.user).select_related("apartment").order_by("-id")[:500]]


@router.get("/leases/{int:lease_id}", response=HousingLeaseOut, summary="合同详情")
def lease_detail(request, lease_id: int):
    return _lease(selectors.lease_for(request.user, lease_id))


@router.post("/leases/{int:lease_id}/actions/{action}", response={200: HousingLeaseOut, **ERRORS},
             summary="签约、取消、续租（复核资格）、退租、解除")
def lease_act(request, lease_id: int, action: str, payload: HousingLeaseActionIn):
    lease = selectors.lease_for(request.user, lease_id)
    done = services.act_on_lease(actor=request.user, lease=lease, action=action, reason=payload.reason, answers=payload.answers,
                                 term_months=payload.term_months)
    return _lease(selectors.lease_for(request.user, done.pk))


@router.get("/leases/{int:lease_id}/renewal-requests", response=list[HousingRenewalRequestOut], summary="合同的续租申请（新者在前）")
def renewal_requests(request, lease_id: int):
    return selectors.renewal_requests(selectors.lease_for(request.user, lease_id))


@router.post("/leases/{int:lease_id}/renewal-requests", response={201: HousingRenewalRequestOut, **ERRORS},
             summary="承租人在续租期内申请续租（按批次规则申报目前的情况）")
def request_renewal(request, lease_id: int, payload: HousingRenewalRequestIn):
    lease = selectors.lease_for(request.user, lease_id)
    return Status(201, services.request_renewal(actor=request.user, lease=lease, answers=payload.answers,
                                                term_months=payload.term_months))


@router.post("/renewal-requests/{int:request_id}/actions/{action}", response={200: HousingRenewalRequestOut, **ERRORS},
             summary="不予续租（工作人员，须填原因）或撤回续租申请（承租人）；续租本身是合同的 renew")
def renewal_request_act(request, request_id: int, action: str, payload: HousingReasonIn):
    found = selectors.renewal_request_for(request.user, request_id)
    services.act_on_renewal_request(actor=request.user, request=found, action=action, reason=payload.reason)
    return selectors.renewal_request_for(request.user, request_id)


@router.get("/leases/{int:lease_id}/invoices", response=list[HousingInvoiceOut], summary="合同的租金账单")
def lease_invoices(request, lease_id: int):
    return selectors.invoices(selectors.lease_for(request.user, lease_id))


@router.post("/invoices/{int:invoice_id}/pay", response={200: HousingInvoiceOut, **ERRORS}, summary="登记缴费")
def pay(request, invoice_id: int):
    return services.pay_invoice(actor=request.user, invoice=selectors.invoice_for(request.user, invoice_id))


@router.get("/arrears", response=list[HousingArrearsOut], summary="欠租（辖区内，逾期未缴的月数）")
def arrears(request):
    return [{"lease_id": lease.pk, "apartment": lease.apartment.number, "months": months}
            for lease, months in selectors.arrears_for(request.user)]


@router.get("/leases/{int:lease_id}/inspections", response=list[HousingInspectionOut], summary="验房记录与问题（含维修工单进度）")
def inspections(request, lease_id: int):
    return [_inspection(x) for x in selectors.inspections(selectors.lease_for(request.user, lease_id))]


@router.post("/leases/{int:lease_id}/inspections", response={201: HousingInspectionOut, **ERRORS},
             summary="记录验房；每个问题转为一张雷锋哨维修工单")
def inspect(request, lease_id: int, payload: HousingInspectionIn):
    lease = selectors.lease_for(request.user, lease_id)
    done = services.record_inspection(actor=request.user, lease=lease, kind=payload.kind, notes=payload.notes,
                                      defects=[(d, []) for d in payload.defects], category=payload.category)
    return Status(201, _inspection(next(x for x in selectors.inspections(lease) if x.pk == done.pk)))


def _inspection(x):
    return {"id": x.pk, "lease_id": x.lease_id, "kind": x.kind, "at": x.at, "notes": x.notes,
            "defects": [{"id": d.pk, "description": d.description, "work_order_number": d.work_order_number,
                         "work_order_state": d.work_order_state} for d in x.defects.all()]}

