"""Pages of activities, phone first. Thin: a form parses the input, a selector reads
(scoped), one service writes; a broken rule is shown on the form, never a crash page."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liulin.core import clock, crypto, publication
from liulin.core.errors import DomainError, Invalid, NotFound, NotPermitted, add_to_form
from liulin.core.permissions import can, scoped
from liulin.people.models import Resident

from . import selectors, services
from .forms import CheckInForm, CounterForm, EnrolForm, ReasonForm, SignOutForm
from .models import Activity, Enrolment
from .workflow import ACTIVITY_WORKFLOW, ENROLMENT_WORKFLOW, PERSON_ACTIONS


def _run(form, call):
    try:
        return call()
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        add_to_form(form, error)
        return None


@never_cache
@login_required
def activity_list(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in Activity.Kind.values else None
    activities = list(selectors.activities_for(request.user, kind=kind))
    from liulin.core.permissions import has_perm_anywhere

    return render(request, "activities/list.html", {"activities": activities, "kind": kind, "kinds": Activity.Kind.choices,
                                                     "may_create": has_perm_anywhere(request.user, "activities.create")})


def _detail_context(request, activity, **extra):
    people = selectors.people_i_act_for(request.user)
    runs = selectors.can_run(request.user, activity)
    context = {
        "activity": activity,
        "enrol_form": EnrolForm(people=people) if people.exists() else None,
        "counter_form": CounterForm() if can(request.user, "activities.counter", activity) else None,
        "runs": runs,
        "actions": [t for t in ACTIVITY_WORKFLOW.available_actions(activity.state) if can(request.user, ACTIVITY_WORKFLOW.perm(t.action), activity)],
        "reason_form": ReasonForm(),
    }
    context.update(extra)
    return context


@never_cache
@login_required
def activity_detail(request, pk):
    activity = selectors.activity_for(request.user, pk)
    return render(request, "activities/detail.html", _detail_context(request, activity))


@login_required
@require_POST
def enrol(request, pk):
    activity = selectors.activity_for(request.user, pk)
    form = EnrolForm(request.POST, people=selectors.people_i_act_for(request.user).select_related("household"))
    if form.is_valid():
        resident = form.cleaned_data["resident"]
        enrolment = _run(form, lambda: services.enrol(actor=request.user, activity=activity, resident=resident,
                                                       safety_pledge=form.cleaned_data["safety_pledge"]))
        if enrolment is not None:
            _say_enrolled(request, enrolment)
            return redirect("activities:mine")
    return render(request, "activities/detail.html", _detail_context(request, activity, enrol_form=form), status=400)


@login_required
@require_POST
def enrol_at_counter(request, pk):
    """Staff enrol a person who shows his ID card (no smartphone needed)."""
    activity = selectors.activity_for(request.user, pk)
    form = CounterForm(request.POST)
    if form.is_valid():
        def call():
            number = services._clean_id(form.cleaned_data["id_number"])
            resident = scoped(request.user, Resident.objects.select_related("household"), "people.view").filter(
                id_hash=crypto.keyed_hash(number)).first()
            if resident is None:
                raise Invalid(_("没有找到登记了该身份证号的居民。"), code="unknown_id", field="id_number")
            return services.enrol(actor=request.user, activity=activity, resident=resident, id_number=number,
                                  consent_by=None, safety_pledge=form.cleaned_data["safety_pledge"])
        enrolment = _run(form, call)
        if enrolment is not None:
            _say_enrolled(request, enrolment)
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/detail.html", _detail_context(request, activity, counter_form=form), status=400)


def _say_enrolled(request, enrolment):
    if enrolment.state == Enrolment.State.CONFIRMED:
        messages.success(request, _("%(name)s 报名成功。") % {"name": enrolment.resident.name})
    else:
        messages.warning(request, _("%(name)s 已进入候补，排第 %(n)s 位；有名额时会为您保留。") % {
            "name": enrolment.resident.name, "n": services.waiting_position(enrolment)})


@never_cache
@login_required
def mine(request):
    mine = selectors.my_enrolments(request.user)
    enrolments = selectors.with_positions(mine.filter(pk__in=list(mine.values_list("pk", flat=True)[:100])))
    for enrolment in enrolments:
        enrolment.actions = [t for t in ENROLMENT_WORKFLOW.available_actions(enrolment.state) if t.action in PERSON_ACTIONS]
        enrolment.certificate = enrolment.activity.kind == Activity.Kind.CLASS and enrolment.activity.state == Activity.State.FINISHED
        if enrolment.state == Enrolment.State.CONFIRMED and enrolment.activity.state in (Activity.State.OPEN, Activity.State.CLOSED):
            enrolment.qr = segno.make(services.checkin_code(enrolment), error="m").svg_inline(scale=5, border=2, omitsize=True, title=enrolment.activity.title)
    return render(request, "activities/mine.html", {"enrolments": enrolments})


@login_required
@require_POST
def enrolment_action(request, pk, action):
    if action not in PERSON_ACTIONS:
        raise NotFound(_("没有这个操作。"))
    enrolment = selectors.enrolment_for(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.act_on_enrolment(actor=request.user, enrolment=enrolment, action=action, reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("已办理。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("activities:mine")


@login_required
@require_POST
def activity_action(request, pk, action):
    activity = selectors.activity_for(request.user, pk)
    if action not in ACTIVITY_WORKFLOW.transitions:
        raise NotFound(_("没有这个操作。"))
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.act_on_activity(actor=request.user, activity=activity, action=action, reason=form.cleaned_data.get("reason", ""),
                                 public_value=form.cleaned_data.get("public_value", ""))
        messages.success(request, _("已办理。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("activities:detail", pk=activity.pk)


@never_cache
@login_required
def check_in(request, pk):
    """The organiser's check-in page: a scanned or typed code, an ID number, or the roll."""
    activity = selectors.activity_for(request.user, pk)
    if not selectors.can_run(request.user, activity):
        raise NotPermitted(_("只有组织者可以签到。"))
    result = None
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        roll = request.POST.get("enrolment")
        if roll:
            enrolment = selectors.roster(request.user, activity).filter(pk=int(roll) if roll.isdigit() else 0).first()
            if enrolment is None:
                raise NotFound(_("本活动没有这位报名人。"))
            form = CheckInForm()
            result = _run(form, lambda: services.check_in(actor=request.user, activity=activity, enrolment=enrolment,
                                                           adult=request.POST.get("adult", "")))
        elif form.is_valid():
            data = form.cleaned_data
            result = _run(form, lambda: services.check_in(actor=request.user, activity=activity, code=data["code"],
                                                           id_number=data["id_number"], adult=data["adult"]))
            if result is not None:
                form = CheckInForm()
    today = clock.today()
    roster = list(selectors.roster(request.user, activity).filter(state=Enrolment.State.CONFIRMED))
    present = selectors.attendance_today(activity, today)
    for enrolment in roster:
        enrolment.today = present.get(enrolment.pk)
    context = {"activity": activity, "form": form, "result": result, "roster": roster,
               "present_count": len(present), "sign_out_form": SignOutForm()}
    return render(request, "activities/checkin.html", context, status=200 if result is not None or request.method == "GET" else 400)


