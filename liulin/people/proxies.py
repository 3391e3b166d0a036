"""Acting for someone else: the one mechanism every service uses (docs/proxies.md).

A resident (an elder, typically) names a family member or her grid worker as her proxy with a
recorded consent (`models.Proxy`): which services (`ProxyScope`), until which day, revocable.
A service registers its code once, in its AppConfig.ready:

    proxies.register_service("canteen", label=N_("食堂订餐"), order=10)   # N_: gettext_noop

and, where someone may act for a resident, asks the kernel and records the act:

    proxy = proxies.acting_for(user, elder, "canteen")        # NotPermitted if not
    ... write its own record with both names (the elder, and `user` as who did it) ...
    proxies.record_act(proxy=proxy, actor=user, service="canteen", action=N_("订餐"),
                       target=order, summary="3月5日 午餐")  # chained event + notice to the elder

`acting_for` refuses a consent that is revoked, past its `valid_until` (valid through that
day, by the local calendar) or without the service in its scopes, with a code saying which.
`record_act` must run inside the service's transaction: the event, the notice to the elder and
the service's own change commit or roll back together.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from liulin.core import calendar, chain, clock
from liulin.core.errors import NotPermitted
from liulin.core.notifications import kinds
from liulin.core.notifications.services import Notice, send

from .models import Proxy, ProxyEvent, Resident

KIND = "people.proxy"
kinds.register(KIND, gettext_lazy("家人代办与授权"))


@dataclass(frozen=True)
class Service:
    code: str
    label: str  # in the source language, marked with gettext_noop; shown through gettext
    order: int = 100


_services: dict[str, Service] = {}


def register_service(code, *, label, order=100):
    """Declare a service a consent may cover; registering a code again replaces it."""
    _services[code] = Service(code, label, order)


def services():
    """The registered services, in order."""
    return sorted(_services.values(), key=lambda s: (s.order, s.code))


def label_of(code):
    found = _services.get(code)
    return _(found.label) if found else code


def _require_service(service):
    if service not in _services:
        raise LookupError(f"proxy service {service!r} is not registered")


# --- the check --------------------------------------------------------------------------------


def _mine(user):
    """Consents naming `user`: by his account, or by his registry record."""
    own = getattr(user, "resident_id", None)
    q = Q(proxy_user_id=user.pk)
    if own:
        q |= Q(proxy_resident_id=own)
    return q


def proxy_for(user, elder, service, *, on=None):
    """The live consent by which `user` acts for `elder` in `service` on day `on` (today by
    default), or None."""
    try:
        return acting_for(user, elder, service, on=on)
    except NotPermitted:
        return None


def acting_for(user, elder, service, *, on=None):
    """The consent by which `user` may act for `elder` in `service`; NotPermitted (code
    proxy_none, proxy_revoked, proxy_expired or proxy_out_of_scope) if there is none."""
    _require_service(service)
    if not getattr(user, "is_authenticated", False) or elder is None:
        raise NotPermitted(_("您没有该居民的代办授权。"), code="proxy_none")
    day = on or calendar.local_date(clock.now())
    consents = list(
        Proxy.objects.filter(_mine(user), elder=elder).filter(Q(revoked_at__isnull=True) | Q(end_reason=Proxy.End.REVOKED))
        .prefetch_related("scopes").order_by("-granted_at", "-id")[:5]
    )
    live = [c for c in consents if c.revoked_at is None]
    if not live:
        if consents:
            raise NotPermitted(_("该居民已撤回对您的代办授权。"), code="proxy_revoked")
        raise NotPermitted(_("您没有该居民的代办授权。"), code="proxy_none")
    consent = live[0]
    if day > consent.valid_until:
        raise NotPermitted(_("代办授权已于 %(day)s 到期，请老人重新授权。") % {"day": consent.valid_until}, code="proxy_expired")
    if service not in {s.service for s in consent.scopes.all()}:
        raise NotPermitted(
            _("该居民没有授权您代办“%(service)s”。") % {"service": label_of(service)}, code="proxy_out_of_scope"
        )
    return consent


def elders_for(user, service, *, on=None):
    """The residents `user` may act for in `service` on day `on` (today by default)."""
    _require_service(service)
    if not getattr(user, "is_authenticated", False):
        return Resident.objects.none()
    day = on or calendar.local_date(clock.now())
    ids = Proxy.objects.filter(_mine(user), revoked_at__isnull=True, valid_until__gte=day, scopes__service=service).values("elder_id")
    return Resident.objects.filter(pk__in=ids).order_by("name_pinyin", "id")


# --- the record -------------------------------------------------------------------------------


def _target(target):
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


def append_event(proxy, *, actor, action, service="", target=None, now=None, **data):
    """Append to the consent's chain under its row lock (inside the caller's transaction)."""
    locked = Proxy.objects.select_for_update().only("pk").get(pk=proxy.pk)
    target_type, target_id = _target(target)
    return chain.append(ProxyEvent, locked, actor=actor, actor_role="proxy" if action == "act" else "", action=action,
                        at=now or clock.now(), service=service, target_type=target_type, target_id=target_id, data=data)


def elder_account(elder):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(resident=elder, is_active=True).only("pk").first()


def record_act(*, proxy, actor, service, action, target=None, summary="", now=None):
    """Record that `actor` did `action` (a source-language label, marked with gettext_noop) in
    `service` on `target` for the consent's elder, and tell the elder. Returns the event."""
    _require_service(service)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_act runs inside the service's transaction")
    event = append_event(proxy, actor=actor, action="act", service=service, target=target, now=now, what=action,
                         summary=str(summary)[:120], proxy_name=actor.name)
    account = elder_account(proxy.elder)
    if account is not None and account.pk != actor.pk:
        send([Notice(
            kind=KIND, text=gettext_noop("{proxy} 代您办理了{service}：{what} {summary}"), user_id=account.pk, target=proxy,
            url=reverse("people:proxy_acts"),
            params={"proxy": actor.name, "service": {"label": _services[service].label}, "what": {"label": action},
                    "summary": str(summary)[:120]},
        )])
    return event
