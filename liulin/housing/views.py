"""Pages of housing. Applicants and tenants on a phone: the open rounds, the application with
its document checklist, the state, rank and offer, accepting and signing, the lease and its
invoices and inspections. The housing manager: rounds and their steps, the review queue
(htmx: a decision replaces its row), the 公示, the list's hash, the draw, offers, leases,
invoices and arrears, inspections whose defects become 雷锋哨 work orders. Anyone: a drawn
round's published ranks (no names) and the draw file. Thin: selectors read, services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liulin.core import clock, publication
from liulin.core import lottery as public_lottery
from liulin.core.errors import DomainError, NotFound, NotPermitted, add_to_form

from . import selectors, services
from .forms import ApplyForm, DocumentForm, DrawForm, InspectionForm, NewRound, ReasonForm, RenewalForm
from .models import Application, Lease, RenewalRequest, Round
from .workflow import APPLICATION_WORKFLOW, LEASE_WORKFLOW

AS = Application.State
RS = Round.State

PERSON_ACTIONS = ("resubmit", "withdraw", "accept", "decline")
REVIEW_ACTIONS = ("approve", "reject", "send_back")


def _refuse_or_say(request, error):
    if isinstance(error, NotFound | NotPermitted):
        raise error
    messages.error(request, error.detail)


def _must_manage(user, obj):
    if not selectors.manages(user, obj):
        raise NotFound(_(services.NOT_FOUND))


@login_required
def home(request):
    user = request.user
    rounds = list(selectors.rounds_for(user)[:50])
    managed = selectors.run_round_ids(user, rounds)
    can_create = selectors.communities_for_rounds(user).exists()
    return render(request, "housing/home.html", {
        "open_rounds": [r for r in rounds if r.state == RS.OPEN],
        "rounds": [r for r in rounds if r.pk in managed],
        "drawn": [r for r in rounds if r.state == RS.DRAWN and r.pk not in managed],
        "applications": list(selectors.my_applications(user)),
        "leases": list(selectors.my_leases(user)),
        "manages": bool(managed) or can_create,
        "can_create": can_create,
    })


@login_required
def round_list(request):
    """Every round the user may read; managers see each one's applications counted and open a new one."""
    user = request.user
    rows = list(selectors.round_list(user)[:200])
    return render(request, "housing/rounds.html", {
        "rows": rows, "managed": selectors.run_round_ids(user, rows),
        "can_create": selectors.communities_for_rounds(user).exists(),
    })


@login_required
def round_new(request):
    """A new call for applications: title, answer days, and its conditions and tiers as rows."""
    user = request.user
    communities = selectors.communities_for_rounds(user)
    if not communities.exists():
        raise NotFound(_(services.NOT_FOUND))
    if request.method != "POST":
        return render(request, "housing/round_new.html", {"new": NewRound(communities=communities)})
    more = request.POST.get("more", "")
    if more:  # more blank rows, what was typed kept
        new = NewRound(NewRound.with_more_rows(request.POST, more), communities=communities)
        new.is_valid()
        return render(request, "housing/round_new.html", {"new": new})
    new = NewRound(request.POST, communities=communities)
    if new.is_valid():
        data = new.form.cleaned_data
        try:
            round_ = services.create_round(actor=user, community=data["community"], title=data["title"],
                                           offer_days=data["offer_days"], rules=new.rule_rows(), tiers=new.tier_rows())
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            new.add_error(error)
        else:
            messages.success(request, _("申请批次已发布，居民现在可以申请。"))
            return redirect("housing:round", round_.pk)
    return render(request, "housing/round_new.html", {"new": new}, status=200)


@login_required
def round_detail(request, pk):
    user = request.user
    round_ = selectors.round_for(user, pk)
    manager = selectors.manages(user, round_)
    context = {
        "round": round_, "manager": manager, "rules": list(round_.rules.all()), "tiers": list(round_.tiers.all()),
        "mine": selectors.my_application_in(user, round_), "draw": selectors.current_draw(round_),
        "notice": publication.status_of(round_.notice_id),
    }
    if manager:
        context.update(counts=selectors.state_counts(round_), reason_form=ReasonForm(), draw_form=DrawForm(),
                       offers=list(selectors.offers(round_)), free=selectors.free_count(round_),
                       states=AS.choices)
    return render(request, "housing/round.html", context)


