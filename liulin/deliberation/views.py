"""议事 pages: the list of meetings and overdue action items, a meeting's page (agenda,
parties, sign-in, polls, decisions with their action items and work orders, minutes), the
QR sign-in page, and a new meeting. Thin: selectors read, services write; a refused step
comes back as a message on the meeting page."""

import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liulin.core import calendar, clock, pdf, publication, workorders
from liulin.core.errors import DomainError, NotFound, NotPermitted, add_to_form
from liulin.core.permissions import can, has_perm_anywhere

from . import committees, forms, matters, mediation, selectors, services
from .models import Kind, MinutesState, PollState, State
from .workflow import BEFORE_OPENING, CASE, ITEM, MATTER, MEETING, MINUTES, SESSION_STATES, SIGN_IN_STATES


def _require_reader(user):
    if not selectors.may_open(user):
        raise NotPermitted(_("您的角色不能查看议事。"))


@login_required
def home(request):
    _require_reader(request.user)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else None
    meetings = list(selectors.meetings_for(request.user, kind=kind)[:50])
    return render(request, "deliberation/home.html", {
        "meetings": meetings, "kinds": Kind.choices, "kind": kind,
        "overdue": list(selectors.overdue_items(request.user)[:50]),
        "may_convene": has_perm_anywhere(request.user, "deliberation.convene"),
        "may_mediate": has_perm_anywhere(request.user, "deliberation_case.view_case"),
        "may_see_committees": has_perm_anywhere(request.user, "deliberation_term.view_term"),
    })


def _meeting_form(user, data=None):
    return forms.MeetingForm(data, estates=selectors.estates_for_convening(user), venues=selectors.venues_for_convening(user),
                             orgs=selectors.orgs_for_convening(user))


