"""Intake pages: the hotline console, the resident's self-service page, the grid patrol report.

Each form carries a client request id generated when the page is rendered, so a double
submit (or a retry after a dropped connection) returns the first ticket, never a second.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from liulin.core.errors import DomainError
from liulin.core.masking import mask_phone
from liulin.core.roles import Role
from liulin.whistle import routing, selectors
from liulin.whistle.forms import ConsoleForm, LookupForm, PatrolForm, ResidentFileForm
from liulin.whistle.models import Urgency
from liulin.whistle.services import intake

from ._common import is_htmx, require_role, run

CONSOLE_ROLES = (Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)


def _file(request, form, **extra):
    """Call the intake service with the form's data; returns the ticket or None (form error)."""
    result = run(form, lambda: intake.file_ticket(actor=request.user, **{**form.intake_kwargs(), **extra}))
    return result[0] if result else None


def _lookup_rows(user, phone):
    residents = intake.caller_lookup(user, phone) if phone else []
    return [
        {
            "pk": r.pk,
            "name": r.name,
            "phone": mask_phone(r.mobile),
            "address": r.household.address if r.household_id else "",
            "building": r.household.building_id if r.household_id else "",
            "room": r.household.room if r.household_id else "",
            "care_tags": [tag.name for tag in r.care_tags.all()],
            "care_tag_ids": {tag.pk for tag in r.care_tags.all()},
            "resident": r,
        }
        for r in residents
    ]


def _care_suggestion(picked, form):
    """What the caller's care tags mean for the urgency, for the operator to see before he
    saves: the rules that apply to him, and the urgency they give the chosen category (the
    intake service applies the same rule on saving: services.intake.care_urgency)."""
    rules = intake.care_rules_for(picked["care_tag_ids"])
    if not rules:
        return None
    labels = dict(Urgency.choices)
    # The rule names database rows (tag · category), the urgency is a label: apart, so the page
    # can mark the names as data.
    suggestion = {"rules": [{"reason": reason, "urgency": labels[urgency]} for urgency, reason in rules]}
    category = form["category"].value()
    if category:
        try:
            asked = (form.data if form.is_bound else form.initial).get("urgency") or Urgency.NORMAL
            raised = intake.care_urgency(routing.active_category(category), picked["resident"], asked)
        except DomainError:
            raised = None
        if raised is not None:
            suggestion.update(urgency=labels[raised.urgency], reason=raised.reason)
            if not form.is_bound:
                form.initial["urgency"] = raised.urgency  # the select shows it; saving applies it either way
    return suggestion


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def console(request):
    """The hotline operator's console: phone first, Tab through, Enter saves.

    GET ?phone=… lists the callers with that number (the no-JS path of the lookup);
    GET ?phone=…&pick=<id> prefills the form with that resident and his home."""
    require_role(request.user, *CONSOLE_ROLES)
    # What the operator typed so far comes back on a GET (htmx includes the form), so
    # picking a caller keeps it; the picked resident fills name and home.
    initial = {name: request.GET[name] for name in ConsoleForm.base_fields if request.GET.get(name)}
    if request.GET.get("started") and "call_started_at" not in initial:
        initial["call_started_at"] = request.GET["started"]
    phone = "".join(ch for ch in request.GET.get("phone", "") if ch.isdigit())[:20]
    rows = _lookup_rows(request.user, phone) if phone else []
    picked = next((r for r in rows if str(r["pk"]) == request.GET.get("pick")), None)
    if picked:
        initial.update(requester=picked["pk"], contact_name=picked["name"], building=picked["building"], room=picked["room"])
    form = ConsoleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        requester = _caller_choice(request, form)
        if form.is_valid():
            ticket = _file(request, form, requester=requester)
            if ticket is not None:
                return redirect("whistle:filed", pk=ticket.pk)
    context = {
        "form": form, "rows": rows, "phone": phone, "searched": bool(phone) and not picked, "picked": picked,
        "care": _care_suggestion(picked, form) if picked else None,
    }
    return render(request, "whistle/console.html", context, status=400 if form.errors else 200)


def _caller_choice(request, form):
    """The resident the operator picked from the phone lookup (only one he may see)."""
    pk = form.cleaned_data.get("requester")
    if not pk:
        return None
    matches = {r.pk: r for r in intake.caller_lookup(request.user, form.cleaned_data.get("phone", ""))}
    resident = matches.get(pk)
    if resident is None:
        form.add_error("phone", _("所选居民与来电号码不符，请重新查询。"))
    return resident


