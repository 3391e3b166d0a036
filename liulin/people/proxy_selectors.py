"""Reads of proxy consents and of the acts done under them, each narrowed to the reader: the
elder sees the consents she gave and every act done for her; a proxy the consents naming her;
staff those of the residents in their scope (people.proxy_manage to record, people.proxy_audit
to read the community's acts)."""

from django.db.models import Q

from liulin.core.errors import NotFound
from liulin.core.permissions import scoped

from .models import Proxy, ProxyEvent
from .proxies import _mine

NOT_FOUND = "找不到该授权，或您无权查看。"


def _consents():
    return Proxy.objects.select_related("elder", "proxy_user", "proxy_resident", "recorded_by").prefetch_related("scopes")


def given_by(user):
    """The consents the user's own registry record gave (newest first)."""
    own = getattr(user, "resident_id", None)
    return _consents().filter(elder_id=own) if own else Proxy.objects.none()


def held_by(user):
    """The consents naming the user as proxy."""
    return _consents().filter(_mine(user))


def of_elder(user, elder):
    """An elder's consents for staff at the counter (people.proxy_manage over her)."""
    return scoped(user, _consents().filter(elder=elder), "people.proxy_manage")


def consent_for(user, pk):
    """One consent the user may see: his own as elder or proxy, or in his scope as staff."""
    own = getattr(user, "resident_id", None)
    q = _mine(user) | (Q(elder_id=own) if own else Q(pk__in=[]))
    found = _consents().filter(q, pk=pk).first() or scoped(user, _consents(), "people.proxy_manage").filter(pk=pk).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _events():
    return ProxyEvent.objects.select_related("proxy__elder", "proxy__proxy_user", "proxy__proxy_resident", "actor")


def acts_for_me(user):
    """Everything done under the consents the user gave: grants, acts, revocations."""
    own = getattr(user, "resident_id", None)
    return _events().filter(proxy__elder_id=own).order_by("-at", "-id") if own else ProxyEvent.objects.none()


def acts_of(user, proxy):
    """The chain of one consent (the caller has fetched it through `consent_for`)."""
    return _events().filter(proxy=proxy).order_by("-at", "-id")


def community_acts(user, *, service=""):
    """Acts on behalf of residents in the user's scope (people.proxy_audit), newest first."""
    visible = scoped(user, Proxy.objects.all(), "people.proxy_audit").values("pk")
    events = _events().filter(proxy__in=visible, action="act")
    if service:
        events = events.filter(service=service)
    return events.order_by("-at", "-id")


def acts_by(user):
    """The acts the user did for others under their consents (the proxy's own record)."""
    return _events().filter(action="act", actor=user).order_by("-at", "-id")
