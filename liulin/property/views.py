"""Pages of 物业监督, phone first: owners answer their estate's survey and read the published
result; community staff keep contracts, surveys and supervisors and see results as they come
in; a 物业监督员 walks the contract's checklist with photos, a failed item becoming a work order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core import money, workorders
from liulin.core.errors import DomainError, NotFound, NotPermitted
from liulin.core.permissions import NOT_FOUND

from . import selectors, services
from .forms import ContractForm, SupervisorForm, SurveyForm, answer_form
from .models import SurveyState
from .workflow import SURVEY


def _form_error(form, error):
    if isinstance(error, (NotFound, NotPermitted)):
        raise error
    form.add_error(error.field if error.field in form.fields else None, error.detail)


@login_required
def home(request):
    user = request.user
    estates = selectors.estates_to_manage(user)
    staff = estates.exists()
    surveys = list(selectors.surveys_for(user)[:50])
    answered = selectors.answered_surveys(user, surveys)
    for s in surveys:
        s.mine = s.pk in answered
    return render(request, "property/home.html", {
        "staff": staff,
        "contracts": selectors.contracts_for(user)[:50],
        "surveys": surveys,
        "resident_estate": selectors.estate_id_of(user),
        "supervised": selectors.supervised_estates(user),
        "inspections": selectors.inspections_for(user)[:20],
    })


@login_required
def contract_new(request):
    estates = selectors.estates_to_manage(request.user)
    if not estates.exists():
        raise NotPermitted(_("您的角色不能执行此操作。"))
    form = ContractForm(request.POST or None, estates=estates, companies=selectors.companies_to_manage(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            contract = services.create_contract(
                actor=request.user, estate=data["estate"], company=data["company"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], fee_fen=money.parse_fen(data["fee"], field="fee"), signed_by=data["signed_by"],
                scope_items=form.scope_items())
            messages.success(request, _("已登记物业服务合同。"))
            return redirect("property:contract", pk=contract.pk)
        except DomainError as error:
            _form_error(form, error)
    return render(request, "property/contract_new.html", {"form": form})


@login_required
def contract(request, pk):
    found = selectors.contract_for(request.user, pk)
    return render(request, "property/contract.html", {
        "contract": found, "items": found.scope_items.all(), "fee": money.format_fen(found.fee_fen),
        "inspections": selectors.inspections_for(request.user).filter(contract=found)[:20],
    })


@login_required
def survey_new(request):
    estates = selectors.estates_to_manage(request.user)
    if not estates.exists():
        raise NotPermitted(_("您的角色不能执行此操作。"))
    form = SurveyForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            found = services.create_survey(actor=request.user, estate=data["estate"], year=data["year"],
                                           scale=data["scale"], target_pct=data["target_pct"])
            messages.success(request, _("已建立测评草稿。"))
            return redirect("property:survey", pk=found.pk)
        except DomainError as error:
            _form_error(form, error)
    return render(request, "property/survey_new.html", {"form": form})


def _survey_page(request, found, form=None):
    user = request.user
    dims = selectors.dimensions(found)
    mine = selectors.response_of(user, found)
    may_answer = (found.state == SurveyState.OPEN and mine is None and selectors.estate_id_of(user) == found.estate_id)
    manage = selectors.manages(user, found)
    return render(request, "property/survey.html", {
        "survey": found, "mine": mine, "may_answer": may_answer,
        "form": form or (answer_form(found, dims) if may_answer else None),
        "result": selectors.results(found) if selectors.may_see_result(user, found) else None,
        "actions": SURVEY.available_actions(found.state) if manage else [],
        "events": found.events.all() if manage else [],
    })


@login_required
def survey(request, pk):
    return _survey_page(request, selectors.survey_for(request.user, pk))


@login_required
@require_POST
def answer(request, pk):
    found = selectors.survey_for(request.user, pk)
    form = answer_form(found, selectors.dimensions(found), request.POST)
    if form.is_valid():
        scores = {k: v for k, v in form.cleaned_data.items() if k != "comment"}
        try:
            services.answer(actor=request.user, survey=found, scores=scores, comment=form.cleaned_data["comment"])
            messages.success(request, _("感谢参加测评，您家的答卷已提交。"))
            return redirect("property:survey", pk=found.pk)
        except DomainError as error:
            if isinstance(error, (NotFound, NotPermitted)):
                raise
            messages.error(request, error.detail)
            return redirect("property:survey", pk=found.pk)
    return _survey_page(request, found, form)


@login_required
@require_POST
def act(request, pk, action):
    found = selectors.survey_for(request.user, pk)
    if action not in SURVEY.transitions:
        raise NotFound(_(NOT_FOUND))
    try:
        services.act(actor=request.user, survey=found, action=action)
        messages.success(request, _("已%(action)s。") % {"action": SURVEY.transitions[action].label})
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("property:survey", pk=found.pk)


@login_required
def supervisors(request):
    estates = selectors.estates_to_manage(request.user)
    if not estates.exists():
        raise NotPermitted(_("您的角色不能执行此操作。"))
    form = SupervisorForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            services.appoint_supervisor_by_mobile(actor=request.user, estate=form.cleaned_data["estate"],
                                                  mobile=form.cleaned_data["mobile"])
            messages.success(request, _("已聘任物业监督员。"))
            return redirect("property:supervisors")
        except DomainError as error:
            _form_error(form, error)
    return render(request, "property/supervisors.html", {"form": form, "supervisors": selectors.supervisors_for(request.user)})


@login_required
@require_POST
def end_supervisor(request, pk):
    found = selectors.supervisors_for(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    services.end_supervisor(actor=request.user, supervisor=found)
    messages.success(request, _("监督员已卸任。"))
    return redirect("property:supervisors")


@login_required
def inspect(request, pk):
    estate = next((e for e in selectors.supervised_estates(request.user) if e.pk == pk), None)
    if estate is None:
        raise NotFound(_(NOT_FOUND))
    contract = selectors.contract_in_force(estate)
    items = list(contract.scope_items.all()) if contract else []
    categories = workorders.categories()
    error = None
    if request.method == "POST" and contract is not None:
        checks = [(item, request.POST.get(f"passed_{item.pk}") == "1", request.POST.get(f"note_{item.pk}", ""),
                   request.FILES.getlist(f"photos_{item.pk}")) for item in items]
        try:
            inspection = services.record_inspection(actor=request.user, estate=estate, checks=checks,
                                                    category=request.POST.get("category") or None,
                                                    notes=request.POST.get("notes", ""))
            messages.success(request, _("巡查已记录。"))
            return redirect("property:inspection", pk=inspection.pk)
        except (NotFound, NotPermitted):
            raise
        except DomainError as failure:
            error = failure.detail
    return render(request, "property/inspect.html", {"estate": estate, "contract": contract, "items": items,
                                                     "categories": categories, "error": error, "posted": request.POST})


@login_required
def inspection(request, pk):
    from liulin.core.attachments.selectors import for_owner

    found = selectors.inspection_for(request.user, pk)
    items = selectors.items_of(found)
    for item in items:
        item.photos = list(for_owner(item, "inspection"))
    return render(request, "property/inspection.html", {"inspection": found, "items": items})


