"""Writes of proxy consents: grant (the elder herself, or staff at the counter with the signed
form) and revoke (the elder, the proxy stepping down, or staff). A consent is never edited: a
new grant for the same elder and proxy replaces the live one, so the record shows what was
consented to and when. The database keeps one live consent per elder and proxy."""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from liulin.core import audit, calendar, chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.services import Notice, send
from liulin.core.permissions import can
from liulin.core.text import clean_text

from . import proxies
from .models import Proxy, ProxyEvent, ProxyScope

MAX_DAYS = 3 * 366  # a consent lasts at most three years; then the elder confirms it again
PERM_MANAGE = "people.proxy_manage"


def _capacity(actor, elder):
    """"elder" when the elder grants herself, "staff" for staff in scope; else refused."""
    if getattr(actor, "resident_id", None) == elder.pk:
        return "elder"
    if can(actor, PERM_MANAGE, elder):
        return "staff"
    raise NotPermitted(_("只有老人本人或社区工作人员可以登记代办授权。"), code="not_elder_or_staff")


def _clean_services(codes):
    known = {s.code for s in proxies.services()}
    codes = sorted(set(codes or ()))
    if not codes:
        raise Invalid(_("请至少选择一项可代办的服务。"), code="no_services", field="services")
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(_("没有这项服务：%(code)s") % {"code": unknown[0]}, code="unknown_service", field="services")
    return codes


def _clean_until(valid_until, today):
    clock.bounded(valid_until, field="valid_until")
    if valid_until < today:
        raise Invalid(_("有效期不能早于今天。"), code="until_past", field="valid_until")
    if valid_until > today + datetime.timedelta(days=MAX_DAYS):
        raise Invalid(_("授权最长三年，到期后请重新授权。"), code="until_too_far", field="valid_until")
    return valid_until


def _notify(users, consent, text, **params):
    url = reverse("people:proxies")
    send([Notice(kind=proxies.KIND, text=text, params=params, user_id=u, target=consent, url=url) for u in sorted(users) if u])


def grant(*, actor, elder, relation, services, valid_until, proxy_user=None, proxy_resident=None, consent_proof="", replace=False,
          now=None, is_demo=False):
    """Record `elder`'s consent that `proxy_user` (an account) or `proxy_resident` (a registry
    record) acts for her in `services` through `valid_until`. Replaces a live consent between
    the same two when `replace` (an elder changing scopes or date); without it a live one is
    a Conflict (an expired one is always ended). Staff must name the proof (the signed form's number); the elder's own grant
    on her phone is its own proof."""
    now = now or clock.now()
    today = calendar.local_date(now)
    capacity = _capacity(actor, elder)
    if proxy_user is not None:
        if not proxy_user.is_active:
            raise Invalid(_("该账号已停用。"), code="proxy_inactive", field="proxy")
        proxy_resident = proxy_resident or proxy_user.resident
    elif proxy_resident is not None:
        proxy_user = get_user_model().objects.filter(resident=proxy_resident, is_active=True).first()
    else:
        raise Invalid(_("请指定代办人。"), code="proxy_required", field="proxy")
    if (proxy_resident is not None and proxy_resident.pk == elder.pk) or (proxy_user is not None and proxy_user.resident_id == elder.pk):
        raise Invalid(_("不能授权给本人。"), code="proxy_self", field="proxy")
    if relation not in Proxy.Relation.values:
        raise Invalid(_("请选择关系。"), code="invalid_relation", field="relation")
    if relation == Proxy.Relation.GRID_WORKER and proxy_user is None:
        raise Invalid(_("网格员须以账号授权。"), code="grid_worker_account", field="proxy")
    codes = _clean_services(services)
    valid_until = _clean_until(valid_until, today)
    proof = clean_text(consent_proof or "", field="consent_proof").strip()[:200]
    if capacity == "staff" and not proof:
        raise Invalid(_("请填写授权凭证（书面授权书编号等）。"), code="proof_required", field="consent_proof")
    if not proof:
        proof = _("本人登录确认")
    try:
        with transaction.atomic():
            same = Q(proxy_user=proxy_user) if proxy_user is not None else Q(pk__in=[])
            if proxy_resident is not None:
                same |= Q(proxy_resident=proxy_resident)
            for old in Proxy.objects.select_for_update().filter(same, elder=elder, revoked_at__isnull=True):
                reason = Proxy.End.EXPIRED if old.valid_until < today else Proxy.End.REPLACED
                if reason == Proxy.End.REPLACED and not replace:
                    raise Conflict(_("该代办人已有有效授权；如需修改请更新授权。"), code="proxy_exists")
                Proxy.objects.filter(pk=old.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor, end_reason=reason)
                proxies.append_event(old, actor=actor, action="end", now=now, reason=reason)
            proxy = Proxy.objects.create(
                elder=elder, proxy_user=proxy_user, proxy_resident=proxy_resident, relation=relation, valid_until=valid_until,
                consent_proof=proof, recorded_by=actor, granted_at=now, is_demo=is_demo,
            )
            ProxyScope.objects.bulk_create([ProxyScope(proxy=proxy, service=c) for c in codes])
            chain.new_chain(ProxyEvent, proxy)
            proxies.append_event(proxy, actor=actor, action="grant", now=now, services=codes, valid_until=str(valid_until),
                                 capacity=capacity)
            audit.record(actor=actor, action="people.proxy_grant", target=proxy, services=codes, valid_until=str(valid_until))
            elder_user = proxies.elder_account(elder)
            told = {u.pk for u in (elder_user, proxy_user) if u is not None and u.pk != actor.pk}
            _notify(told, proxy, gettext_noop("{elder} 授权 {proxy} 代办：{services}，有效期至 {until}。"), elder=elder.name,
                    proxy=proxy.proxy_name, services="、".join(proxies.label_of(c) for c in codes), until=str(valid_until))
    except IntegrityError:
        raise Conflict(_("该代办人已有有效授权，请稍后重试。"), code="proxy_exists") from None
    return proxy


def revoke(*, actor, proxy, now=None):
    """End a live consent at once. The elder, the proxy herself, or staff in scope."""
    now = now or clock.now()
    mine = getattr(actor, "pk", None) == proxy.proxy_user_id or (
        proxy.proxy_resident_id and getattr(actor, "resident_id", None) == proxy.proxy_resident_id)
    if getattr(actor, "resident_id", None) == proxy.elder_id:
        capacity = "elder"
    elif mine:
        capacity = "proxy"
    elif can(actor, PERM_MANAGE, proxy.elder):
        capacity = "staff"
    else:
        raise NotFound(_("找不到该授权，或您无权查看。"))
    with transaction.atomic():
        changed = Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, end_reason=Proxy.End.REVOKED)
        if not changed:
            raise Conflict(_("该授权已终止。"), code="proxy_ended")
        proxies.append_event(proxy, actor=actor, action="revoke", now=now, capacity=capacity)
        audit.record(actor=actor, action="people.proxy_revoke", target=proxy, capacity=capacity)
        elder_user = proxies.elder_account(proxy.elder)
        told = {u.pk for u in (elder_user, proxy.proxy_user) if u is not None and u.pk != actor.pk}
        _notify(told, proxy, gettext_noop("{elder} 对 {proxy} 的代办授权已撤回。"), elder=proxy.elder.name, proxy=proxy.proxy_name)
    proxy.refresh_from_db()
    return proxy
