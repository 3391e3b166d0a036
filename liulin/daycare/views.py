"""Pages of day care: the care staff's board for today (one tap to check in, 长辈版-sized),
the family's view of the day on a phone, the door QR, and the monthly report."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core import clock
from liulin.core.errors import DomainError, NotFound, NotPermitted, add_to_form

from . import selectors, services
from .forms import ApplyForm, CareLogForm, MonthForm
from .models import Attendance, Centre


@login_required
def home(request):
    return render(request, "daycare/home.html", {
        "centres": selectors.centres_for(request.user),
        "elders": selectors.family_enrolments(request.user),
        "may_apply": any(centres for _elder, centres in selectors.application_choices(request.user)),
    })


@login_required
def apply(request):
    """为家人申请托老: one card per elder whose consent covers day care, with the centres of
    her community; a submitted application waits for the centre's assessment."""
    choices = [(elder, centres) for elder, centres in selectors.application_choices(request.user) if centres]
    forms_by_elder = []
    for elder, centres in choices:
        bound = request.method == "POST" and request.POST.get(f"e{elder.pk}-elder") == str(elder.pk)
        form = ApplyForm(request.POST if bound else None, elder=elder, centres=centres)
        if bound and form.is_valid():
            try:
                enrolment = services.apply_for(actor=request.user, centre=Centre.objects.get(pk=form.cleaned_data["centre"]),
                                               elder=elder, days=form.cleaned_data["days"], note=form.cleaned_data["note"])
            except DomainError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("申请已提交，中心将联系您评估后安排入托。"))
                return redirect("daycare:family_day", enrolment.pk)
        forms_by_elder.append((elder, form))
    return render(request, "daycare/apply.html", {"forms": forms_by_elder})


@login_required
def today(request, pk):
    centre = selectors.centre_for(request.user, pk)
    carer = services.is_care_staff(request.user, centre) or services.manages(request.user, centre)
    board = selectors.today_board(centre)
    return render(request, "daycare/today.html", {
        "centre": centre, "board": board, "carer": carer, "day": clock.today(),
        "present": sum(1 for e in board if e.today), "waiting": selectors.waiting_list(centre) if carer else [],
        "places": selectors.places(centre), "form": CareLogForm(),
    })


def _back(request, fallback):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/daycare/") else fallback)


@login_required
@require_POST
def check_in(request, pk):
    enrolment = selectors.enrolment_for(request.user, pk)
    try:
        services.check_in(actor=request.user, enrolment=enrolment)
        messages.success(request, _("已签到。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return _back(request, reverse("daycare:today", args=[enrolment.centre_id]))


@login_required
@require_POST
def check_out(request, pk):
    attendance = Attendance.objects.filter(pk=pk, enrolment__in=selectors.enrolments_for(request.user)).first()
    if attendance is None:
        raise NotFound(_("找不到该记录，或您无权查看。"))
    try:
        services.check_out(actor=request.user, attendance=attendance)
        messages.success(request, _("已离站。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return _back(request, reverse("daycare:family_day", args=[attendance.enrolment_id]))


@login_required
@require_POST
def log(request, pk):
    enrolment = selectors.enrolment_for(request.user, pk)
    form = CareLogForm(request.POST)
    if form.is_valid():
        try:
            services.log_care(actor=request.user, enrolment=enrolment, **form.cleaned_data)
            messages.success(request, _("已记录。"))
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            messages.error(request, error.detail)
    else:
        messages.error(request, _("请检查填写的内容。"))
    return _back(request, reverse("daycare:today", args=[enrolment.centre_id]))


@login_required
def family_day(request, pk):
    enrolment = selectors.enrolment_for(request.user, pk)
    attendance = Attendance.objects.filter(enrolment=enrolment, day=clock.today()).first()
    qr = segno.make(reverse("daycare:door", args=[services.checkin_code(enrolment)]), error="m").svg_inline(
        scale=5, border=2, omitsize=True, title=_("到站签到码"))
    return render(request, "daycare/family_day.html", {
        "enrolment": enrolment, "attendance": attendance, "logs": selectors.day_log(enrolment), "qr": qr,
        "carer": services.is_care_staff(request.user, enrolment.centre), "day": clock.today(),
    })


@login_required
def door(request, code):
    """The QR at the door: the family proxy (or care staff) scans it and checks the elder in."""
    enrolment = services.enrolment_from_code(code)
    if not services.may_see(request.user, enrolment):
        raise NotFound(_("二维码无效。"))
    if request.method == "POST":
        try:
            services.check_in(actor=request.user, enrolment=enrolment)
            messages.success(request, _("已签到。"))
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect("daycare:family_day", enrolment.pk)
    return render(request, "daycare/door.html", {"enrolment": enrolment})


@login_required
def report(request, pk):
    centre = selectors.centre_for(request.user, pk)
    form = MonthForm(request.GET)
    month = (form.cleaned_data.get("month") if form.is_valid() else None) or clock.today()
    return render(request, "daycare/report.html", {"centre": centre, "form": form,
                                                   "report": selectors.monthly_report(centre, month)})
