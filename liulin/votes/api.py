"""Votes API (/api/v1/votes): the committee sets up and runs a vote, owners vote and check
their receipts, staff enter counter and paper ballots, anyone who sees a counted vote downloads
its record. Lists and details are scoped (selectors); errors are {detail, code}."""

from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from liulin.core.errors import Invalid, NotFound
from liulin.core.permissions import get_or_404
from liulin.core.schemas import ERRORS
from liulin.orgs.models import Organisation

from . import importing, presenters, publication, selectors, services
from .schemas import (
    ActIn,
    CounterIn,
    OwnerBallotIn,
    OwnersVoteIn,
    PaperIn,
    PaperOut,
    ProxyBallotIn,
    ProxyOut,
    ReceiptCheckIn,
    ReceiptCheckOut,
    ReceiptOut,
    RegisterPlanOut,
    ResultOut,
    RollEntryOut,
    ServiceIn,
    VoteDetailOut,
    VoteFiguresOut,
    VoteOut,
)
from .workflow import WORKFLOW

router = Router(tags=["votes"])


@router.get("", response={200: list[VoteOut], **ERRORS}, summary="业主表决列表（委员会、社区看本辖区；业主看本小区已公告的）")
def vote_list(request):
    return list(selectors.votes_for(request.user)[:200])


@router.post("", response={201: VoteDetailOut, **ERRORS}, summary="业主委员会草拟表决")
def vote_create(request, payload: OwnersVoteIn):
    committee = get_or_404(request.user, Organisation.objects.all(), "orgs.view", pk=payload.committee_id)
    vote = services.create_vote(actor=request.user, committee=committee, title=payload.title, matter=payload.matter,
                                opens_at=payload.opens_at, closes_at=payload.closes_at, description=payload.description)
    return Status(201, presenters.detail(request.user, vote))


@router.get("/{int:vote_id}", response={200: VoteDetailOut, **ERRORS}, summary="表决详情（含调用者的房屋与已投的票）")
def vote_detail(request, vote_id: int):
    return presenters.detail(request.user, selectors.vote_for(request.user, vote_id))


@router.post("/{int:vote_id}/actions/{action}", response={200: VoteDetailOut, **ERRORS}, summary="按状态表推进表决")
def vote_act(request, vote_id: int, action: str, payload: ActIn):
    vote = selectors.vote_for(request.user, vote_id)
    if action not in WORKFLOW.transitions:
        raise NotFound(_("没有这个动作。"), code="unknown_action")
    services.act(actor=request.user, vote=vote, action=action, reason=payload.reason)
    return presenters.detail(request.user, vote)


@router.post("/{int:vote_id}/ballot", response={201: ReceiptOut, **ERRORS}, summary="业主在线投票（为名册上本人全部房屋投一票）")
def ballot_online(request, vote_id: int, payload: OwnerBallotIn):
    vote = selectors.vote_for(request.user, vote_id)
    return Status(201, {"receipt_code": services.cast_online(actor=request.user, vote=vote, choice=payload.choice)})


@router.post("/{int:vote_id}/counter", response={201: ReceiptOut, **ERRORS}, summary="柜台投票（工作人员核验证件后录入）")
def ballot_counter(request, vote_id: int, payload: CounterIn):
    vote = selectors.vote_for(request.user, vote_id)
    owner = selectors.roll_owner(vote, payload.owner_id)
    code = services.cast_counter(actor=request.user, vote=vote, owner=owner, choice=payload.choice, id_checked=payload.id_checked)
    return Status(201, {"receipt_code": code})


@router.post("/{int:vote_id}/paper", response={201: PaperOut, **ERRORS}, summary="纸质票录入（须两名工作人员分别录入一致）")
def ballot_paper(request, vote_id: int, payload: PaperIn):
    vote = selectors.vote_for(request.user, vote_id)
    owner = selectors.roll_owner(vote, payload.owner_id)
    status = services.enter_paper(actor=request.user, vote=vote, owner=owner, choice=payload.choice,
                                  receipt_code=payload.receipt_code)
    return Status(201, {"status": status})


@router.post("/{int:vote_id}/paper/resolve", response={201: PaperOut, **ERRORS}, summary="纸质票录入不一致时由第三人核对原票裁定")
def ballot_paper_resolve(request, vote_id: int, payload: PaperIn):
    vote = selectors.vote_for(request.user, vote_id)
    owner = selectors.roll_owner(vote, payload.owner_id)
    status = services.resolve_paper(actor=request.user, vote=vote, owner=owner, choice=payload.choice,
                                    receipt_code=payload.receipt_code)
    return Status(201, {"status": status})


@router.post("/{int:vote_id}/service", response={201: None, **ERRORS}, summary="登记表决票已送达某业主")
def service_record(request, vote_id: int, payload: ServiceIn):
    vote = selectors.vote_for(request.user, vote_id)
    services.record_service(actor=request.user, vote=vote, owner=selectors.roll_owner(vote, payload.owner_id), how=payload.how)
    return Status(201, None)