@login_required
def new_meeting(request):
    if not has_perm_anywhere(request.user, "deliberation.convene"):
        raise NotPermitted(_("您的角色不能召集议事。"))
    form = _meeting_form(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = selectors.community_for_convening(request.user, data["estate"], data["venue"])
        wanted = {row[4] for row in data["agenda"] if row[4] is not None}
        earlier = selectors.decisions_seen(request.user, community, wanted)
        if wanted - set(earlier):
            form.add_error("agenda", _("找不到议程关联的决定 #%(n)s。") % {"n": min(wanted - set(earlier))})
            return render(request, "deliberation/new.html", {"form": form})
        data["agenda"] = [(*row[:4], earlier.get(row[4])) for row in data["agenda"]]
        try:
            meeting = services.convene_meeting(
                actor=request.user, kind=data["kind"], title=data["title"], community=community, estate=data["estate"],
                venue=data["venue"], place=data["place"], starts_at=data["starts_at"],
                ends_at=data["starts_at"] + datetime.timedelta(minutes=data["minutes"]), quorum=data["quorum"],
                chair=data["chair"], agenda=data["agenda"], invite=list(data["invite"]))
        except DomainError as error:
            if isinstance(error, NotPermitted) or error.status == 404:
                raise
            add_to_form(form, error)
        else:
            messages.success(request, _("议事会议已创建，请发出通知。"))
            return redirect("deliberation:meeting", meeting.pk)
    return render(request, "deliberation/new.html", {"form": form})


@login_required
def minutes_pdf(request, pk):
    """The final minutes and the sign-in sheet, printed: for those who run the meeting (the
    sheet carries names), once the minutes are frozen."""
    _require_reader(request.user)
    found = selectors.meeting_for(request.user, pk)
    if not can(request.user, "deliberation.convene", found):
        raise NotPermitted(_("只有会议组织者可以打印纪要和签到表。"))
    if found.minutes_state != MinutesState.FINAL:
        messages.error(request, _("纪要定稿后才能打印。"))
        return redirect("deliberation:meeting", found.pk)
    return pdf.response(pdf.render("deliberation/minutes_pdf.html", {
        "meeting": found, "agenda": selectors.agenda_of(request.user, found), "amendments": list(found.amendments.all()),
        "decisions": list(selectors.decisions_of(found)), "sheet": list(selectors.attendances(found)),
        "counts": selectors.attendance_counts(found)}), filename=f"minutes-{found.pk}.pdf")


def _context(request, meeting):
    user = request.user
    staff = can(user, "deliberation.convene", meeting)
    decisions = list(selectors.decisions_of(meeting))
    items = [item for decision in decisions for item in decision.action_items.all()]
    orders = workorders.status([item.work_order_id for item in items])
    for item in items:
        item.order = orders.get(item.work_order_id)
    polls = list(selectors.polls_of(meeting))
    attendance = selectors.attendance_of(user, meeting)
    voted = set(selectors.polls_voted(attendance))
    counts = selectors.tallies([p for p in polls if p.state == PollState.CLOSED or not p.hide_results])
    for poll in polls:
        poll.voted = poll.pk in voted
        poll.shown = counts.get(poll.pk)
    context = {
        "meeting": meeting, "staff": staff, "decisions": decisions, "polls": polls, "attendance": attendance,
        "agenda": selectors.agenda_of(user, meeting),
        "invitations": list(meeting.invitations.select_related("org")),
        "my_orgs": selectors.own_org_ids(user),
        "counts": selectors.attendance_counts(meeting),
        "actions": [t for t in MEETING.available_actions(meeting.state) if staff],
        "minutes_actions": [t for t in MINUTES.available_actions(meeting.minutes_state) if staff and meeting.state == State.HELD],
        "in_session": meeting.state in SESSION_STATES,
        "sign_in_open": meeting.state in SIGN_IN_STATES,
        "amendments": list(meeting.amendments.all()) if staff or attendance else [],
        "may_amend": attendance is not None and meeting.minutes_state == MinutesState.AMENDING,
        "item_actions": {a: ITEM.transitions[a] for a in ("file_order", "complete", "drop")},
    }
    if staff:
        context["sheet"] = list(selectors.attendances(meeting))
        context["rsvp_form"] = forms.RsvpForm(auto_id=False)  # one form per invited party: no shared ids
        if meeting.state in BEFORE_OPENING:  # parties are invited until the meeting opens
            context["invite_form"] = forms.InviteForm(orgs=selectors.orgs_to_invite(meeting), auto_id="invite_%s")
        if meeting.state in SIGN_IN_STATES:
            url = request.build_absolute_uri(reverse("deliberation:sign_in", args=[meeting.pk, meeting.sign_in_token]))
            context["sign_in_url"] = url
            context["qr_svg"] = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
            context["sign_in_for_form"] = forms.SignInForForm(residents=selectors.residents_to_sign_in(user, meeting))
        if meeting.state in SESSION_STATES:
            context["poll_form"] = forms.PollForm()
            context["decision_form"] = _decision_form(user, meeting)
        context["file_form"] = forms.FileOrderForm() if workorders.available() else None
        context["complete_form"] = forms.CompleteForm()
        if meeting.minutes_state == MinutesState.DRAFT and meeting.state != State.CANCELLED:
            context["minutes_form"] = forms.MinutesForm(initial={"minutes": meeting.minutes})
    elif any(i.org_id in context["my_orgs"] for i in context["invitations"]):
        context["rsvp_form"] = forms.RsvpForm(auto_id=False)  # one form per invited party: no shared ids
    return context


def _decision_form(user, meeting, data=None):
    return forms.DecisionForm(data, polls=meeting.polls.filter(state=PollState.CLOSED),
                              owners=selectors.possible_owners(meeting), orgs=selectors.parties(meeting),
                              buildings=selectors.buildings_of(meeting))


@login_required
def meeting(request, pk):
    _require_reader(request.user)
    found = selectors.meeting_for(request.user, pk)
    return render(request, "deliberation/meeting.html", _context(request, found))


def _back(request, meeting, error=None):
    if error is not None:
        messages.error(request, error.detail)
    return redirect("deliberation:meeting", meeting.pk)


def _run(request, meeting, step, done):
    try:
        step()
    except DomainError as error:
        if error.status == 404:
            raise
        return _back(request, meeting, error)
    messages.success(request, done)
    return _back(request, meeting)


@login_required
@require_POST
def act(request, pk, action):
    found = selectors.meeting_for(request.user, pk)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(request, found, lambda: services.act(actor=request.user, meeting=found, action=action, reason=reason),
                _("已完成：%(action)s。") % {"action": MEETING.transitions[action].label if action in MEETING.transitions else action})


@login_required
@require_POST
def rsvp(request, pk, invitation_pk):
    found = selectors.meeting_for(request.user, pk)
    invitation = selectors.invitation_of(found, invitation_pk)
    form = forms.RsvpForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"rsvp": "", "representative": ""}
    return _run(request, found, lambda: services.respond(actor=request.user, invitation=invitation, **data), _("已回复。"))


