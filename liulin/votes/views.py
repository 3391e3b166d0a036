"""Vote pages. The owner votes in three screens on a phone (choose, confirm, receipt); the
committee sets up and runs the vote and watches participation; staff enter counter and paper
ballots. Thin: selectors read, services write."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted, add_to_form
from liulin.core.permissions import can, scoped
from liulin.orgs.models import Organisation

from . import announcement, presenters, publication, result_notice, selectors, services
from .forms import (
    ChoiceForm,
    ConfirmForm,
    CounterForm,
    FamilyProxyForm,
    PaperForm,
    ProxyForm,
    ReasonForm,
    ReceiptForm,
    RollSearchForm,
    ServiceForm,
    VoteForm,
)
from .models import Choice, State
from .rules import APPROVAL, QUORUM, format_area
from .workflow import WORKFLOW


def _committees(user):
    """The owners' committees in which `user` may set up votes (a queryset)."""
    orgs = Organisation.objects.filter(kind=Organisation.Kind.OWNERS_COMMITTEE, estate__isnull=False)
    return scoped(user, orgs, "votes.create").order_by("name")


@login_required
def vote_list(request):
    votes = list(selectors.votes_for(request.user)[:100])
    owned = set(selectors.owned_estate_ids(request.user))
    for vote in votes:
        vote.mine = vote.estate_id in owned and vote.state == State.OPEN
    return render(request, "votes/list.html", {"votes": votes, "may_create": _committees(request.user).exists(),
                                               "keeps_register": selectors.register_committees(request.user).exists(),
                                               "for_family": bool(selectors.votes_to_register_for(request.user))})


@login_required
def vote_create(request):
    committees = _committees(request.user)
    if not committees.exists():
        raise NotPermitted(_("只有业主委员会委员可以发起表决。"))
    form = VoteForm(request.POST or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = services.create_vote(actor=request.user, committee=data["committee"], title=data["title"], matter=data["matter"],
                                        description=data["description"], opens_at=data["opens_at"], closes_at=data["closes_at"])
        except Invalid as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("已草拟表决，请在投票开始至少 15 日前发布公告。"))
            return redirect("votes:detail", vote_id=vote.pk)
    return render(request, "votes/create.html", {"form": form}, status=400 if form.errors else 200)


def _figures_context(vote):
    found = selectors.participation(vote)
    figures = found["figures"]
    return {"figures": figures, "decision": found["decision"], "quorum": QUORUM[vote.matter], "approval": APPROVAL[vote.matter],
            "voted_area": format_area(figures.voted_area), "total_area": format_area(figures.total_area),
            "yes_area": format_area(figures.yes_area), "no_area": format_area(figures.no_area),
            "area_pct": _pct(figures.voted_area, figures.total_area), "owner_pct": _pct(figures.voted_owners, figures.total_owners)}


def _pct(part, whole):
    return (part * 100) // whole if whole else 0


def _detail_context(request, vote):
    user = request.user
    staff = selectors.is_staff_for(user, vote)
    owner = selectors.owner_for(user, vote)
    context = {
        "vote": vote, "staff": staff, "owner": owner, "my_units": presenters.my_units(user, vote) if owner else [],
        "actions": [WORKFLOW.transitions[a] for a in presenters.actions_for(user, vote)],
        "clerk": can(user, WORKFLOW.perm("enter_counter"), vote),
        "quorum": QUORUM[vote.matter], "approval": APPROVAL[vote.matter], "receipt_form": ReceiptForm(),
        "reason_form": ReasonForm(), "total_area": format_area(vote.total_area_cm2),
        "proxies": presenters.proxies_shown(user, vote),
        "keeps_register": staff and selectors.keeps_register(user, vote.estate_id),
    }
    if vote.state == State.PUBLISHED:
        context["notice"] = result_notice.status(vote)
    context["announcement"] = announcement.status(vote)
    if staff and vote.state in (State.OPEN, State.CLOSED):
        context.update(_figures_context(vote))
    if vote.state in selectors.RESULT_STATES:
        result = selectors.result(vote)
        context["result"] = [
            (_("严格口径（民法典第二百七十八条）"), result["strict"], result["strict_decision"]),
            (_("议事规则口径（计入已送达未表决业主）"), result["rules"], result["rules_decision"]),
        ]
    return context


@login_required
def vote_detail(request, vote_id):
    vote = selectors.vote_for(request.user, vote_id)
    return render(request, "votes/detail.html", _detail_context(request, vote))


