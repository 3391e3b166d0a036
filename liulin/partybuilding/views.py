"""Pages of 党建引领惠邻: the hub each role lands on, the public lists and stories, and one
page per wish, need, project and member with the steps the viewer may take. Thin: forms
parse, services write, selectors read; a refused step is a message and changes nothing."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core import clock, pdf
from liulin.core.attachments.selectors import for_owner
from liulin.core.errors import Conflict, Invalid, NotPermitted, add_to_form
from liulin.core.permissions import active_assignments, can, has_perm_anywhere
from liulin.orgs.models import Organisation
from liulin.people.models import Resident
from liulin.territory.models import Area

from . import forms, selectors, services
from .models import Need, Partnership, Project, Registration, ServiceRecord, Wish
from .workflow import PROJECT, REGISTRATION, WISH

REFUSALS = (Invalid, Conflict, NotPermitted)


def _community_of(user):
    """The community the user works in or lives in, for the pages that need one."""
    for a in active_assignments(user):
        if a.area_id and a.area.kind == Area.Kind.COMMUNITY:
            return a.area
        if a.grid_id:
            return a.grid.community
        if a.org_id:
            partnership = Partnership.objects.filter(org_id=a.org_id).select_related("community").first()
            if partnership:
                return partnership.community
    resident = getattr(user, "resident", None)
    if resident is not None and resident.household_id:
        return resident.household.community
    return None


def _require_view(user):
    if not has_perm_anywhere(user, "partybuilding.view"):
        raise NotPermitted(_("您的角色不能查看党建惠邻。"))


def _actions(user, table, obj, *, exclude=()):
    """The table's steps from the object's state that the user's role may take on it."""
    return [t for t in table.available_actions(obj.state) if t.action not in exclude and can(user, table.perm(t.action), obj)]


@login_required
def home(request):
    _require_view(request.user)
    user = request.user
    community = _community_of(user)
    registrations = list(selectors.own_registrations(user))
    confirmed = next((r for r in registrations if r.state == Registration.State.CONFIRMED), None)
    context = {
        "community": community,
        "figures": selectors.figures(user),
        "needs": selectors.needs_for(user, state=Need.State.OPEN)[:20],
        "projects": selectors.projects_for(user).exclude(state__in=[Project.State.CANCELLED, Project.State.COMPLETED])[:20],
        "to_review": selectors.wishes_for(user, state=Wish.State.COLLECTED)[:20],
        "delivered": selectors.wishes_for(user, state=Wish.State.DELIVERED)[:20],
        "raised": selectors.wishes_for(user, state=Wish.State.PUBLISHED).filter(raised_at__isnull=False)[:20]
        if has_perm_anywhere(user, "partybuilding.wish_publish") else [],
        "pending_members": selectors.registrations_for(user, state=Registration.State.PENDING)[:20],
        "services_to_confirm": selectors.services_for(user, state=ServiceRecord.State.LOGGED).exclude(registration__user=user)[:20],
        "registrations": registrations,
        "registration": confirmed,
        "my_wishes": selectors.wishes_for(user).filter(claims__registration__user=user).distinct()[:20] if registrations else [],
        "open_wishes": selectors.public_wishes(community).filter(state=Wish.State.PUBLISHED)[:20] if community else [],
        "open_tasks": selectors.open_tasks(community).exclude(members__registration__user=user)[:20] if confirmed else [],
        "my_tasks": selectors.my_tasks(user)[:20] if registrations else [],
        "may_collect": has_perm_anywhere(user, "partybuilding.wish_collect"),
        "may_raise": has_perm_anywhere(user, "partybuilding.need_raise"),
        "quarter": (clock.today().month - 1) // 3 + 1,
        "year": clock.today().year,
    }
    return render(request, "partybuilding/home.html", context)


# --- public: no login, no personal data ---------------------------------------------------------


def _public_community(community_id):
    return get_object_or_404(Area, pk=community_id, kind=Area.Kind.COMMUNITY)


def public_lists(request, community_id):
    community = _public_community(community_id)
    return render(request, "partybuilding/public.html", {
        "community": community, "needs": selectors.public_needs(community)[:50], "resources": selectors.public_resources(community),
        "projects": selectors.public_projects(community)[:50], "stories": selectors.public_stories(community),
    })


def public_wishes(request, community_id):
    community = _public_community(community_id)
    kind = request.GET.get("kind") or None
    if kind not in Wish.Kind.values:
        kind = None
    return render(request, "partybuilding/wishes.html", {
        "community": community, "wishes": selectors.public_wishes(community, kind=kind)[:100], "kinds": Wish.Kind.choices, "kind": kind,
    })


