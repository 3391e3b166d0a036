"""Resident registry API (/api/v1/people): scoped to the caller, masked by default."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Router
from ninja.pagination import paginate

from . import selectors, services
from .schemas import IdCheckIn, IdCheckOut, ResidentOut, RevealIn, RevealOut

router = Router(tags=["people"])


def _no_store(response):
    # Personal data must not stay in a browser or proxy cache.
    patch_cache_control(response, no_store=True, private=True)


@router.get("/residents", response=list[ResidentOut], summary="居民列表（可按姓名、拼音首字母、手机尾号、地址搜索）")
@paginate
def resident_list(request, response: HttpResponse, q: str = ""):
    _no_store(response)
    return selectors.search_residents(request.user, q[:64])


@router.get("/residents/{int:resident_id}", response=ResidentOut, summary="居民详情（脱敏）")
def resident_detail(request, response: HttpResponse, resident_id: int):
    _no_store(response)
    return selectors.resident_for(request.user, resident_id)


@router.post("/residents/{int:resident_id}/reveal", response=RevealOut, summary="查看完整手机号或身份证号（需权限与原因，留痕）")
def resident_reveal(request, response: HttpResponse, resident_id: int, payload: RevealIn):
    _no_store(response)
    resident = selectors.resident_for(request.user, resident_id)
    value = services.reveal(actor=request.user, resident=resident, field=payload.field, reason=payload.reason)
    return {"value": value}


@router.post(
    "/residents/{int:resident_id}/check-id",
    response=IdCheckOut,
    summary="核对居民提供的身份证号是否与登记一致（只答一致或不一致，留痕，限次）",
)
def resident_check_id(request, response: HttpResponse, resident_id: int, payload: IdCheckIn):
    _no_store(response)
    resident = selectors.resident_for(request.user, resident_id)
    return {"match": services.check_id_number(actor=request.user, resident=resident, id_number=payload.id_number)}