@router.get("/{int:vote_id}/roll", response={200: list[RollEntryOut], **ERRORS}, summary="名册检索（按房号；姓名脱敏；工作人员）")
def roll(request, vote_id: int, q: str = ""):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_clerk(request.user, vote)
    return [presenters.roll_entry(e) for e in selectors.roll_search(vote, q[:64])]


@router.get("/{int:vote_id}/participation", response={200: VoteFiguresOut, **ERRORS}, summary="实时参与情况（面积与人数，对照法定比例）")
def participation(request, vote_id: int):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_staff(request.user, vote)
    found = selectors.participation(vote)
    return VoteFiguresOut.from_tally(found["figures"], found["decision"])


@router.get("/{int:vote_id}/result", response={200: ResultOut, **ERRORS}, summary="计票结果：严格口径与议事规则口径并列")
def result(request, vote_id: int):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_result(vote)
    found = selectors.result(vote)
    return {"strict": VoteFiguresOut.from_tally(found["strict"], found["strict_decision"]),
            "rules": VoteFiguresOut.from_tally(found["rules"], found["rules_decision"]),
            "silent_served_area_cm2": found["silent_served"][0], "silent_served_owners": found["silent_served"][1]}


@router.post("/{int:vote_id}/receipt", response={200: ReceiptCheckOut, **ERRORS}, summary="凭回执码核对本人的票是否按所投计入")
def receipt_check(request, vote_id: int, payload: ReceiptCheckIn):
    vote = selectors.vote_for(request.user, vote_id)
    return presenters.receipt(vote, payload.code)


@router.get("/{int:vote_id}/record", response={200: dict, **ERRORS}, summary="下载公开投票记录（哈希链 + 计票，可用 verify_vote 复核）")
def record(request, vote_id: int):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_result(vote)
    return publication.export(vote)


@router.get("/{int:vote_id}/proxies", response={200: list[ProxyOut], **ERRORS}, summary="有效委托（工作人员看全部；业主与受托人看自己的）")
def proxy_list(request, vote_id: int):
    return list(selectors.proxies_for(request.user, selectors.vote_for(request.user, vote_id)))


@router.post("/{int:vote_id}/proxies", response={201: ProxyOut, **ERRORS}, summary="登记书面委托（上传签字的委托书，PDF 或照片）")
def proxy_register(request, vote_id: int, owner_id: Form[int], holder_mobile: Form[str], document: File[UploadedFile]):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_clerk(request.user, vote)
    holder = selectors.holder_by_mobile(holder_mobile[:11])
    if holder is None:
        raise Invalid(_("受托人须先注册账号。"), code="invalid_holder", field="holder_mobile")
    proxy = services.register_proxy(actor=request.user, vote=vote, owner=selectors.roll_owner(vote, owner_id), holder=holder,
                                    document=document)
    return Status(201, proxy)


@router.post("/proxies/{int:proxy_id}/revoke", response={204: None, **ERRORS}, summary="撤销委托（业主本人或工作人员）")
def proxy_revoke(request, proxy_id: int):
    services.revoke_proxy(actor=request.user, proxy=selectors.proxy_for(request.user, proxy_id))
    return Status(204, None)


@router.post("/{int:vote_id}/proxy-ballot", response={201: ReceiptOut, **ERRORS}, summary="受托人代业主投票")
def ballot_proxy(request, vote_id: int, payload: ProxyBallotIn):
    vote = selectors.vote_for(request.user, vote_id)
    owner = selectors.held_owner(request.user, vote, payload.owner_id)
    return Status(201, {"receipt_code": services.cast_as_proxy(actor=request.user, vote=vote, owner=owner, choice=payload.choice)})


@router.post("/registers/{int:estate_id}/import", response={200: RegisterPlanOut, **ERRORS},
             summary="导入业主名册（xlsx）；commit=false 为试导入，只检查不写入")
def register_import(request, estate_id: int, file: File[UploadedFile], commit: Form[bool] = False):
    estate = selectors.register_estate(request.user, estate_id)
    plan = importing.plan_register(importing.read_upload(file), estate=estate)
    if commit:
        importing.commit_register(actor=request.user, plan=plan)
    return {"committed": commit, "units": len(plan.rows), "total_area_cm2": plan.total_area_cm2, "owners": plan.heads,
            "owners_by_kind": plan.heads_by_kind, "new_units": plan.new_units, "changed_units": plan.changed_units,
            "unchanged_units": plan.unchanged_units, "untouched_units": plan.untouched_units, "new_owners": plan.new_owners,
            "changed_owners": plan.changed_owners, "reassigned_units": plan.reassigned_units,
            "after_units": plan.after_units, "after_area_cm2": plan.after_area_cm2, "after_owners": plan.after_owners,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in plan.errors]}