def public_wish(request, community_id, pk):
    community = _public_community(community_id)
    wish = selectors.public_wish(community, pk)
    if wish is None:
        raise Http404
    may_claim = (request.user.is_authenticated and wish.state == Wish.State.PUBLISHED
                 and Registration.objects.filter(user=request.user, community=community, state=Registration.State.CONFIRMED).exists())
    return render(request, "partybuilding/public_wish.html", {"community": community, "wish": wish, "may_claim": may_claim})


# --- wishes -------------------------------------------------------------------------------------


@login_required
def wish_new(request):
    community = _community_of(request.user)
    if community is None or not has_perm_anywhere(request.user, "partybuilding.wish_collect"):
        raise NotPermitted(_("您的角色不能收集心愿。"))
    form = forms.WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = selectors.grid_of(request.user, community)
        beneficiary = None
        if data["beneficiary_id"]:
            beneficiary = selectors_resident(request.user, data["beneficiary_id"])
            if beneficiary is None:
                form.add_error("beneficiary_id", _("找不到该居民，或您无权查看。"))
        if not form.errors:
            try:
                wish = services.collect_wish(actor=request.user, community=community, grid=grid, title=data["title"], kind=data["kind"],
                                             beneficiary_label=data["beneficiary_label"], description=data["description"],
                                             capacity=data["capacity"], beneficiary=beneficiary)
            except REFUSALS as e:
                add_to_form(form, e)
            else:
                messages.success(request, _("心愿已登记，等待社区审核。"))
                return redirect("partybuilding:wish", pk=wish.pk)
    return render(request, "partybuilding/form.html", {"form": form, "title": _("收集微心愿")}, status=400 if form.errors else 200)


def selectors_resident(user, resident_id):
    from liulin.core.permissions import scoped

    return scoped(user, Resident.objects.filter(pk=resident_id), "people.view").first()


@login_required
def wish_detail(request, pk):
    _require_view(request.user)
    wish = selectors.wish_for(request.user, pk)
    is_claimer = wish.claims.filter(registration__user=request.user).exists()
    actions = _actions(request.user, WISH, wish, exclude=("wish_claim", "wish_deliver", "wish_confirm"))
    return render(request, "partybuilding/wish.html", {
        "wish": wish, "claims": selectors.claimers_of(wish), "actions": actions, "photos": for_owner(wish, "proof"),
        "may_deliver": is_claimer and wish.state == Wish.State.CLAIMED,
        "may_confirm": not is_claimer and wish.state == Wish.State.DELIVERED and can(request.user, "partybuilding.wish_confirm", wish),
        "deliver_form": forms.DeliverForm(), "confirm_form": forms.ConfirmWishForm(), "reason_form": forms.ReasonForm(),
    })


def _done(request, ok_message, target):
    messages.success(request, ok_message)
    return redirect(target)


def _refused(request, error, target):
    messages.error(request, error.detail)
    return redirect(target)


@login_required
@require_POST
def wish_step(request, pk):
    wish = selectors.wish_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.wish_step(actor=request.user, wish=wish, action=request.POST.get("action", ""), reason=form.cleaned_data.get("reason", ""))
    except REFUSALS as e:
        return _refused(request, e, reverse("partybuilding:wish", args=[wish.pk]))
    return _done(request, _("已完成。"), reverse("partybuilding:wish", args=[wish.pk]))


@login_required
@require_POST
def wish_claim(request, pk):
    wish = Wish.objects.filter(pk=pk, state__in=selectors.PUBLIC_WISH_STATES).first()
    if wish is None:
        raise Http404
    back = reverse("partybuilding:public_wish", args=[wish.community_id, wish.pk])
    try:
        services.claim_wish(actor=request.user, wish=wish)
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("认领成功，请按约送达。"), reverse("partybuilding:wish", args=[wish.pk]))


@login_required
@require_POST
def wish_deliver(request, pk):
    wish = selectors.wish_for(request.user, pk)
    form = forms.DeliverForm(request.POST, request.FILES)
    back = reverse("partybuilding:wish", args=[wish.pk])
    if not form.is_valid():
        messages.error(request, _("请填写送达说明并上传照片。"))
        return redirect(back)
    try:
        services.deliver_wish(actor=request.user, wish=wish, note=form.cleaned_data["note"], photos=form.cleaned_data["photos"])
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已送达，等待心愿人确认。"), back)


@login_required
@require_POST
def wish_confirm(request, pk):
    wish = selectors.wish_for(request.user, pk)
    form = forms.ConfirmWishForm(request.POST)
    form.is_valid()
    back = reverse("partybuilding:wish", args=[wish.pk])
    try:
        services.confirm_wish(actor=request.user, wish=wish, story=form.cleaned_data.get("story", ""))
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("心愿已实现。"), back)