@login_required
def apply(request, pk):
    user = request.user
    round_ = selectors.round_for(user, pk)
    resident = getattr(user, "resident", None)
    if round_.state != RS.OPEN or resident is None:
        messages.error(request, _("本批次不在受理期，或您的账号未关联居民信息。"))
        return redirect("housing:round", round_.pk)
    mine = selectors.my_application_in(user, round_)
    if mine is not None:
        return redirect("housing:application", mine.pk)
    form = ApplyForm(request.POST or None, round=round_)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.submit_application(actor=user, round=round_, applicant=resident,
                                                      tier=form.cleaned_data["tier"], answers=form.answers())
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            field = error.field and f"answer_{error.field}"
            error.field = field if field in form.fields else error.field
            add_to_form(form, error)
        else:
            messages.success(request, _("申请已提交，请上传材料清单中的证明文件。"))
            return redirect("housing:application", application.pk)
    return render(request, "housing/apply.html", {"round": round_, "form": form})


@login_required
@require_POST
def round_act(request, pk):
    user = request.user
    round_ = selectors.round_for(user, pk)
    _must_manage(user, round_)
    action = request.POST.get("action", "")
    if action in ("draw", "rerun"):
        form = DrawForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写公开随机值。"))
            return redirect("housing:round", round_.pk)
        kwargs = {"public_value": form.cleaned_data["public_value"], "reason": form.cleaned_data["reason"]}
    else:
        form = ReasonForm(request.POST)
        kwargs = {"reason": form.cleaned_data["reason"]} if form.is_valid() else {}
    try:
        services.act_on_round(actor=user, round=round_, action=action, **kwargs)
        messages.success(request, _("已完成。"))
    except DomainError as error:
        _refuse_or_say(request, error)
    return redirect("housing:round", round_.pk)


@login_required
@require_POST
def round_offers(request, pk):
    user = request.user
    round_ = selectors.round_for(user, pk)
    _must_manage(user, round_)
    made = services.make_offers(round=round_, actor=user)
    messages.success(request, _("已通知 %(n)s 位轮候人选房。") % {"n": len(made)})
    return redirect("housing:round", round_.pk)


@login_required
def review(request, pk):
    user = request.user
    round_ = selectors.round_for(user, pk)
    _must_manage(user, round_)
    state = request.GET.get("state", AS.SUBMITTED)
    state = state if state in AS.values or state == "all" else AS.SUBMITTED
    rows = list(selectors.review_queue(round_, None if state == "all" else state)[:200])
    return render(request, "housing/review.html", {
        "round": round_, "rows": rows, "state": state, "states": AS.choices, "reviewing": _reviewing(round_),
    })


def _reviewing(round_):
    return round_.state in (RS.OPEN, RS.REVIEWING, RS.PUBLICITY)


def ranks(request, pk):
    """The published ranks of a drawn round: anyone may read and re-run them. No names."""
    round_ = selectors.published_round(pk)
    draw = selectors.current_draw(round_)
    rows = [{"rank": i, "application": app, "applicant": person, "group": group, "lot": public_lottery.lot(draw.seed, app)}
            for i, (app, person, group) in enumerate(draw.ranks, start=1)] if draw else []
    return render(request, "housing/ranks.html", {"round": round_, "draw": draw, "rows": rows,
                                                  "earlier": selectors.earlier_draws(round_)})


@login_required
def application_detail(request, pk):
    user = request.user
    application = selectors.application_for(user, pk)
    manager = selectors.manages(user, application.round)
    own = getattr(getattr(user, "resident", None), "pk", None) == application.applicant_id
    rules = {rule.key: rule for rule in application.round.rules.all()}
    answers = [(rules[k], v) for k, v in application.answers.items() if k in rules]
    editable = application.state in (AS.SUBMITTED, AS.RETURNED)
    return render(request, "housing/application.html", {
        "a": application, "manager": manager, "own": own, "answers": answers,
        "documents": selectors.documents_with_files(application), "editable": editable and (own or manager),
        "document_form": DocumentForm(), "person_actions": [t for t in APPLICATION_WORKFLOW.available_actions(application.state)
                                                            if t.action in PERSON_ACTIONS] if own else [],
        "review_actions": [t for t in APPLICATION_WORKFLOW.available_actions(application.state) if t.action in REVIEW_ACTIONS]
        if manager and _reviewing(application.round) else [],
        "lease": application.leases.filter(state__in=Lease.LIVE).first() if own or manager else None,
    })


