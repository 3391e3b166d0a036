"""Written proxies: registered by staff with the signed form, capped per holder, revocable."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid
from liulin.people import proxies as kernel_proxies

from ..models import (
    Proxy,
    State,
    VoteEvent,
)
from ..workflow import WORKFLOW
from .common import _lock, _role_of, rules_for

PROXY_SERVICE = "votes"  # the code registered with people.proxies


def _general_consent(actor, owner, holder):
    """The owner's general consent (people.Proxy with "votes") naming `holder`, when the holder
    registers the written proxy herself: then it is required (NotPermitted without it)."""
    if holder is None or actor is None or holder.pk != actor.pk:
        return None
    return kernel_proxies.acting_for(actor, owner.resident, PROXY_SERVICE)


def register_proxy(*, actor, vote, owner, holder, document, now=None):
    """Register an owner's written proxy (the signed 委托书, a scan or photo) for this vote:
    staff at the office, or the holder herself when the owner's general consent
    (people.proxies, "votes") names her, so that registering the form is one step. The
    written form per vote is what the law asks; the general consent never replaces it. One
    active proxy per owner; at most the estate's cap per holder."""
    from liulin.core.attachments import services as attachments

    now = now or clock.now()
    cleaned = attachments.clean(document, accept={attachments.DOCUMENT, attachments.IMAGE}, field="document")
    written = None
    try:
        with transaction.atomic():
            locked = _lock(vote)
            consent = _general_consent(actor, owner, holder)
            role = "proxy" if consent is not None else _role_of(actor, WORKFLOW.perm("register_proxy"), locked)
            if consent is None and owner.resident_id and holder is not None:
                consent = kernel_proxies.proxy_for(holder, owner.resident, PROXY_SERVICE)
            if locked.state not in (State.NOTICED, State.OPEN):
                raise Conflict(_("只能在公告后、截止前登记委托。"), code="not_open")
            if owner.estate_id != locked.estate_id:
                raise Invalid(_("该业主不属于本小区。"), code="wrong_estate", field="owner")
            if holder is None or not holder.is_active or holder.pk == owner.user_id:
                raise Invalid(_("受托人须是业主本人以外、有账号的人。"), code="invalid_holder", field="holder")
            cap = rules_for(locked.estate).proxy_cap
            if Proxy.objects.filter(vote=locked, holder=holder, revoked_at__isnull=True).count() >= cap:
                raise Conflict(_("每人最多受托 %(cap)d 户。") % {"cap": cap}, code="proxy_cap")
            try:
                with transaction.atomic():
                    proxy = Proxy.objects.create(vote=locked, owner=owner, holder=holder, registered_by=actor, granted_at=now)
            except IntegrityError:
                raise Conflict(_("该业主已有有效委托，须先撤销。"), code="proxy_exists") from None
            written = attachments.save_clean(owner=proxy, cleaned=cleaned, stage="proxy", actor=actor, now=now)
            chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="register_proxy",
                         data={"owner": owner.pk, "proxy": proxy.pk, "consent": consent.pk if consent else None}, at=now)
            if consent is not None:  # the owner is told; her record of who acted for her shows it
                kernel_proxies.record_act(proxy=consent, actor=actor, service=PROXY_SERVICE, action=N_("登记表决委托书"),
                                          target=proxy, summary=locked.title, now=now)
    except BaseException:
        if written is not None:
            attachments.discard([written])
        raise
    return proxy


def revoke_proxy(*, actor, proxy, now=None):
    """The owner himself, or staff, revoke a proxy; a ballot it already cast stands (the owner
    replaces it by voting online himself)."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _lock(proxy.vote)
        if proxy.owner.user_id == getattr(actor, "pk", None):
            role = "owner"
        else:
            role = _role_of(actor, WORKFLOW.perm("register_proxy"), locked)
        changed = Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
        if not changed:
            raise Conflict(_("该委托已撤销。"), code="already_revoked")
        chain.append(VoteEvent, locked, actor=actor, actor_role=role, action="revoke_proxy",
                     data={"owner": proxy.owner_id, "proxy": proxy.pk}, at=now)