# --- needs and projects ---------------------------------------------------------------------------


@login_required
def need_new(request):
    community = _community_of(request.user)
    if community is None or not has_perm_anywhere(request.user, "partybuilding.need_raise"):
        raise NotPermitted(_("您的角色不能登记需求。"))
    form = forms.NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grid = selectors.grid_of(request.user, community)
        try:
            need = services.raise_need(actor=request.user, community=community, grid=grid, **form.cleaned_data)
        except REFUSALS as e:
            add_to_form(form, e)
        else:
            return _done(request, _("需求已登记。"), reverse("partybuilding:need", args=[need.pk]))
    return render(request, "partybuilding/form.html", {"form": form, "title": _("登记需求")}, status=400 if form.errors else 200)


@login_required
def need_detail(request, pk):
    _require_view(request.user)
    need = selectors.need_for(request.user, pk)
    may_claim = can(request.user, "partybuilding.need_claim", need) and need.state == Need.State.OPEN
    may_assign = can(request.user, "partybuilding.need_assign", need) and need.state == Need.State.OPEN
    today = clock.today()
    initial = {"starts_on": today, "ends_on": today + datetime.timedelta(days=14)}
    resources = list(selectors.resources_for(request.user, community=need.community)) if may_assign else []
    return render(request, "partybuilding/need.html", {
        "need": need, "projects": need.projects.select_related("org"), "may_claim": may_claim, "may_assign": may_assign,
        "claim_form": forms.ClaimNeedForm(initial=initial), "assign_form": forms.AssignForm(initial=initial, resources=resources),
        "may_withdraw": can(request.user, "partybuilding.need_withdraw", need) and need.state == Need.State.OPEN,
        "reason_form": forms.ReasonForm(),
    })


@login_required
@require_POST
def need_claim(request, pk):
    need = selectors.need_for(request.user, pk)
    back = reverse("partybuilding:need", args=[need.pk])
    assign = "resource" in request.POST
    form = (forms.AssignForm(request.POST, resources=selectors.resources_for(request.user, community=need.community)) if assign
            else forms.ClaimNeedForm(request.POST))
    if not form.is_valid():
        messages.error(request, _("请填写负责人和日期。"))
        return redirect(back)
    data = form.cleaned_data
    try:
        if assign:
            resource = selectors.resource_for(request.user, data.pop("resource"))
            project = services.assign_resource(actor=request.user, need=need, resource=resource, **data)
        else:
            project = services.claim_need(actor=request.user, need=need, **data)
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已立项。"), reverse("partybuilding:project", args=[project.pk]))


@login_required
@require_POST
def need_withdraw(request, pk):
    need = selectors.need_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    back = reverse("partybuilding:need", args=[need.pk])
    try:
        services.withdraw_need(actor=request.user, need=need, reason=form.cleaned_data.get("reason", ""))
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("需求已撤回。"), back)


@login_required
def project_detail(request, pk):
    _require_view(request.user)
    project = selectors.project_for(request.user, pk)
    return render(request, "partybuilding/project.html", {
        "project": project, "actions": _actions(request.user, PROJECT, project), "reason_form": forms.ReasonForm(),
        "events": project.events.order_by("seq"),
    })


@login_required
@require_POST
def project_step(request, pk):
    project = selectors.project_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    back = reverse("partybuilding:project", args=[project.pk])
    try:
        services.project_step(actor=request.user, project=project, action=request.POST.get("action", ""),
                              reason=form.cleaned_data.get("reason", ""))
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已完成。"), back)


@login_required
@require_POST
def project_join(request, pk):
    project = Project.objects.filter(pk=pk).first()
    if project is None:
        raise Http404
    back = reverse("partybuilding:home")
    try:
        services.join_project(actor=request.user, project=project)
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已认领任务。"), back)


# --- members (双报到) -------------------------------------------------------------------------------


@login_required
def register(request):
    resident = getattr(request.user, "resident", None)
    community = resident.household.community if resident is not None and resident.household_id else None
    orgs = (Organisation.objects.filter(kind=Organisation.Kind.PARTNER_UNIT, is_active=True, partnerships__community=community)
            .distinct().order_by("name") if community else [])
    form = forms.RegisterForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        org = next((o for o in orgs if o.pk == form.cleaned_data["org"]), None)
        if org is None:
            form.add_error("org", _("请选择您所在单位的党组织（共建单位）。"))
        else:
            try:
                services.register_member(actor=request.user, org=org, posts=form.cleaned_data["posts"])
            except REFUSALS as e:
                add_to_form(form, e)
            else:
                return _done(request, _("已报到，等待单位党组织确认。"), reverse("partybuilding:home"))
    return render(request, "partybuilding/form.html", {"form": form, "title": _("在职党员到社区报到"), "community": community},
                  status=400 if form.errors else 200)


