"""三率 pages: the KPI dashboard, the monthly red/black list, recurring problems (未诉先办)
and the public per-unit rates. Thin: a form parses the period, kpi/recurring read through
the permission layer, make_proactive_task writes."""

import datetime
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from liulin.core import clock, xlsx
from liulin.core.calendar import add_months, month_start
from liulin.core.errors import NotPermitted
from liulin.core.permissions import active_assignments, has_perm_anywhere, roles_with
from liulin.territory.models import Grid
from liulin.whistle import exporting, kpi, recurring
from liulin.whistle.models import Category

from ._common import run

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

GROUP_CHOICES = [
    ("handling_org", gettext_lazy("按承办单位")),
    ("grid", gettext_lazy("按网格")),
    ("community", gettext_lazy("按社区")),
    ("category", gettext_lazy("按类别")),
    ("month", gettext_lazy("按月份")),
    ("", gettext_lazy("合计")),
]
RANK_CHOICES = [c for c in GROUP_CHOICES if c[0] not in ("month", "")]


class MonthField(forms.CharField):
    """YYYY-MM (what <input type="month"> sends) → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(_("请按“年-月”填写，例如 2026-03。"))
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class KpiForm(forms.Form):
    start = MonthField(label=gettext_lazy("起始月份"), required=False)
    end = MonthField(label=gettext_lazy("截止月份"), required=False)
    group_by = forms.ChoiceField(label=gettext_lazy("分组"), choices=GROUP_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("截止月份不能早于起始月份。"))
        return data


class RankingForm(forms.Form):
    month = MonthField(label=gettext_lazy("月份"), required=False)
    by = forms.ChoiceField(label=gettext_lazy("排名对象"), choices=RANK_CHOICES, required=False)


class RecurringForm(forms.Form):
    month = MonthField(label=gettext_lazy("月份"), required=False)
    months = forms.TypedChoiceField(
        label=gettext_lazy("统计范围"),
        choices=[(3, gettext_lazy("近3个月")), (6, gettext_lazy("近6个月")), (12, gettext_lazy("近12个月"))],
        coerce=int,
        required=False,
    )


class MonthForm(forms.Form):
    month = MonthField(label=gettext_lazy("月份"), required=False)


class TaskForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.all())
    grid = forms.ModelChoiceField(queryset=Grid.objects.all())
    month = MonthField()


def _require_kpi_scope(user):
    """403 for users whose roles open no rollup row (residents, teachers ...)."""
    if user.is_superuser:
        return
    viewers = roles_with("whistle.view")
    if not any(a.role in viewers and (a.area_id or a.grid_id or a.org_id) for a in active_assignments(user)):
        raise NotPermitted(_("您的角色不能查看考核数据。"))


def _this_month():
    return month_start(clock.today())


def _showing(form, **values):
    """The form as the page shows it: the boxes left empty filled with what the page shows
    (the default months, grouping), so the month inputs never show a placeholder while the
    figures are of other months. A form with errors is shown as it was sent."""
    if form.is_bound and form.errors:
        return form
    data = form.data.copy() if form.is_bound else QueryDict(mutable=True)
    for name, value in values.items():
        if name not in data or (data.get(name) == "" and isinstance(form.fields[name], MonthField)):
            data[name] = value.strftime("%Y-%m") if isinstance(value, datetime.date) else str(value)
    return type(form)(data)


def _chart(rows):
    """The figures the bar chart draws (kpi.js), as percentages; None where no denominator."""

    def p(value):
        return None if value is None else round(value * 100, 2)

    return {
        "labels": [str(r.label) for r in rows],
        "series": [
            {"name": _("响应率"), "data": [p(r.response_rate) for r in rows]},
            {"name": _("解决率"), "data": [p(r.resolution_rate) for r in rows]},
            {"name": _("满意率"), "data": [p(r.satisfaction_rate) for r in rows]},
            {"name": _("综合得分"), "data": [p(r.composite) for r in rows]},
        ],
    }


def _dashboard_query(request):
    """(form, first month, last month, grouping) the dashboard and its export read."""
    form = KpiForm(request.GET or None)
    this_month = _this_month()
    start, end, group_by = add_months(this_month, -2), this_month, "handling_org"
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        group_by = form.cleaned_data["group_by"] if "group_by" in request.GET else group_by
    if end < start:
        start = end
    return form, start, end, group_by or None


@never_cache
@login_required
@require_GET
def dashboard_export(request):
    """The dashboard's table as xlsx, for the same period, grouping and scope."""
    _require_kpi_scope(request.user)
    form, start, end, group_by = _dashboard_query(request)
    if form.errors:
        return dashboard(request)
    out = exporting.write_kpis(request.user, period_start=start, period_end=end, group_by=group_by)
    return xlsx.download(out, f"三率_{start:%Y-%m}_{end:%Y-%m}.xlsx")