@login_required
@require_POST
def application_act(request, pk):
    user = request.user
    application = selectors.application_for(user, pk)
    form = ReasonForm(request.POST)
    action = request.POST.get("action", "")
    result, failed = None, None
    if not form.is_valid():
        failed = _("请检查填写的内容。")
    else:
        try:
            result = services.act_on_application(actor=user, application=application, action=action,
                                                  reason=form.cleaned_data["reason"])
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            failed = error.detail
    if request.headers.get("HX-Request") and request.POST.get("row"):
        row = selectors.review_queue(application.round).get(pk=application.pk)
        return render(request, "housing/_review_row.html", {"r": row, "failed": failed, "reviewing": True})
    if failed:
        messages.error(request, failed)
    else:
        messages.success(request, _("已完成。"))
    if isinstance(result, Lease):
        return redirect("housing:lease", result.pk)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/housing/") else reverse("housing:application", args=[application.pk]))


@login_required
@require_POST
def document_upload(request, pk, key):
    user = request.user
    application = selectors.application_for(user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.provide_document(actor=user, application=application, rule_key=key, upload=form.cleaned_data["file"])
            messages.success(request, _("材料已上传。"))
        except DomainError as error:
            _refuse_or_say(request, error)
    return redirect("housing:application", application.pk)


@login_required
def leases(request):
    user = request.user
    rows = list(selectors.managed_leases(user)[:300])
    if not rows and not selectors.managed_rounds(user).exists() and not selectors.communities_for_rounds(user).exists():
        raise NotFound(_(services.NOT_FOUND))
    return render(request, "housing/leases.html", {"rows": rows, "arrears": selectors.arrears_for(user)[:100],
                                                   "renewals": list(selectors.renewals_due(user)[:100])})


def _renewal(lease, *, own, manager):
    """What the lease page says about renewing: the window, the open and the last request,
    and what the tenant or the manager may do now."""
    today = clock.today()
    requests = selectors.renewal_requests(lease)
    open_request = next((r for r in requests if r.state == RenewalRequest.State.REQUESTED), None)
    active = lease.state == Lease.State.ACTIVE
    in_window = active and services.in_renewal_window(lease, today)
    return {
        "opens_on": services.renewal_opens_on(lease), "active": active, "in_window": in_window,
        "before_window": active and today < services.renewal_opens_on(lease),
        "open": open_request, "last": requests[0] if requests and requests[0] is not open_request else None,
        "can_request": own and in_window and open_request is None,
        "can_withdraw": own and open_request is not None,
        "can_renew": manager and in_window,
        "can_refuse": manager and open_request is not None,
    }


@login_required
def lease_detail(request, pk):
    user = request.user
    lease = selectors.lease_for(user, pk)
    manager = selectors.manages(user, lease.apartment)
    own = getattr(getattr(user, "resident", None), "pk", None) == lease.tenant_id
    available = LEASE_WORKFLOW.available_actions(lease.state)
    renewal = _renewal(lease, own=own, manager=manager)
    if renewal["open"] is not None and (own or manager):
        renewal["open_answers"] = _answer_rows(lease.application.round, renewal["open"].answers)
    return render(request, "housing/lease.html", {
        "lease": lease, "manager": manager, "own": own, "invoices": selectors.invoices(lease),
        "inspections": selectors.inspections(lease), "renewal": renewal,
        "overdue": selectors.overdue_months(lease), "alerts": selectors.arrears_alerts_sent(lease),
        "can_sign": lease.state == Lease.State.PENDING and (own or manager),
        "manager_actions": [t for t in available if t.action in ("cancel", "end", "terminate")] if manager else [],
        "inspection_form": InspectionForm() if manager else None,
    })


def _answer_rows(round_, answers):
    rules = {rule.key: rule for rule in round_.rules.all()}
    return [(rules[k], v) for k, v in (answers or {}).items() if k in rules]


@login_required
@require_POST
def lease_act(request, pk):
    user = request.user
    lease = selectors.lease_for(user, pk)
    form = ReasonForm(request.POST)
    action = request.POST.get("action", "")
    if action == "renew":  # renewing re-checks the answers: its own page
        return redirect("housing:lease_renew", lease.pk)
    try:
        services.act_on_lease(actor=user, lease=lease, action=action,
                              reason=form.cleaned_data["reason"] if form.is_valid() else "")
        messages.success(request, _("合同已签订。") if action == "sign" else _("已完成。"))
    except DomainError as error:
        _refuse_or_say(request, error)
    return redirect("housing:lease", lease.pk)


@login_required
def renewal_request(request, pk):
    """The tenant asks to renew on his phone: his answers to the round's rules as they stand
    now (prefilled from his application) and the term he asks for."""
    user = request.user
    lease = selectors.lease_for(user, pk)
    if getattr(getattr(user, "resident", None), "pk", None) != lease.tenant_id:
        raise NotFound(_(services.NOT_FOUND))
    if any(r.state == RenewalRequest.State.REQUESTED for r in selectors.renewal_requests(lease)):
        messages.info(request, _("已申请续租，正在办理中。"))
        return redirect("housing:lease", lease.pk)
    round_ = lease.application.round
    form = RenewalForm(request.POST or None, round=round_, answers=lease.application.answers)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_renewal(actor=user, lease=lease, answers=form.answers(), term_months=form.cleaned_data["term_months"])
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            form.add_error(form.field_of(error), error.detail)
        else:
            messages.success(request, _("续租申请已提交，工作人员复核资格后办理。"))
            return redirect("housing:lease", lease.pk)
    return render(request, "housing/renewal_request.html", {
        "lease": lease, "form": form, "opens_on": services.renewal_opens_on(lease),
        "in_window": lease.state == Lease.State.ACTIVE and services.in_renewal_window(lease, clock.today()),
    })


@login_required
def lease_renew(request, pk):
    """The manager renews a lease in its window: the tenant's answers re-checked against the
    round's rules (prefilled from his open request, or his application), and the term."""
    user = request.user
    lease = selectors.lease_for(user, pk)
    _must_manage(user, lease.apartment)
    requests = selectors.renewal_requests(lease)
    open_request = next((r for r in requests if r.state == RenewalRequest.State.REQUESTED), None)
    source = open_request.answers if open_request else lease.application.answers
    form = RenewalForm(request.POST or None, round=lease.application.round, answers=source,
                       initial={"term_months": open_request.term_months} if open_request else None)
    if request.method == "POST" and form.is_valid():
        try:
            renewal = services.act_on_lease(actor=user, lease=lease, action="renew", answers=form.answers(),
                                            term_months=form.cleaned_data["term_months"])
        except (NotFound, NotPermitted):
            raise
        except DomainError as error:
            form.add_error(form.field_of(error), error.detail)
        else:
            messages.success(request, _("已续租，新合同自 %(d)s 起。") % {"d": f"{renewal.starts_on:%Y-%m-%d}"})
            return redirect("housing:lease", renewal.pk)
    return render(request, "housing/renew.html", {
        "lease": lease, "form": form, "open": open_request, "opens_on": services.renewal_opens_on(lease),
        "in_window": lease.state == Lease.State.ACTIVE and services.in_renewal_window(lease, clock.today()),
        "overdue": selectors.overdue_months(lease), "window_days": services.RENEWAL_WINDOW_DAYS,
    })


@login_required
@require_POST
def renewal_act(request, pk):
    """Refuse (the manager, with a reason) or withdraw (the tenant) an open renewal request."""
    user = request.user
    found = selectors.renewal_request_for(user, pk)
    form = ReasonForm(request.POST)
    action = request.POST.get("action", "")
    try:
        services.act_on_renewal_request(actor=user, request=found, action=action,
                                        reason=form.cleaned_data["reason"] if form.is_valid() else "")
        messages.success(request, _("已完成。"))
    except DomainError as error:
        _refuse_or_say(request, error)
    return redirect("housing:lease", found.lease_id)


@login_required
@require_POST
def lease_inspect(request, pk):
    user = request.user
    lease = selectors.lease_for(user, pk)
    _must_manage(user, lease.apartment)
    form = InspectionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容。"))
        return redirect("housing:lease", lease.pk)
    try:
        services.record_inspection(actor=user, lease=lease, kind=form.cleaned_data["kind"], defects=form.defects(),
                                   category=form.cleaned_data["category"] or None, notes=form.cleaned_data["notes"])
        messages.success(request, _("验房已记录。"))
    except DomainError as error:
        _refuse_or_say(request, error)
    return redirect("housing:lease", lease.pk)


@login_required
@require_POST
def invoice_pay(request, pk):
    user = request.user
    invoice = selectors.invoice_for(user, pk)
    try:
        services.pay_invoice(actor=user, invoice=invoice)
        messages.success(request, _("已登记缴费。"))
    except DomainError as error:
        _refuse_or_say(request, error)
    return redirect("housing:lease", invoice.lease_id)


@require_GET
def draw_file(request, round_id):
    """The published lottery file anyone downloads to re-run the draw (ids, groups and lots;
    no names or rooms)."""
    round_ = selectors.published_round(round_id)
    draw = selectors.current_draw(round_)
    if draw is None:
        raise NotFound(_(services.NOT_FOUND))
    response = HttpResponse(services.draw_file(draw), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="housing-draw-{round_id}.txt"'
    return response