@login_required
@require_POST
def invite(request, pk):
    """The organiser invites one more party; it is told at once if the notice has gone out, else with the notice."""
    found = selectors.meeting_for(request.user, pk)
    form = forms.InviteForm(request.POST, orgs=selectors.orgs_to_invite(found, invited=True))  # a second one: the service's 409
    if not form.is_valid():
        messages.error(request, _("请选择要邀请的单位。"))
        return _back(request, found)
    return _run(request, found, lambda: services.invite(actor=request.user, meeting=found, org=form.cleaned_data["org"]),
                _("已邀请%(org)s。") % {"org": form.cleaned_data["org"].name})


def sign_in(request, pk, token):
    """The page the meeting's QR code opens: one large button."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    found = selectors.meeting_for(request.user, pk)
    if request.method == "POST":
        try:
            attendance, created = services.sign_in(actor=request.user, meeting=found, token=token)
        except DomainError as error:
            if error.status == 404:
                raise
            return _back(request, found, error)
        messages.success(request, _("签到成功。") if created else _("您已签到过。"))
        return _back(request, found)
    return render(request, "deliberation/sign_in.html", {"meeting": found, "token": token,
                                                         "attendance": selectors.attendance_of(request.user, found)})


@login_required
@require_POST
def sign_in_for(request, pk):
    found = selectors.meeting_for(request.user, pk)
    form = forms.SignInForForm(request.POST, residents=selectors.residents_to_sign_in(request.user, found))
    if not form.is_valid():
        messages.error(request, _("请选择要代签的居民。"))
        return _back(request, found)
    return _run(request, found, lambda: services.sign_in_for(actor=request.user, meeting=found, resident=form.cleaned_data["resident"],
                                                             capacity=form.cleaned_data["capacity"] or None), _("已代签到。"))


@login_required
@require_POST
def open_poll(request, pk):
    found = selectors.meeting_for(request.user, pk)
    form = forms.PollForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写表决事项。"))
        return _back(request, found)
    data = form.cleaned_data
    return _run(request, found, lambda: services.open_poll(actor=request.user, meeting=found, question=data["question"],
                                                           kind=data["kind"], options=data["options"],
                                                           max_choices=data["max_choices"] or 1,
                                                           hide_results=data["hide_results"]), _("表决已开始。"))


@login_required
@require_POST
def vote(request, poll_pk):
    poll = selectors.poll_for(request.user, poll_pk)
    return _run(request, poll.meeting, lambda: services.cast_ballot(actor=request.user, poll=poll,
                                                                    option_ids=request.POST.getlist("option")),
                _("已表决。"))


@login_required
@require_POST
def close_poll(request, poll_pk):
    poll = selectors.poll_for(request.user, poll_pk)
    return _run(request, poll.meeting, lambda: services.close_poll(actor=request.user, poll=poll), _("表决已结束。"))


@login_required
@require_POST
def decide(request, pk):
    found = selectors.meeting_for(request.user, pk)
    form = _decision_form(request.user, found, request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, found)
    return _run(request, found, lambda: services.record_decision(actor=request.user, meeting=found, text=form.cleaned_data["text"],
                                                                 poll=form.cleaned_data["poll"], item=form.item()),
                _("决定已记录，落实事项已交责任人。"))


@login_required
@require_POST
def item_act(request, item_pk, action):
    item = selectors.action_item_for(request.user, item_pk)
    kwargs = {}
    if action == "file_order":
        form = forms.FileOrderForm(request.POST)
        kwargs["category"] = form.cleaned_data["category"] if form.is_valid() else None
    elif action == "complete":
        kwargs["result"] = request.POST.get("result", "")
    else:
        kwargs["reason"] = request.POST.get("reason", "")
    return _run(request, item.meeting, lambda: services.act_on_item(actor=request.user, item=item, action=action, **kwargs),
                _("已完成：%(action)s。") % {"action": ITEM.transitions[action].label if action in ITEM.transitions else action})


@login_required
@require_POST
def minutes(request, pk, action):
    found = selectors.meeting_for(request.user, pk)
    text = request.POST.get("minutes")
    if action == "write":
        step = lambda: services.write_minutes(actor=request.user, meeting=found, text=text or "")  # noqa: E731
    elif action == "amend":
        step = lambda: services.amend_minutes(actor=request.user, meeting=found, text=request.POST.get("text", ""))  # noqa: E731
    else:
        step = lambda: services.act_on_minutes(actor=request.user, meeting=found, action=action, text=text)  # noqa: E731
    return _run(request, found, step, _("纪要已保存。"))


@login_required
def overdue(request):
    _require_reader(request.user)
    return render(request, "deliberation/overdue.html", {"items": list(selectors.overdue_items(request.user)[:200]),
                                                         "today": clock.today()})


# --- 四议两公开 -------------------------------------------------------------------------------


def _vote_of(form):
    data = form.cleaned_data
    return matters.Vote(due=data["due"], present=data["present"], in_favour=data["in_favour"], against=data["against"] or 0,
                        abstain=data["abstain"] or 0, held_on=data["held_on"])


@login_required
def matter_list(request):
    _require_reader(request.user)
    may_propose = has_perm_anywhere(request.user, "deliberation_matter.propose")
    form = forms.MatterForm(request.POST or None) if may_propose else None
    if request.method == "POST" and form is not None and form.is_valid():
        community = selectors.community_for_convening(request.user)
        try:
            matter = matters.propose(actor=request.user, community=community, title=form.cleaned_data["title"],
                                     description=form.cleaned_data["description"], vote=_vote_of(form))
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_to_form(form, error)
        else:
            return redirect("deliberation:matter", matter.pk)
    return render(request, "deliberation/matters.html", {"matters": list(matters.matters_for(request.user)[:100]), "form": form})


@login_required
def matter(request, pk):
    _require_reader(request.user)
    found = matters.matter_for(request.user, pk)
    actions = [t for t in MATTER.available_actions(found.state) if can(request.user, MATTER.perm(t.action), found)]
    return render(request, "deliberation/matter.html", {
        "matter": found, "actions": actions, "vote_form": forms.VoteForm(), "votes": list(found.votes.all()),
        "notice": publication.status_of(found.notice_id), "now": clock.now(),
    })


def _back_to_matter(request, matter, error=None):
    if error is not None:
        messages.error(request, error.detail)
    return redirect("deliberation:matter", matter.pk)


@login_required
@require_POST
def matter_act(request, pk, action):
    found = matters.matter_for(request.user, pk)
    vote = None
    if action in matters.STAGE_OF_ACTION:
        form = forms.VoteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请完整填写本环节的表决人数。"))
            return _back_to_matter(request, found)
        vote = _vote_of(form)
    try:
        matters.act(actor=request.user, matter=found, action=action, vote=vote, result=request.POST.get("result", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        return _back_to_matter(request, found, error)
    messages.success(request, _("已完成：%(action)s。") % {"action": MATTER.transitions[action].label})
    return _back_to_matter(request, found)


# --- 人民调解 ---------------------------------------------------------------------------------


def _require_mediator_view(user):
    if not has_perm_anywhere(user, "deliberation_case.view_case"):
        raise NotPermitted(_("您的角色不能查看调解案件。"))


@login_required
def cases(request):
    _require_mediator_view(request.user)
    may_accept = has_perm_anywhere(request.user, "deliberation_case.accept")
    form = forms.CaseForm(request.POST or None, estates=selectors.estates_for_convening(request.user)) if may_accept else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        community = data["estate"].community if data["estate"] else selectors.community_for_convening(request.user)
        try:
            case = mediation.accept_case(
                actor=request.user, community=community, estate=data["estate"], dispute_type=data["dispute_type"],
                source=data["source"], work_order_number=data["work_order_number"], summary=data["summary"],
                parties=[("applicant", data["applicant"], None), ("respondent", data["respondent"], None)])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_to_form(form, error)
        else:
            return redirect("deliberation:case", case.pk)
    return render(request, "deliberation/cases.html", {"cases": list(mediation.cases_for(request.user)[:100]), "form": form,
                                                       "now": clock.now()})


@login_required
def case(request, pk):
    _require_mediator_view(request.user)
    found = mediation.case_for(request.user, pk)
    may_act = can(request.user, "deliberation_case.session", found)
    return render(request, "deliberation/case.html", {
        "case": found, "may_act": may_act, "now": clock.now(),
        "actions": [t for t in CASE.available_actions(found.state) if may_act],
        "parties": list(found.parties.all()), "steps": list(found.steps.all()),
        "agreement_form": forms.AgreementForm(), "follow_up_form": forms.FollowUpForm(),
        "confirmation_deadline": mediation.confirmation_deadline(found),
    })


def _back_to_case(request, case, step, done):
    try:
        step()
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("deliberation:case", case.pk)


@login_required
@require_POST
def case_act(request, pk, action):
    found = mediation.case_for(request.user, pk)
    agreement = None
    if action == "agree":
        form = forms.AgreementForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请完整填写协议内容。"))
            return redirect("deliberation:case", found.pk)
        agreement = form.cleaned_data
    return _back_to_case(request, found, lambda: mediation.act(actor=request.user, case=found, action=action,
                                                               reason=request.POST.get("reason", ""), agreement=agreement),
                         _("已完成：%(action)s。") % {"action": CASE.transitions[action].label if action in CASE.transitions else action})


@login_required
@require_POST
def case_session(request, pk):
    found = mediation.case_for(request.user, pk)
    return _back_to_case(request, found, lambda: mediation.record_session(actor=request.user, case=found,
                                                                          notes=request.POST.get("notes", "")), _("已记录。"))


@login_required
@require_POST
def case_signature(request, pk, party_pk):
    found = mediation.case_for(request.user, pk)
    party = found.parties.filter(pk=party_pk).first()
    if party is None:
        raise NotFound(_("找不到该记录，或您无权查看。"))
    return _back_to_case(request, found, lambda: mediation.record_signature(actor=request.user, case=found, party=party),
                         _("已记录签字。"))


@login_required
@require_POST
def case_follow_up(request, pk):
    found = mediation.case_for(request.user, pk)
    form = forms.FollowUpForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"notes": "", "performance": ""}
    return _back_to_case(request, found, lambda: mediation.follow_up(actor=request.user, case=found, **data), _("已记录回访。"))


# --- 业主委员会 -------------------------------------------------------------------------------


def _require_term_view(user):
    if not has_perm_anywhere(user, "deliberation_term.view_term"):
        raise NotPermitted(_("您的角色不能查看业主委员会。"))


@login_required
def committee_terms(request):
    _require_term_view(request.user)
    today = clock.today()
    terms = list(committees.terms_for(request.user)[:100])
    counts = committees.composition(terms)
    rows = [{"term": t, "seats": counts.get(t.pk, (0, 0)), "filing_due": committees.filing_due(t),
             "filed_late": committees.filed_late(t), "expiry_notice_on": committees.expiry_notice_on(t),
             "unfiled_overdue": t.state == "elected" and committees.filing_due(t) < today,
             "expiring": committees.expiry_notice_on(t) <= today <= t.ends_on} for t in terms]
    return render(request, "deliberation/committees.html", {
        "rows": rows, "today": today, "may_register": has_perm_anywhere(request.user, "deliberation_term.register"),
        "unpublished": list(committees.unpublished_overdue(request.user, today=today)[:50]),
    })


@login_required
def committee_register(request):
    """登记一届业主委员会: pick the committee, then its term's dates and members."""
    if not has_perm_anywhere(request.user, "deliberation_term.register"):
        raise NotPermitted(_("您的角色不能登记业主委员会任期。"))
    choices = committees.registrable_committees(request.user)
    picked = request.POST.get("committee") or request.GET.get("committee")
    committee = choices.filter(pk=picked).first() if str(picked or "").isdigit() else None
    if picked and committee is None:
        raise NotFound(_("找不到该记录，或您无权查看。"))
    form = None
    if committee is not None:
        form = forms.CommitteeTermForm(request.POST or None, candidates=committees.seat_candidates(request.user, committee))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            seats = [(r, "chair" if r.pk == data["chair"].pk else "member") for r in data["seats"]]
            try:
                term = committees.register_term(actor=request.user, committee=committee, number=data["number"],
                                                elected_on=data["elected_on"], starts_on=data["starts_on"],
                                                ends_on=data["ends_on"], seats=seats)
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                add_to_form(form, error)
            else:
                messages.success(request, _("已登记任期，请在选举后 30 日内备案。"))
                return redirect("deliberation:committee_term", term.pk)
    return render(request, "deliberation/committee_new.html", {"choices": choices, "committee": committee, "form": form})