@never_cache
@login_required
@require_GET
def caller_lookup(request):
    """htmx: residents with this phone number, each a link that prefills the console."""
    require_role(request.user, *CONSOLE_ROLES)
    form = LookupForm(request.GET)
    phone = form.cleaned_data["phone"] if form.is_valid() else ""
    context = {"rows": _lookup_rows(request.user, phone), "phone": phone, "searched": bool(phone), "started": request.GET.get("started", "")}
    if not is_htmx(request):
        return redirect(f"{reverse('whistle:console')}?phone={phone}")
    return render(request, "whistle/_caller.html", context)


@never_cache
@login_required
@require_GET
def filed(request, pk):
    """After saving: the ticket number, and (for staff) tickets that may be the same problem."""
    ticket = selectors.ticket_for(request.user, pk)
    staff = selectors.is_staff_viewer(request.user, ticket)
    duplicates = selectors.possible_duplicates(request.user, ticket) if staff else []
    filed_data = (ticket.events.filter(action="file").values_list("data", flat=True).first() if staff else None) or {}
    context = {"ticket": ticket, "duplicates": duplicates, "staff": staff, "urgency_raised": filed_data.get("urgency_raised")}
    return render(request, "whistle/filed.html", context)


def _likely(request, form):
    """Open tickets likely the same problem as the one in the resident's form so far (what
    he chose as the category and place, what he wrote), to join instead of filing again."""
    data = getattr(form, "cleaned_data", {})
    where, place = data.get("where"), {}
    if where == form.WHERE_HOME and form.household is not None:
        place["household"] = form.household
    elif where == form.WHERE_BUILDING and data.get("building"):
        place["building"] = data["building"]
    elif where == form.WHERE_POINT and data.get("lat") is not None and data.get("lon") is not None:
        place.update(lon=data["lon"], lat=data["lat"])
    if not place or not data.get("category"):
        return []
    return selectors.likely_duplicates(request.user, category=data["category"], description=data.get("description", ""), **place)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_file(request):
    """A resident's own request, made for a phone: what, where (home by default), photos.

    Before a ticket is filed the resident sees open tickets that are likely the same problem
    (as he fills the form, through htmx; or, without script, on submitting) and may join one
    ("me too") instead; "不是同一个问题" files his own."""
    require_role(request.user, Role.RESIDENT, message=_("只有登记的居民可以在这里反映问题。"))
    form = ResidentFileForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        likely = [] if request.POST.get("new_anyway") else _likely(request, form)
        seen = set(request.POST.getlist("seen"))
        if any(str(t.pk) not in seen and not t.mine for t in likely):
            context = {"form": form, "likely": likely, "asked": True, "photos_dropped": bool(form.cleaned_data.get("photos"))}
            return render(request, "whistle/resident_file.html", context)
        ticket = _file(request, form)
        if ticket is not None and form.elder is not None:
            # Filed for an elder: the ticket is hers (she follows it); the filer's record is the proxy page.
            messages.success(request, _("已为 %(name)s 提交诉求，编号 %(number)s。") % {"name": form.elder.name, "number": ticket.number})
            return redirect("people:proxies")
        if ticket is not None:
            return redirect("whistle:filed", pk=ticket.pk)
    return render(request, "whistle/resident_file.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_similar(request):
    """htmx: the likely duplicates of what the resident's form holds so far. The page posts
    it (a description of 4,000 characters would make a URL longer than proxies take); it
    changes nothing, and answers a GET the same way."""
    require_role(request.user, Role.RESIDENT, message=_("只有登记的居民可以在这里反映问题。"))
    form = ResidentFileForm(request.POST if request.method == "POST" else request.GET, user=request.user)
    form.is_valid()  # what is filled in so far is cleaned; the rest does not matter here
    return render(request, "whistle/_likely.html", {"likely": _likely(request, form)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def patrol(request):
    """A grid worker's patrol report: for a resident of his grid, or something found."""
    require_role(request.user, Role.GRID_WORKER)
    form = PatrolForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ticket = _file(request, form)
        if ticket is not None:
            return redirect("whistle:filed", pk=ticket.pk)
    return render(request, "whistle/patrol.html", {"form": form}, status=400 if form.errors else 200)
