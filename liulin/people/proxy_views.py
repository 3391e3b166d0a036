"""Pages of proxy consents (docs/proxies.md): the elder grants and revokes on her own page;
staff do it at the counter for an elder without a phone (with the signed form's number); the
elder reads who acted for her; staff read the acts done in their community."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liulin.core import calendar, clock
from liulin.core.errors import DomainError, NotPermitted, add_to_form
from liulin.core.permissions import can, get_or_404, has_perm_anywhere

from . import proxy_selectors, proxy_services
from .forms import ProxyAuditForm, ProxyGrantForm
from .models import Resident

PAGE_SIZE = 30


def _grant_from(request, form, *, elder):
    """Grant from a valid form; a domain error lands on the form. Returns the consent or None."""
    mobile = form.cleaned_data["proxy_mobile"]
    proxy_user = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
    if proxy_user is None:
        form.add_error("proxy_mobile", _("该手机号还没有账号，请代办人先注册。"))
        return None
    try:
        return proxy_services.grant(
            actor=request.user, elder=elder, proxy_user=proxy_user, relation=form.cleaned_data["relation"],
            services=form.cleaned_data["services"], valid_until=form.cleaned_data["valid_until"],
            consent_proof=form.cleaned_data.get("consent_proof", ""), replace=True,
        )
    except DomainError as error:
        if error.field == "proxy":
            error.field = "proxy_mobile"
        add_to_form(form, error)
        return None


def _today():
    return calendar.local_date(clock.now())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def proxies(request):
    """The resident's own page: the consents she gave (grant, update, revoke) and those naming her."""
    own = request.user.resident
    form = None
    if own is not None:
        form = ProxyGrantForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and _grant_from(request, form, elder=own):
            messages.success(request, _("已授权。对方每次代您办事，您都会收到通知。"))
            return redirect("people:proxies")
    elif request.method == "POST":
        raise NotPermitted(_("账号未关联居民档案，请联系社区。"))
    return render(request, "people/proxies.html", {
        "form": form, "given": proxy_selectors.given_by(request.user), "held": proxy_selectors.held_by(request.user),
        "done": proxy_selectors.acts_by(request.user)[:20], "today": _today(),
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def proxy_revoke(request, pk):
    proxy = proxy_selectors.consent_for(request.user, pk)
    proxy_services.revoke(actor=request.user, proxy=proxy)
    messages.success(request, _("授权已撤回。"))
    if request.user.resident_id in (proxy.elder_id, proxy.proxy_resident_id) or request.user.pk == proxy.proxy_user_id:
        return redirect("people:proxies")
    return redirect("people:resident_proxies", proxy.elder_id)


@never_cache
@login_required
@require_GET
def proxy_acts(request):
    """谁代我办过事: every grant, act and revocation under the consents she gave."""
    page = Paginator(proxy_selectors.acts_for_me(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/proxy_acts.html", {"page": page})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_proxies(request, pk):
    """At the counter: an elder's consents, recorded by staff with the proof."""
    elder = get_or_404(request.user, Resident.objects.all(), "people.view", pk=pk)
    if not can(request.user, proxy_services.PERM_MANAGE, elder):
        raise NotPermitted(_("您的角色不能登记代办授权。"))
    form = ProxyGrantForm(request.POST or None, staff=True)
    if request.method == "POST" and form.is_valid() and _grant_from(request, form, elder=elder):
        messages.success(request, _("已登记代办授权。"))
        return redirect("people:resident_proxies", elder.pk)
    return render(request, "people/resident_proxies.html", {
        "resident": elder, "form": form, "consents": proxy_selectors.of_elder(request.user, elder), "today": _today(),
    }, status=400 if form.errors else 200)


@never_cache
@login_required
@require_GET
def proxy_audit(request):
    """The community's view: acts on behalf of residents in the reader's scope."""
    if not has_perm_anywhere(request.user, "people.proxy_audit"):
        raise NotPermitted(_("您的角色不能查看代办记录。"))
    form = ProxyAuditForm(request.GET)
    service = form.cleaned_data["service"] if form.is_valid() else ""
    page = Paginator(proxy_selectors.community_acts(request.user, service=service), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/proxy_audit.html", {"form": form, "page": page, "service": service})