@login_required
def committee_term(request, pk):
    _require_term_view(request.user)
    term = committees.term_for(request.user, pk)
    seats = list(term.seats.all())
    meetings = list(term.meetings.prefetch_related("decisions").order_by("-held_at", "-pk")[:50])
    decisions = [d for m in meetings for d in m.decisions.all()]
    notices = publication.status([d.notice_id for d in decisions])
    for d in decisions:  # its 公告 in the 公示栏: link, state, last day
        d.notice = notices.get(d.notice_id)
    may_meet = can(request.user, "deliberation_term.meet", term)
    return render(request, "deliberation/committee.html", {
        "term": term, "seats": seats, "meetings": meetings, "today": clock.today(),
        "party": sum(s.is_party_member for s in seats),
        "filing_due": committees.filing_due(term), "filed_late": committees.filed_late(term),
        "expiry_notice_on": committees.expiry_notice_on(term),
        "may_file": term.state == "elected" and can(request.user, "deliberation_term.file", term),
        "may_meet": may_meet, "may_publish": may_meet,
        "choices": [("for", _("同意")), ("against", _("反对")), ("abstain", _("弃权"))],
    })


def _back_to_term(request, term, step, done):
    try:
        step()
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("deliberation:committee_term", term.pk)


def _date(value):
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
@require_POST
def committee_file(request, pk):
    term = committees.term_for(request.user, pk)
    filed_on = _date(request.POST.get("filed_on"))
    if filed_on is None:
        messages.error(request, _("请填写备案日期。"))
        return redirect("deliberation:committee_term", term.pk)
    return _back_to_term(request, term, lambda: committees.file_term(
        actor=request.user, term=term, filed_on=filed_on, reference=request.POST.get("reference", "")), _("已记录备案。"))


