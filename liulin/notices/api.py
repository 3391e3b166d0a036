"""公示 API (/api/v1/notices): notices with their versions, actions, corrections, objections
and answers, and the per-household receipts. Reads through the selectors, writes through the
services; errors {detail, code}."""

from django.utils.translation import gettext
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core.errors import NotFound
from liulin.core.permissions import NOT_FOUND
from liulin.core.schemas import ERRORS

from . import selectors, services
from .schemas import (
    CorrectionIn,
    NoticeIn,
    NoticeOut,
    NoticesActionIn,
    NoticesAnswerIn,
    NoticesItemOut,
    NoticesObjectionIn,
    NoticesObjectionOut,
    NoticesPhotoOut,
    NoticesReceiptOut,
)

router = Router(tags=["notices"])


def _one(queryset, pk, **lookup):
    found = queryset.filter(pk=pk, **lookup).first() if pk is not None else queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(gettext(NOT_FOUND))
    return found


@router.get("/", response={200: list[NoticeOut], **ERRORS}, summary="公示（居民只见本社区已发布的）")
@paginate
def notice_list(request):
    return selectors.notices_for(request.user).prefetch_related("versions")


@router.post("/", response={201: NoticeOut, **ERRORS}, summary="新建公示草稿")
def notice_create(request, payload: NoticeIn):
    community = _one(selectors.communities_for_publishing(request.user), payload.community_id)
    kind = _one(selectors.kinds(), None, code=payload.kind)
    notice = services.create_notice(actor=request.user, community=community, kind=kind, title=payload.title, body=payload.body)
    return Status(201, selectors.notice_for(request.user, notice.pk))


@router.get("/{int:notice_id}", response={200: NoticeOut, **ERRORS}, summary="公示详情与各版本")
def notice_detail(request, notice_id: int):
    return selectors.notice_for(request.user, notice_id)


@router.post("/{int:notice_id}/actions/{action}", response={200: NoticeOut, **ERRORS},
             summary="publish 发布（公示期起算）；discard 作废草稿；finalise 期满且异议均已答复后办结")
def notice_act(request, notice_id: int, action: str, payload: NoticesActionIn):
    services.act(actor=request.user, notice=selectors.notice_for(request.user, notice_id), action=action, reason=payload.reason)
    return selectors.notice_for(request.user, notice_id)


@router.post("/{int:notice_id}/corrections", response={201: NoticeOut, **ERRORS}, summary="更正：发布新版本，旧版本保留，公示期重新起算")
def notice_correct(request, notice_id: int, payload: CorrectionIn):
    services.correct(actor=request.user, notice=selectors.notice_for(request.user, notice_id), title=payload.title,
                     body=payload.body, reason=payload.reason)
    return Status(201, selectors.notice_for(request.user, notice_id))


@router.post("/{int:notice_id}/objections", response={201: NoticesObjectionOut, **ERRORS}, summary="公示期内提出异议")
def notice_object(request, notice_id: int, payload: NoticesObjectionIn):
    notice = selectors.notice_for(request.user, notice_id)
    return Status(201, services.object_to(actor=request.user, notice=notice, text=payload.text, item=payload.item))


@router.get("/{int:notice_id}/items", response={200: list[NoticesItemOut], **ERRORS},
            summary="异议可针对的对象（由其他应用发布的公示，如评选的各推荐家庭；为空则针对整条公示）")
def notice_items(request, notice_id: int):
    return [{"ref": ref, "label": label} for ref, label in services.items_of(selectors.notice_for(request.user, notice_id))]


@router.post("/objections/{int:objection_id}/answer", response={200: NoticesObjectionOut, **ERRORS}, summary="答复异议")
def objection_answer(request, objection_id: int, payload: NoticesAnswerIn):
    return services.answer(actor=request.user, objection=selectors.objection_for(request.user, objection_id), text=payload.text,
                           upheld=payload.upheld)


@router.post("/{int:notice_id}/posting-photos", response={201: NoticesPhotoOut, **ERRORS},
             summary="上传公示栏张贴照片（张贴凭证；公示发布后）")
def notice_record_posting(request, notice_id: int, photo: File[UploadedFile]):
    return Status(201, services.record_posting(actor=request.user, notice=selectors.notice_for(request.user, notice_id), upload=photo))


@router.get("/{int:notice_id}/receipts", response={200: list[NoticesReceiptOut], **ERRORS}, summary="送达与阅读回执（居民只见本户）")
@paginate
def notice_receipts(request, notice_id: int):
    return selectors.receipts_of(request.user, selectors.notice_for(request.user, notice_id))