@login_required
@require_POST
def vote_act(request, vote_id, action):
    vote = selectors.vote_for(request.user, vote_id)
    if action not in WORKFLOW.transitions:
        raise NotFound(_("没有这个动作。"))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.act(actor=request.user, vote=vote, action=action, reason=reason)
    except (Invalid, Conflict) as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("已%(action)s。") % {"action": WORKFLOW.transitions[action].label})
    return redirect("votes:detail", vote_id=vote.pk)


@login_required
def participation(request, vote_id):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_staff(request.user, vote)
    return render(request, "votes/_participation.html", {"vote": vote, **_figures_context(vote)})


@login_required
def ballot(request, vote_id):
    """Screen 1: the matter, the owner's units and three big buttons; screen 2: confirm;
    screen 3: the receipt."""
    vote = selectors.vote_for(request.user, vote_id)
    held = request.POST.get("for") or request.GET.get("for")
    if held:  # a registered proxy votes for the owner who appointed him
        owner = selectors.held_owner(request.user, vote, int(held) if str(held).isdigit() else 0)
    else:
        owner = selectors.owner_for(request.user, vote)
    if owner is None:
        raise NotPermitted(_("您的账号未绑定本小区的业主身份。"))
    units = presenters.units_of(vote, owner)
    context = {"vote": vote, "units": units, "area": format_area(sum(u["area_cm2"] for u in units)),
               "voted": any(u["choice"] for u in units), "choices": Choice.choices, "for_owner": owner.pk if held else None}
    if request.method != "POST":
        return render(request, "votes/ballot.html", context)
    confirm = ConfirmForm(request.POST)
    if confirm.is_valid():
        choice = confirm.cleaned_data["choice"]
        try:
            if held:
                code = services.cast_as_proxy(actor=request.user, vote=vote, owner=owner, choice=choice)
            else:
                code = services.cast_online(actor=request.user, vote=vote, choice=choice)
        except (Invalid, Conflict, NotPermitted) as error:
            messages.error(request, error.detail)
            return redirect("votes:detail", vote_id=vote.pk)
        return render(request, "votes/receipt.html", {"vote": vote, "code": code, "choice": Choice(choice),
                                                      "units": presenters.units_of(vote, owner), "for_owner": context["for_owner"]})
    chosen = ChoiceForm(request.POST)
    if not chosen.is_valid():
        return render(request, "votes/ballot.html", {**context, "error": _("请选择同意、反对或弃权。")}, status=400)
    choice = Choice(chosen.cleaned_data["choice"])
    return render(request, "votes/confirm.html", {**context, "choice": choice, "form": ConfirmForm(initial={"choice": choice.value})})


def _entry_context(request, vote, *, form=None, done=None):
    search = RollSearchForm(request.GET or None)
    term = search.cleaned_data["q"] if search.is_valid() else ""
    entries = selectors.roll_search(vote, term) if term else []
    for entry in entries:
        entry.masked_name = presenters.mask_name(entry.owner.name)
    return {"vote": vote, "search": search, "entries": entries, "term": term, "done": done, "form": form}


def _require_clerk(request, vote):
    presenters.require_clerk(request.user, vote)


