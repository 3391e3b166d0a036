"""Pages of counselling: one home for both sides (a resident's free times and own
appointments, big buttons for the 长辈版; a counsellor's slots and clients), the form to open
a slot, and an appointment's page (the counsellor's notes and steps, the client's cancel).
Every page naming a client is written to the access log; pages are not cached."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liulin.core.errors import DomainError, NotFound, NotPermitted, add_to_form

from . import selectors, services
from .forms import NoteForm, SlotForm
from .permissions import is_counsellor, is_resident
from .workflow import APPOINTMENT_WORKFLOW


@never_cache
@login_required
def home(request):
    user = request.user
    appointments = list(selectors.appointments_for(user)[:100])
    services.log_access(actor=user, appointments=appointments, field="appointment_list")
    counsellor = is_counsellor(user)
    return render(request, "counselling/home.html", {
        "resident": is_resident(user), "counsellor": counsellor,
        "slots": list(selectors.bookable_slots(user)[:60]),
        "mine": [a for a in appointments if a.client_id == user.pk],
        "clients": [a for a in appointments if a.slot.counsellor_id == user.pk],
        "my_slots": list(selectors.my_slots(user)[:60]) if counsellor else [],
    })


@never_cache
@login_required
def open_slot(request):
    if not is_counsellor(request.user):
        raise NotPermitted(_("只有心理咨询师才能开放咨询时段。"))
    rooms = selectors.rooms_for(request.user)
    form = SlotForm(request.POST or None, rooms=rooms)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_slot(actor=request.user, room=form.cleaned_data["room"], start=form.cleaned_data["start"],
                               minutes=form.cleaned_data["minutes"])
            messages.success(request, _("已开放咨询时段，咨询室已预约。"))
            return redirect("counselling:home")
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            add_to_form(form, error)
    return render(request, "counselling/open_slot.html", {"form": form})


@login_required
@require_POST
def book(request, pk):
    slot = selectors.bookable_slot(request.user, pk)
    try:
        appointment = services.book(actor=request.user, slot=slot)
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("counselling:home")
    messages.success(request, _("预约成功。咨询内容严格保密。"))
    return redirect("counselling:appointment", appointment.pk)


@login_required
@require_POST
def withdraw(request, pk):
    slot = selectors.my_slot(request.user, pk)
    try:
        services.withdraw_slot(actor=request.user, slot=slot)
        messages.success(request, _("已撤下该时段。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("counselling:home")


@never_cache
@login_required
def appointment(request, pk):
    found = selectors.appointment_for(request.user, pk)
    services.log_access(actor=request.user, appointments=[found], field="appointment")
    counsellor = found.slot.counsellor_id == request.user.pk and is_counsellor(request.user)
    role = "counsellor" if counsellor else "resident"
    actions = [t for t in APPOINTMENT_WORKFLOW.available_actions(found.state)
               if (counsellor and "counsellor" in t.roles) or (not counsellor and "resident" in t.roles)]
    return render(request, "counselling/appointment.html", {
        "appointment": found, "counsellor": counsellor, "role": role, "actions": actions,
        "client_name": selectors.client_name(request.user, found),
        "notes": services.read_notes(actor=request.user, appointment=found) if counsellor else [],
        "form": NoteForm() if counsellor else None,
    })


@login_required
@require_POST
def act(request, pk, action):
    found = selectors.appointment_for(request.user, pk)
    try:
        services.act(actor=request.user, appointment=found, action=action, reason=request.POST.get("reason", ""))
        messages.success(request, _("已更新。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect(reverse("counselling:appointment", args=[found.pk]))


@login_required
@require_POST
def note(request, pk):
    found = selectors.appointment_for(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.write_note(actor=request.user, appointment=found, text=form.cleaned_data["text"])
            messages.success(request, _("记录已加密保存。"))
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            messages.error(request, error.detail)
    else:
        messages.error(request, _("请填写记录内容。"))
    return redirect(reverse("counselling:appointment", args=[found.pk]))