@never_cache
@login_required
@require_GET
def dashboard(request):
    _require_kpi_scope(request.user)
    form, start, end, group_by = _dashboard_query(request)
    rows = kpi.kpis(request.user, period_start=start, period_end=end, group_by=group_by) if not form.errors else []
    total = kpi.kpis(request.user, period_start=start, period_end=end)[0] if not form.errors else None
    context = {
        "form": _showing(form, start=start, end=end, group_by=group_by or ""),
        "start": start,
        "end": end,
        "group_label": kpi.GROUP_LABELS[group_by],
        "rows": rows,
        "total": total,
        "chart": _chart(rows),
        "weights": kpi.weights(),
        "basic_weight": kpi.basic_weight(),
    }
    return render(request, "whistle/kpi.html", context)


def _ranking_query(request):
    """(form, month, ranked by) the ranking page and its export read."""
    form = RankingForm(request.GET or None)
    month, by = _this_month(), "handling_org"
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"] or month
        by = form.cleaned_data["by"] or by
    return form, month, by


@never_cache
@login_required
@require_GET
def ranking_export(request):
    """The month's 红黑榜 as xlsx: the ranking page's table, for the same month, grouping and scope."""
    _require_kpi_scope(request.user)
    form, month, by = _ranking_query(request)
    if form.errors:
        return ranking(request)
    out = exporting.write_kpi_ranking(request.user, month, by=by)
    return xlsx.download(out, f"红黑榜_{month:%Y-%m}.xlsx")


@never_cache
@login_required
@require_GET
def ranking(request):
    _require_kpi_scope(request.user)
    form, month, by = _ranking_query(request)
    result = kpi.ranking(request.user, month, by=by) if not form.errors else None
    context = {"form": _showing(form, month=month, by=by), "month": month, "result": result, "by_label": dict(RANK_CHOICES)[by]}
    return render(request, "whistle/kpi_ranking.html", context)


@never_cache
@login_required
@require_GET
def recurring_list(request):
    _require_kpi_scope(request.user)
    form = RecurringForm(request.GET or None)
    month, months = _this_month(), recurring.DEFAULT_MONTHS
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"] or month
        months = form.cleaned_data["months"] or months
    clusters = recurring.clusters(request.user, month=month, months=months) if not form.errors else []
    context = {
        "form": _showing(form, month=month, months=months),
        "month": month,
        "months": months,
        "clusters": clusters,
        "window": [m for m, _n in clusters[0].months] if clusters else [],
        "can_task": has_perm_anywhere(request.user, "whistle.escalate"),
    }
    return render(request, "whistle/recurring.html", context)


@login_required
@require_POST
def recurring_task(request):
    """Turn one recurring cluster into a proactive ticket (supervisors of its community)."""
    form = TaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求不完整，请从高频问题列表重新操作。"))
        return redirect("whistle:recurring")
    data = form.cleaned_data
    made = run(
        request,
        lambda: recurring.make_proactive_task(actor=request.user, category=data["category"], grid=data["grid"], month=data["month"]),
    )
    if made is None:
        return redirect("whistle:recurring")
    ticket, created = made
    if created:
        messages.success(request, _("已生成主动治理工单 %(number)s。") % {"number": ticket.number})
    else:
        messages.info(request, _("该高频问题本月已生成过工单 %(number)s。") % {"number": ticket.number})
    return redirect("whistle:ticket", pk=ticket.pk)


@require_GET
def public(request):
    """三率 per handling unit, open to everyone: unit names, rates and counts only."""
    form = MonthForm(request.GET or None)
    month = _this_month()
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"] or month
    rows = kpi.public_rows(period_start=month, period_end=month)
    return render(request, "whistle/kpi_public.html", {"form": _showing(form, month=month), "month": month, "rows": rows,
                                                       "beside": kpi.beside_units(rows)})