@login_required
def members(request):
    _require_view(request.user)
    rows = selectors.registrations_for(request.user)
    return render(request, "partybuilding/members.html", {
        "registrations": rows, "year": clock.today().year, "quarter": (clock.today().month - 1) // 3 + 1,
        "may_evaluate": has_perm_anywhere(request.user, "partybuilding.evaluate"),
    })


@login_required
def member_detail(request, pk):
    _require_view(request.user)
    registration = selectors.registration_for(request.user, pk)
    return render(request, "partybuilding/member.html", {
        "registration": registration, "actions": _actions(request.user, REGISTRATION, registration),
        "services": registration.services.order_by("-served_on")[:50], "reason_form": forms.ReasonForm(),
        "evaluations": registration.evaluations.order_by("-year"),
        "evaluation_form": forms.EvaluationForm(initial={"year": clock.today().year})
        if can(request.user, "partybuilding.evaluate", registration) else None,
        "year": clock.today().year, "quarter": (clock.today().month - 1) // 3 + 1,
    })


@login_required
@require_POST
def member_step(request, pk):
    registration = selectors.registration_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    back = reverse("partybuilding:member", args=[registration.pk])
    try:
        services.registration_step(actor=request.user, registration=registration, action=request.POST.get("action", ""),
                                   reason=form.cleaned_data.get("reason", ""))
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已完成。"), back)


@login_required
@require_POST
def member_evaluate(request, pk):
    registration = selectors.registration_for(request.user, pk)
    form = forms.EvaluationForm(request.POST)
    back = reverse("partybuilding:member", args=[registration.pk])
    if not form.is_valid():
        messages.error(request, _("请选择年度和评定等次。"))
        return redirect(back)
    try:
        services.evaluate_member(actor=request.user, registration=registration, **form.cleaned_data)
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已评议。"), back)


@login_required
def member_report(request, pk, year, quarter):
    """A member's quarterly report for his employer's party organisation; printable."""
    _require_view(request.user)
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2999:
        raise Http404
    registration = selectors.registration_for(request.user, pk)
    return render(request, "partybuilding/report.html", selectors.member_quarter(registration, year, quarter))


@login_required
def member_report_pdf(request, pk, year, quarter):
    """The same quarterly report as a PDF (WeasyPrint, Noto CJK), for the unit's party
    organisation to file; the notification of `send_quarterly_reports` links here."""
    _require_view(request.user)
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2999:
        raise Http404
    registration = selectors.registration_for(request.user, pk)
    report = selectors.member_quarter(registration, year, quarter)
    return pdf.response(pdf.render("partybuilding/report_pdf.html", {**report, "printed_on": clock.today()}),
                        filename=f"partybuilding-member-{registration.pk}-{year}-q{quarter}.pdf")


# --- services -----------------------------------------------------------------------------------------


