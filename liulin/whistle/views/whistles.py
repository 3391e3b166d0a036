"""吹哨报到: the community blows a whistle naming departments; each department reports in,
records its actions and verifies; the community rates each report-in; departments are ranked."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liulin.core import clock, xlsx
from liulin.core.calendar import month_bounds
from liulin.core.roles import Role
from liulin.whistle import exporting, selectors
from liulin.whistle.forms import (
    REPORT_DUE_DEFAULTS,
    ActionsForm,
    RankingForm,
    RateSummonsForm,
    ReportInForm,
    WhistleForm,
)
from liulin.whistle.services import whistles

from ._common import require_anywhere, require_role, run


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def whistle_list(request):
    """Blow a whistle, and follow the whistles of the community: who reported in, who is late."""
    require_anywhere(request.user, "whistle.whistle")
    form = WhistleForm(request.POST or None, user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        whistle = run(
            form,
            lambda: whistles.blow(
                actor=request.user,
                community=data["community"],
                kind=data["kind"],
                title=data["title"],
                reason=data["reason"],
                tickets=data["tickets"],
                departments=data["departments"],
                report_due=data["report_due"],
            ),
        )
        if whistle is not None:
            messages.success(
                request, _("已吹哨，请各部门于 %(due)s 前报到。") % {"due": timezone.localtime(whistle.report_due).strftime("%m-%d %H:%M")}
            )
            return redirect("whistle:whistles")
    context = {
        "form": form,
        "whistles": list(selectors.whistles_for(request.user)[:30]),
        "due_defaults": REPORT_DUE_DEFAULTS,
        "rate_form": RateSummonsForm(),
        "now": clock.now(),
    }
    return render(request, "whistle/whistles.html", context, status=400 if form.errors else 200)


def _initial(request):
    ticket_ids = [pk for pk in request.GET.getlist("ticket") if pk.isdigit()]
    return {"tickets": ticket_ids} if ticket_ids else {}


@never_cache
@login_required
@require_GET
def summons_list(request):
    """A department's summons: report in, record what was done, verify."""
    require_role(request.user, Role.DEPARTMENT_OFFICER, perm="whistle.view")
    rows = list(selectors.summons_for_department(request.user))
    return render(
        request,
        "whistle/summons.html",
        {"rows": rows, "report_form": ReportInForm(), "actions_form": ActionsForm(), "now": clock.now()},
    )


def _summons_post(request, pk, form_class, call, success):
    require_role(request.user, Role.DEPARTMENT_OFFICER, perm="whistle.view")
    summons = selectors.summons_for(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid() and run(request, lambda: call(summons, form.cleaned_data)) is not None:
        messages.success(request, success)
    elif form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("whistle:summons")


@never_cache
@login_required
@require_POST
def summons_report(request, pk):
    return _summons_post(
        request,
        pk,
        ReportInForm,
        lambda s, d: whistles.report_in(actor=request.user, summons=s, on_site=d["on_site"], actions=d["actions"]),
        _("已报到。"),
    )


@never_cache
@login_required
@require_POST
def summons_actions(request, pk):
    return _summons_post(
        request,
        pk,
        ActionsForm,
        lambda s, d: whistles.record_actions(actor=request.user, summons=s, actions=d["actions"]),
        _("处置情况已记录。"),
    )


@never_cache
@login_required
@require_POST
def summons_verify(request, pk):
    from django import forms as django_forms

    return _summons_post(
        request, pk, django_forms.Form, lambda s, d: whistles.verify_summons(actor=request.user, summons=s), _("已核单。")
    )


@never_cache
@login_required
@require_POST
def summons_rate(request, pk):
    """The community rates one department's report-in (1–5 stars)."""
    require_anywhere(request.user, "whistle.whistle")
    summons = selectors.summons_for(request.user, pk)
    form = RateSummonsForm(request.POST)
    if form.is_valid():
        if run(request, lambda: whistles.rate_summons(actor=request.user, summons=summons, rating=form.cleaned_data["rating"])) is not None:
            messages.success(request, _("已评价 %(dept)s。") % {"dept": summons.department.name})
    else:
        messages.error(request, _("请选择 1 到 5 星。"))
    return redirect("whistle:whistles")


@never_cache
@login_required
@require_GET
def ranking(request):
    """Departments ranked by their report-in score for a month: the community's ratings,
    late report-ins discounted, missed ones 0★ (whistles.department_ranking)."""
    require_anywhere(request.user, "whistle.view")
    form = RankingForm(request.GET or None, user=request.user)
    community, month = form.choice()
    rows = []
    if community is not None:
        rows = whistles.department_ranking(community, month_bounds(month))
    context = {"form": form, "rows": rows, "community": community, "month": month, "late_pct": round(whistles.late_share() * 100)}
    return render(request, "whistle/ranking.html", context)


@never_cache
@login_required
@require_GET
def ranking_export(request):
    """The department ranking as xlsx, for the community and month the page shows; a
    community the user may not read (or none) gives no file."""
    require_anywhere(request.user, "whistle.view")
    form = RankingForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        raise Http404
    community, month = form.choice()
    if community is None:
        raise Http404
    out = exporting.write_department_ranking(request.user, community, month)
    return xlsx.download(out, f"部门报到排名_{community.name}_{month:%Y-%m}.xlsx")
