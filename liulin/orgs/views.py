"""Organisation pages: a list by kind, and one organisation with its roll. Thin: selectors
read, services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core.errors import Conflict, Invalid, NotPermitted, add_to_form
from liulin.core.permissions import can, has_perm_anywhere

from . import selectors, services
from .forms import KindFilterForm, MemberForm


def _require_viewer(user):
    if not has_perm_anywhere(user, "orgs.view"):
        raise NotPermitted(_("您的角色不能查看组织信息。"))


@login_required
def organisation_list(request):
    _require_viewer(request.user)
    form = KindFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    groups = selectors.organisations_by_kind(request.user)
    if kind:
        groups = [(label, orgs) for label, orgs in groups if orgs[0].kind == kind]
    return render(request, "orgs/list.html", {"groups": groups, "form": form})


def _detail_context(request, org, form=None):
    may_change = can(request.user, "orgs.change", org)
    return {
        "org": org,
        "members": selectors.members_of(request.user, org),
        "may_change": may_change,
        "form": form or (MemberForm() if may_change else None),
    }


@login_required
def organisation_detail(request, org_id):
    _require_viewer(request.user)
    org = selectors.organisation_for(request.user, org_id)
    return render(request, "orgs/detail.html", _detail_context(request, org))


@login_required
@require_POST
def member_add(request, org_id):
    org = selectors.organisation_for(request.user, org_id)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.add_member(actor=request.user, org=org, **form.cleaned_data)
        except (Invalid, Conflict) as e:  # a refusal (403) is not a form error
            add_to_form(form, e)
        else:
            messages.success(request, _("已添加成员 %(name)s。") % {"name": form.cleaned_data["name"]})
            return redirect("orgs:detail", org_id=org.pk)
    return render(request, "orgs/detail.html", _detail_context(request, org, form), status=400)


@login_required
@require_POST
def member_remove(request, membership_id):
    membership = selectors.membership_for(request.user, membership_id)
    services.remove_member(actor=request.user, membership=membership)
    messages.success(request, _("已移除成员 %(name)s。") % {"name": membership.name})
    return redirect("orgs:detail", org_id=membership.org_id)