@login_required
@require_POST
def sign_out(request, pk):
    attendance = selectors.attendance_for(request.user, pk)
    form = SignOutForm(request.POST)
    if form.is_valid():
        try:
            services.sign_out(actor=request.user, attendance=attendance, adult=form.cleaned_data["adult"])
            messages.success(request, _("已签退。"))
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            messages.error(request, error.detail)
    else:
        messages.error(request, _("请填写接走孩子的成年人姓名。"))
    return redirect("activities:check_in", pk=attendance.enrolment.activity_id)


@never_cache
@login_required
def teams(request):
    found = list(selectors.teams_for(request.user))
    practices = selectors.practices_of(found)
    for team in found:
        team.practices = practices.get(team.pk, [])
    count, members, party = selectors.team_totals(found)
    return render(request, "activities/teams.html", {"teams": found, "count": count, "members": members, "party": party})


# --- 好家风 selection ----------------------------------------------------------------------------


@never_cache
@login_required
def selection_list(request):
    return render(request, "activities/selections.html", {"selections": selectors.selections_for(request.user)[:50]})


def _selection_context(request, selection, **extra):
    from .forms import NominateForm, VoteForm
    from .workflow import SELECTION_WORKFLOW

    candidates = selectors.candidates(selection)
    context = {
        "selection": selection,
        "candidates": candidates,
        "vote_form": VoteForm(candidates=candidates),
        "nominate_form": NominateForm(),
        "notice": publication.status_of(selection.notice_id),
        "actions": [t for t in SELECTION_WORKFLOW.available_actions(selection.state)
                    if can(request.user, SELECTION_WORKFLOW.perm(t.action), selection)],
    }
    context.update(extra)
    return context


@never_cache
@login_required
def selection_detail(request, pk):
    selection = selectors.selection_for(request.user, pk)
    return render(request, "activities/selection.html", _selection_context(request, selection))


