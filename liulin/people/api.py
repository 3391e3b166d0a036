"""Resident registry API (/api/v1/people): scoped to the caller, masked by default."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core import clock
from liulin.core.errors import Invalid, NotPermitted
from liulin.core.permissions import has_perm_anywhere

from . import proxies, proxy_selectors, proxy_services, selectors, services
from .schemas import (
    IdCheckIn,
    IdCheckOut,
    PeopleProxyEventOut,
    PeopleProxyIn,
    PeopleProxyOut,
    PeopleProxyServiceOut,
    ResidentOut,
    RevealIn,
    RevealOut,
)

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


# --- proxy consents (docs/proxies.md) -----------------------------------------------------------


@router.get("/proxy-services", response=list[PeopleProxyServiceOut], summary="可授权代办的服务")
def proxy_services_list(request):
    return [{"code": s.code, "label": proxies.label_of(s.code)} for s in proxies.services()]


@router.get("/proxies", response=list[PeopleProxyOut], summary="我给出的和授权我的代办授权")
def proxy_list(request, response: HttpResponse):
    _no_store(response)
    given = list(proxy_selectors.given_by(request.user)[:100])
    return given + [p for p in proxy_selectors.held_by(request.user)[:100] if p.pk not in {g.pk for g in given}]


@router.post("/proxies", response={201: PeopleProxyOut}, summary="授权代办人（本人，或工作人员凭书面授权为老人登记）")
def proxy_grant(request, response: HttpResponse, payload: PeopleProxyIn):
    _no_store(response)
    if payload.elder_id is None:
        elder = request.user.resident
        if elder is None:
            raise NotPermitted(gettext("账号未关联居民档案，请联系社区。"), code="no_resident_record")
    else:
        elder = selectors.resident_for(request.user, payload.elder_id)
    proxy_user = get_user_model().objects.filter(mobile=payload.proxy_mobile, is_active=True).first()
    if proxy_user is None:
        raise Invalid(gettext("该手机号还没有账号，请代办人先注册。"), code="proxy_no_account", field="proxy_mobile")
    proxy = proxy_services.grant(actor=request.user, elder=elder, proxy_user=proxy_user, relation=payload.relation,
                                 services=payload.services, valid_until=clock.bounded(payload.valid_until, field="valid_until"),
                                 consent_proof=payload.consent_proof, replace=True)
    return Status(201, proxy_selectors.consent_for(request.user, proxy.pk))


@router.post("/proxies/{int:proxy_id}/revoke", response=PeopleProxyOut, summary="撤回代办授权（老人、代办人本人或工作人员）")
def proxy_revoke(request, response: HttpResponse, proxy_id: int):
    _no_store(response)
    proxy = proxy_selectors.consent_for(request.user, proxy_id)
    proxy_services.revoke(actor=request.user, proxy=proxy)
    return proxy_selectors.consent_for(request.user, proxy_id)


@router.get("/proxies/{int:proxy_id}/events", response=list[PeopleProxyEventOut], summary="一份授权下的全部记录（授权、代办、撤回）")
@paginate
def proxy_events(request, response: HttpResponse, proxy_id: int):
    _no_store(response)
    return proxy_selectors.acts_of(request.user, proxy_selectors.consent_for(request.user, proxy_id))


@router.get("/proxy-acts", response=list[PeopleProxyEventOut], summary="社区代办记录（工作人员，按范围）；居民本人得到别人代他办的事")
@paginate
def proxy_acts(request, response: HttpResponse, service: str = ""):
    _no_store(response)
    if has_perm_anywhere(request.user, "people.proxy_audit"):
        return proxy_selectors.community_acts(request.user, service=service[:32])
    return proxy_selectors.acts_for_me(request.user).filter(action="act")