@login_required
def service_new(request):
    registration = selectors.own_registrations(request.user).filter(state=Registration.State.CONFIRMED).first()
    if registration is None:
        raise NotPermitted(_("报到经单位确认后才能登记服务。"))
    wishes = list(Wish.objects.filter(claims__registration=registration).exclude(state=Wish.State.WITHDRAWN)
                  .select_related("beneficiary").order_by("-created_at")[:20])
    projects = list(Project.objects.filter(members__registration=registration).select_related("need", "org")
                    .order_by("-created_at")[:20])
    form = forms.ServiceForm(request.POST or None, request.FILES or None, initial={"served_on": clock.today()}, wishes=wishes,
                             projects=projects)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        wish_id, project_id = data.pop("wish"), data.pop("project")
        wish = next((w for w in wishes if w.pk == wish_id), None)
        project = next((p for p in projects if p.pk == project_id), None)
        beneficiary = wish.beneficiary if wish else (project.need.beneficiary if project else None)
        try:
            # Served for a wish or a project: its beneficiary (or his grid's worker) confirms the service.
            services.log_service(actor=request.user, registration=registration, wish=wish, project=project,
                                 beneficiary=beneficiary, **data)
        except REFUSALS as e:
            add_to_form(form, e)
        else:
            return _done(request, _("服务已登记，等待服务对象或网格员确认。"), reverse("partybuilding:home"))
    return render(request, "partybuilding/form.html", {"form": form, "title": _("登记服务"), "multipart": True},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def service_step(request, pk):
    record = selectors.service_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.service_step(actor=request.user, record=record, action=request.POST.get("action", ""),
                              reason=form.cleaned_data.get("reason", ""))
    except REFUSALS as e:
        return _refused(request, e, reverse("partybuilding:home"))
    return _done(request, _("已完成。"), reverse("partybuilding:home"))


# --- partner units, 五联, figures ---------------------------------------------------------------------


@login_required
def units(request):
    _require_view(request.user)
    return render(request, "partybuilding/units.html", {
        "partnerships": selectors.partnerships_for(request.user), "year": clock.today().year,
    })


@login_required
def unit_detail(request, pk):
    _require_view(request.user)
    partnership = selectors.partnership_for(request.user, pk)
    may_manage = can(request.user, "partybuilding.manage", partnership)
    form = forms.ActivityForm(request.POST or None, request.FILES or None, initial={"held_on": clock.today()}) if may_manage else None
    resource_form = forms.ResourceForm(prefix="r") if may_manage else None
    if request.method == "POST":
        if not may_manage:
            raise NotPermitted(_("您的角色不能登记五联活动。"))
        if form.is_valid():
            try:
                services.record_activity(actor=request.user, partnership=partnership, **form.cleaned_data)
            except REFUSALS as e:
                add_to_form(form, e)
            else:
                return _done(request, _("五联活动已登记。"), reverse("partybuilding:unit", args=[partnership.pk]))
    year = clock.today().year
    return render(request, "partybuilding/unit.html", {
        "partnership": partnership, "report": selectors.unit_year(request.user, partnership, year), "form": form,
        "resource_form": resource_form, "resources": selectors.resources_for(request.user).filter(org=partnership.org),
        "quarter_form": forms.QuarterForm(initial={"year": year, "quarter": (clock.today().month - 1) // 3 + 1})
        if can(request.user, "partybuilding.report", partnership) else None,
        "activities": selectors.activities_for(request.user, partnership=partnership)[:30],
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def resource_new(request, pk):
    partnership = selectors.partnership_for(request.user, pk)
    form = forms.ResourceForm(request.POST, prefix="r")
    back = reverse("partybuilding:unit", args=[partnership.pk])
    if not form.is_valid():
        messages.error(request, _("请填写资源名称和可服务次数。"))
        return redirect(back)
    try:
        if not can(request.user, "partybuilding.manage", partnership):
            raise NotPermitted(_("您的角色不能登记资源。"))
        services.offer_resource(actor=request.user, org=partnership.org, community=partnership.community, **form.cleaned_data)
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("资源已登记。"), back)


@login_required
@require_POST
def unit_send_reports(request, pk):
    """Tell the unit's party organisation that its members' reports for the quarter are ready."""
    partnership = selectors.partnership_for(request.user, pk)
    form = forms.QuarterForm(request.POST)
    back = reverse("partybuilding:unit", args=[partnership.pk])
    if not form.is_valid():
        messages.error(request, _("请选择年度和季度。"))
        return redirect(back)
    try:
        if not can(request.user, "partybuilding.report", partnership):
            raise NotPermitted(_("您的角色不能发送季度报告。"))
        count = services.send_quarterly_reports(actor=request.user, org=partnership.org, **form.cleaned_data)
    except REFUSALS as e:
        return _refused(request, e, back)
    return _done(request, _("已通知单位党组织：%(n)s 名党员的季度报告。") % {"n": count}, back)


@login_required
def unit_report(request, pk, year):
    _require_view(request.user)
    if not 2000 <= year <= 2999:
        raise Http404
    partnership = selectors.partnership_for(request.user, pk)
    return render(request, "partybuilding/unit_report.html", selectors.unit_year(request.user, partnership, year))


@login_required
def unit_report_pdf(request, pk, year):
    _require_view(request.user)
    if not 2000 <= year <= 2999:
        raise Http404
    partnership = selectors.partnership_for(request.user, pk)
    report = selectors.unit_year(request.user, partnership, year)
    return pdf.response(pdf.render("partybuilding/unit_report_pdf.html", {**report, "printed_on": clock.today()}),
                        filename=f"partybuilding-unit-{partnership.pk}-{year}.pdf")


@login_required
def figures(request):
    _require_view(request.user)
    return render(request, "partybuilding/figures.html", {"figures": selectors.figures(request.user)})




@login_required
def my_wishes(request):
    """A resident's way in from his home page: the public 微心愿 list of his own community."""
    community = _community_of(request.user)
    if community is None:
        raise Http404
    return redirect("partybuilding:public_wishes", community_id=community.pk)