@login_required
@require_POST
def committee_meeting(request, pk):
    term = committees.term_for(request.user, pk)
    seats = {str(s.pk): s for s in term.seats.all()}
    present = [seats[k] for k in request.POST.getlist("present") if k in seats]
    held_on = _date(request.POST.get("held_on"))
    if held_on is None:
        messages.error(request, _("请填写会议日期。"))
        return redirect("deliberation:committee_term", term.pk)
    held_at = datetime.datetime.combine(held_on, datetime.time(19), tzinfo=calendar.local_zone())
    motion = request.POST.get("motion", "").strip()
    votes = {s: request.POST.get(f"vote-{s.pk}") for s in present if request.POST.get(f"vote-{s.pk}")}
    return _back_to_term(request, term, lambda: committees.hold_meeting(
        actor=request.user, term=term, topic=request.POST.get("topic", ""), held_at=min(held_at, clock.now()),
        present=present, motions=[(motion, votes)] if motion else []), _("已记录会议。"))


@login_required
@require_POST
def committee_publish(request, pk):
    decision = committees.decisions_for(request.user).filter(pk=pk).first()
    if decision is None:
        raise NotFound(_("找不到该记录，或您无权查看。"))
    return _back_to_term(request, decision.meeting.term,
                         lambda: committees.publish_decision(actor=request.user, decision=decision), _("已公布。"))