@login_required
@require_POST
def selection_vote(request, pk):
    from . import selection as selection_services
    from .forms import VoteForm

    selection = selectors.selection_for(request.user, pk)
    form = VoteForm(request.POST, candidates=selectors.candidates(selection))
    if form.is_valid() and _run(form, lambda: selection_services.vote(actor=request.user, selection=selection,
                                                                      nominations=list(form.cleaned_data["nominations"]))):
        messages.success(request, _("投票成功，感谢参与。"))
        return redirect("activities:selection", pk=selection.pk)
    return render(request, "activities/selection.html", _selection_context(request, selection, vote_form=form), status=400)


@login_required
@require_POST
def selection_nominate(request, pk):
    from . import selection as selection_services
    from .forms import NominateForm

    selection = selectors.selection_for(request.user, pk)
    form = NominateForm(request.POST)
    resident = getattr(request.user, "resident", None)
    if resident is None or not resident.household_id:
        raise NotPermitted(_("只有本社区实名登记的居民可以参与。"))
    if form.is_valid() and _run(form, lambda: selection_services.nominate(
            actor=request.user, selection=selection, household=resident.household, **form.cleaned_data)):
        messages.success(request, _("推荐已提交，等待审核。"))
        return redirect("activities:selection", pk=selection.pk)
    return render(request, "activities/selection.html", _selection_context(request, selection, nominate_form=form), status=400)


@login_required
@require_POST
def selection_action(request, pk, action):
    from . import selection as selection_services
    from .workflow import SELECTION_WORKFLOW

    selection = selectors.selection_for(request.user, pk)
    if action not in SELECTION_WORKFLOW.transitions:
        raise NotFound(_("没有这个操作。"))
    try:
        selection_services.act_on_selection(actor=request.user, selection=selection, action=action)
        messages.success(request, _("已办理。"))
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("activities:selection", pk=selection.pk)


@never_cache
@login_required
def certificate(request, pk):
    """The completion certificate (PDF) of a finished class, for the student or his family."""
    from django.http import HttpResponse

    from .certificates import certificate_pdf

    enrolment = selectors.enrolment_for(request.user, pk)
    try:
        pdf = certificate_pdf(enrolment, community_name=enrolment.activity.community.name)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("activities:mine")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{enrolment.pk}.pdf"'
    return response


@never_cache
@login_required
def activity_new(request):
    """Community staff create a class or an event (in draft) for their community."""
    from liulin.orgs.models import Organisation
    from liulin.territory.models import Area, Facility

    from .forms import ActivityForm
    from .models import Course, Term

    areas = [a for a in scoped(request.user, Area.objects.filter(kind=Area.Kind.COMMUNITY), "activities.create")]
    if not areas:
        raise NotPermitted(_("您不能在此创建活动。"))
    community = areas[0]
    options = {
        "facilities": Facility.objects.filter(community=community).order_by("name"),
        "organisers": Organisation.objects.filter(community=community, is_active=True).order_by("kind", "name"),
        "courses": Course.objects.filter(community=community),
        "terms": Term.objects.filter(community=community),
    }
    form = ActivityForm(request.POST or None, **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = _run(form, lambda: services.create_activity(
            actor=request.user, community=community, kind=data["kind"], title=data["title"], description=data["description"],
            starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"], reserved=data["reserved"] or 0,
            facility=data["facility"], organiser=data["organiser"], course=data["course"], term=data["term"],
            min_age=data["min_age"], max_age=data["max_age"], slots=form.slots()))
        if activity is not None:
            messages.success(request, _("已创建，开放报名前可以再检查一遍。"))
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/new.html", {"form": form, "community": community},
                  status=400 if request.method == "POST" else 200)


@never_cache
@login_required
def family_link_new(request):
    """Community staff register a verified guardian or family tie (from the household
    register, a birth certificate or a letter of guardianship), found by both ID numbers."""
    from liulin.territory.models import Area

    from .forms import FamilyLinkForm

    if not scoped(request.user, Area.objects.filter(kind=Area.Kind.COMMUNITY), "activities.link_family").exists():
        raise NotPermitted(_("您不能核验该居民的亲属关系。"))
    form = FamilyLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        def call():
            people = scoped(request.user, Resident.objects.select_related("household"), "people.view")
            found = []
            for field in ("resident_id_number", "relative_id_number"):
                number = services._clean_id(form.cleaned_data[field])
                person = people.filter(id_hash=crypto.keyed_hash(number)).first()
                if person is None:
                    raise Invalid(_("没有找到登记了该身份证号的居民。"), code="unknown_id", field=field)
                found.append(person)
            return services.link_family(actor=request.user, resident=found[0], relative=found[1], kind=form.cleaned_data["kind"])
        link = _run(form, call)
        if link is not None:
            messages.success(request, _("亲属关系已登记。"))
            return redirect("activities:family_link")
    return render(request, "activities/family_link.html", {"form": form}, status=400 if request.method == "POST" else 200)