@login_required
def counter_entry(request, vote_id):
    vote = selectors.vote_for(request.user, vote_id)
    _require_clerk(request, vote)
    done, form = None, None
    if request.method == "POST":
        form = CounterForm(request.POST)
        if form.is_valid():
            try:
                owner = selectors.roll_owner(vote, form.cleaned_data["owner"])
                code = services.cast_counter(actor=request.user, vote=vote, owner=owner, choice=form.cleaned_data["choice"],
                                             id_checked=form.cleaned_data["id_checked"])
            except (Invalid, Conflict, NotFound) as error:
                add_to_form(form, error)
            else:
                done = {"code": code}
                form = None
    context = _entry_context(request, vote, form=form, done=done)
    context["entry_form"] = CounterForm
    return render(request, "votes/counter.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def paper_entry(request, vote_id):
    vote = selectors.vote_for(request.user, vote_id)
    _require_clerk(request, vote)
    done, form = None, None
    if request.method == "POST":
        form = PaperForm(request.POST)
        if form.is_valid():
            try:
                owner = selectors.roll_owner(vote, form.cleaned_data["owner"])
                run = services.resolve_paper if request.POST.get("resolve") else services.enter_paper
                done = run(actor=request.user, vote=vote, owner=owner, choice=form.cleaned_data["choice"],
                           receipt_code=form.cleaned_data["receipt_code"])
            except (Invalid, Conflict, NotFound) as error:
                add_to_form(form, error)
            else:
                form = None
    context = _entry_context(request, vote, form=form, done=done)
    context["unsettled"] = selectors.unsettled_paper(vote)
    context["choices"] = Choice.choices
    return render(request, "votes/paper.html", context, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def receipt_check(request, vote_id):
    vote = selectors.vote_for(request.user, vote_id)
    form = ReceiptForm(request.POST)
    found = presenters.receipt(vote, form.cleaned_data["code"]) if form.is_valid() else None
    if found:
        for unit in found["units"]:
            unit["area"] = format_area(unit["area_cm2"])
            unit["choice_label"] = Choice(unit["choice"]).label
    template = "votes/_receipt_check.html" if request.headers.get("HX-Request") else "votes/receipt_check.html"
    return render(request, template, {"vote": vote, "found": found, "form": form})


@login_required
def record_download(request, vote_id):
    vote = selectors.vote_for(request.user, vote_id)
    presenters.require_result(vote)
    body = json.dumps(publication.export(vote), ensure_ascii=False, indent=1, sort_keys=True)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}.json"'
    return response


@login_required
def proxies(request, vote_id):
    """Staff register an owner's written proxy (with the signed document) and revoke one."""
    vote = selectors.vote_for(request.user, vote_id)
    _require_clerk(request, vote)
    form = None
    if request.method == "POST":
        form = ProxyForm(request.POST, request.FILES)
        if form.is_valid():
            holder = selectors.holder_by_mobile(form.cleaned_data["holder_mobile"])
            try:
                if holder is None:
                    raise Invalid(_("受托人须先注册账号。"), code="invalid_holder", field="holder_mobile")
                owner = selectors.roll_owner(vote, form.cleaned_data["owner"])
                services.register_proxy(actor=request.user, vote=vote, owner=owner, holder=holder,
                                        document=form.cleaned_data["document"])
            except (Invalid, Conflict, NotFound) as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("已登记委托。"))
                return redirect("votes:proxies", vote_id=vote.pk)
    context = _entry_context(request, vote, form=form)
    context["proxies"] = presenters.proxies_shown(request.user, vote)
    return render(request, "votes/proxies.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def proxy_for_family(request):
    """A family member named in an owner's general consent registers the owner's signed
    written proxy for a vote herself, in one step; then she votes by it."""
    rows = selectors.votes_to_register_for(request.user)
    form = None
    if request.method == "POST":
        form = FamilyProxyForm(request.POST, request.FILES)
        chosen = {(vote.pk, owner.pk): (vote, owner) for vote, owner, _held in rows}
        if form.is_valid():
            vote, owner = chosen.get((form.cleaned_data["vote"], form.cleaned_data["owner"]), (None, None))
            try:
                if vote is None:
                    raise NotPermitted(_("您没有该业主对本次表决的代办授权。"), code="proxy_none")
                services.register_proxy(actor=request.user, vote=vote, owner=owner, holder=request.user,
                                        document=form.cleaned_data["document"])
            except (Invalid, Conflict, NotPermitted) as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("已登记委托，您现在可以代为投票。"))
                return redirect("votes:detail", vote_id=vote.pk)
    return render(request, "votes/proxy_for_family.html", {"rows": rows, "form": form},
                  status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def proxy_revoke(request, proxy_id):
    proxy = selectors.proxy_for(request.user, proxy_id)
    try:
        services.revoke_proxy(actor=request.user, proxy=proxy)
    except Conflict as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("已撤销委托。"))
    return redirect("votes:detail", vote_id=proxy.vote_id)


@login_required
@require_POST
def service_record(request, vote_id):
    """Staff record that an owner signed the paper receipt for his ballot."""
    vote = selectors.vote_for(request.user, vote_id)
    _require_clerk(request, vote)
    form = ServiceForm(request.POST)
    if form.is_valid():
        try:
            owner = selectors.roll_owner(vote, form.cleaned_data["owner"])
            services.record_service(actor=request.user, vote=vote, owner=owner, how=form.cleaned_data["how"])
        except (Invalid, Conflict, NotFound, NotPermitted) as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("已登记送达。"))
    else:
        messages.error(request, _("请写明送达方式。"))
    return redirect("votes:paper", vote_id=vote.pk)
