"""The ticket page: its data (phone masked), timeline, photos and the forms of the actions the
user may take. Every POST re-reads the ticket through the user's scope (404 outside it) and
calls one service; a broken rule is shown on the page and changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liulin.core.errors import NotPermitted
from liulin.core.masking import mask_phone
from liulin.core.permissions import authorise, can
from liulin.whistle import selectors, workflow
from liulin.whistle.forms import ActionForm, CallbackForm, CommentForm, MergeForm, RatingForm, ReasonForm
from liulin.whistle.models import State, Tier
from liulin.whistle.services import callbacks, intake, transitions

from ._common import run, run_step

# Actions with a page of their own, or a form of their own on this page.
SEPARATE_FORMS = {"merge", "callback"}


def _context(request, ticket, **forms):
    user = request.user
    staff = selectors.is_staff_viewer(user, ticket)
    events = list(selectors.timeline(user, ticket, staff=staff))
    kinds = {} if staff else selectors.unit_kinds(events)
    for event in events:
        event.who = event.actor.name if staff and event.actor_id else selectors.event_actor_label(event, ticket, kinds)
        event.label = workflow.event_label(event.action, workflow.STAFF if staff else workflow.RESIDENT)
        if event.actor_id is None and event.reason:  # the system's own phrases (tasks.py), marked N_
            event.reason = _(event.reason)
    is_requester = ticket.requester_user_id == user.pk
    # The requester's own page leads with his comment; withdrawing is a quiet link at the end
    # that asks again on a page of its own (ticket_withdraw), never the first or a red button.
    own_request = is_requester and not staff
    open_ticket = ticket.state in workflow.OPEN_STATES
    action_forms = []
    for transition in ticket.allowed:
        if transition.action in SEPARATE_FORMS or (own_request and transition.action == "withdraw"):
            continue
        if transition.action == "request_suspension" and ticket.suspension_requested:
            continue
        bound = forms.get("action_form")
        form = bound if bound is not None and bound.data.get("action") == transition.action else ActionForm(
            user=user, initial={"action": transition.action}
        )
        action_forms.append({"transition": transition, "form": form})
    shown_state, shown_label = selectors.requester_state(ticket)
    context = {
        "ticket": ticket,
        "staff": staff,
        # A merged child shows its requester its parent's result (selectors.requester_state).
        "shown_state": ticket.state if staff else shown_state,
        "shown_label": ticket.get_state_display() if staff else shown_label,
        "merged_children": selectors.merged_children(user, ticket) if staff else [],
        "merged_count": selectors.merged_count(ticket),
        "is_requester": is_requester,
        "own_request": own_request,
        "may_withdraw": own_request and any(t.action == "withdraw" for t in ticket.allowed),
        "contact_phone": mask_phone(ticket.contact_phone),
        "events": events,
        "photos": list(selectors.photos(ticket)),
        "map_point": selectors.ticket_place(ticket),
        "action_forms": action_forms,
        "comment_form": forms.get("comment_form") or CommentForm(auto_id="comment_%s"),
        "can_comment": can(user, "whistle.comment", ticket),
        "can_internal": staff and can(user, "whistle.internal_note", ticket),
        "can_urge": open_ticket and ticket.state != State.SUBMITTED and can(user, "whistle.urge", ticket),
        "can_escalate": open_ticket and ticket.tier < Tier.WHISTLE and can(user, "whistle.escalate", ticket),
        # Ids unique on the page: several forms have a "reason".
        "urge_form": forms.get("urge_form") or ReasonForm(auto_id="urge_%s"),
        "escalate_form": forms.get("escalate_form") or ReasonForm(auto_id="escalate_%s"),
        "can_cosign": selectors.cosignable(user, ticket),
        "merge_form": (forms.get("merge_form") or MergeForm(user=user, auto_id="merge_%s")) if getattr(ticket, "may_merge", False) and ticket.state in workflow.TRANSITIONS["merge"].sources else None,
        "callback_form": None,
        "rating_form": None,
        "callbacks": list(selectors.callbacks(ticket)),
        "tiers": Tier,
        # Why intake raised the urgency (a vulnerable requester: services.intake.care_urgency).
        "urgency_raised": next((e.data.get("urgency_raised") for e in events if e.action == "file" and staff), None),
    }
    if ticket.state == State.VERIFIED and getattr(ticket, "may_callback", False):
        if is_requester and not staff:
            context["rating_form"] = forms.get("rating_form") or RatingForm()
        elif staff:
            context["callback_form"] = forms.get("callback_form") or CallbackForm()
    return context


def _render(request, ticket, status=200, **forms):
    return render(request, "whistle/ticket.html", _context(request, ticket, **forms), status=status)


@never_cache
@login_required
@require_GET
def ticket_detail(request, pk):
    return _render(request, selectors.ticket_detail(request.user, pk))


@never_cache
@login_required
@require_POST
def ticket_act(request, pk):
    """One workflow action (accept, resolve, return, verify, withdraw …) on one ticket."""
    ticket = selectors.ticket_detail(request.user, pk)
    form = ActionForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        action = data["action"]
        done, status = run_step(
            request,
            form,
            lambda: transitions.act(
                actor=request.user,
                ticket=ticket,
                action=action,
                reason=data.get("reason", "").strip(),
                org=data.get("org"),
                forwarded_to=data.get("forwarded_to", "").strip(),
                photos=data.get("photos") or (),
            ),
        )
        if done is not None:
            messages.success(request, _("已%(label)s：%(number)s") % {"label": workflow.TRANSITIONS[action].label, "number": ticket.number})
            return redirect("whistle:ticket", pk=ticket.pk)
        return _render(request, ticket, status=status, action_form=form)
    return _render(request, ticket, status=400, action_form=form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ticket_withdraw(request, pk):
    """The requester withdraws his request: a page of its own that says what withdrawing means
    and asks for the reason, so one stray tap on the ticket page withdraws nothing."""
    ticket = selectors.ticket_detail(request.user, pk)
    if not any(t.action == "withdraw" for t in ticket.allowed):
        raise NotPermitted(_("这条诉求现在不能撤回。"))
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = _("撤回原因")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done, status = run_step(
                request,
                form,
                lambda: transitions.act(actor=request.user, ticket=ticket, action="withdraw", reason=form.cleaned_data["reason"]),
            )
            if done is not None:
                messages.success(request, _("已撤回：%(number)s") % {"number": ticket.number})
                return redirect("whistle:ticket", pk=ticket.pk)
    return render(request, "whistle/withdraw.html", {"ticket": ticket, "form": form}, status=status)


@never_cache
@login_required
@require_POST
def ticket_comment(request, pk):
    ticket = selectors.ticket_detail(request.user, pk)
    form = CommentForm(request.POST, auto_id="comment_%s")
    if form.is_valid():
        internal = form.cleaned_data["internal"]
        authorise(request.user, "whistle.internal_note" if internal else "whistle.comment", ticket)
        if run(form, lambda: transitions.comment(actor=request.user, ticket=ticket, body=form.cleaned_data["body"], internal=internal)) is not None:
            messages.success(request, _("已记录。"))
            return redirect("whistle:ticket", pk=ticket.pk)
    return _render(request, ticket, status=400, comment_form=form)


def _step_with_reason(request, pk, *, action, service, done, form_key):
    """A recorded step that changes no state and needs a reason (urge, escalate)."""
    ticket = selectors.ticket_detail(request.user, pk)
    authorise(request.user, f"whistle.{action}", ticket)
    form = ReasonForm(request.POST, auto_id=f"{action}_%s")
    if form.is_valid() and run(form, lambda: service(actor=request.user, ticket=ticket, reason=form.cleaned_data["reason"])) is not None:
        messages.success(request, done % {"number": ticket.number})
        if request.POST.get("next") == "board":
            return redirect("whistle:board")
        return redirect("whistle:ticket", pk=ticket.pk)
    return _render(request, ticket, status=400, **{form_key: form})


@never_cache
@login_required
@require_POST
def ticket_urge(request, pk):
    return _step_with_reason(request, pk, action="urge", service=transitions.urge, done=_("已催办：%(number)s"), form_key="urge_form")


@never_cache
@login_required
@require_POST
def ticket_escalate(request, pk):
    return _step_with_reason(
        request, pk, action="escalate", service=transitions.escalate, done=_("已升级：%(number)s"), form_key="escalate_form"
    )


@never_cache
@login_required
@require_POST
def ticket_cosign(request, pk):
    """我也遇到: another resident of the community adds his voice."""
    ticket = selectors.cosign_target(request.user, pk)
    if run(request, lambda: intake.cosign(actor=request.user, ticket=ticket)) is not None:
        messages.success(request, _("已附议，感谢您的反映。"))
    if request.POST.get("next") in ("mine", "joined"):  # "joined": from the filing page's likely duplicates
        return redirect("whistle:mine")
    return redirect("whistle:ticket", pk=ticket.pk)


@never_cache
@login_required
@require_POST
def ticket_merge(request, pk):
    ticket = selectors.ticket_detail(request.user, pk)
    form = MergeForm(request.POST, user=request.user, auto_id="merge_%s")
    if form.is_valid():
        done, status = run_step(
            request,
            form,
            lambda: intake.merge(actor=request.user, child=ticket, parent=form.cleaned_data["parent"], reason=form.cleaned_data["reason"]),
        )
        if done is not None:
            messages.success(request, _("已合并到 %(number)s") % {"number": form.cleaned_data["parent"].number})
            return redirect("whistle:ticket", pk=ticket.pk)
        return _render(request, ticket, status=status, merge_form=form)
    return _render(request, ticket, status=400, merge_form=form)


@never_cache
@login_required
@require_POST
def ticket_callback(request, pk):
    """回访: the operator's phone callback, or the resident's own rating."""
    ticket = selectors.ticket_detail(request.user, pk)
    staff = selectors.is_staff_viewer(request.user, ticket)
    self_rating = ticket.requester_user_id == request.user.pk and not staff
    form = (RatingForm if self_rating else CallbackForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done, status = run_step(
            request,
            form,
            lambda: callbacks.record_callback(
                actor=request.user,
                ticket=ticket,
                solved=data["solved"],
                satisfaction=data["satisfaction"],
                comment=data["comment"],
                method=form.method,
                reopen=data["reopen"],
            ),
        )
        if done is not None:
            messages.success(request, _("感谢您的评价。") if self_rating else _("回访已记录。"))
            return redirect("whistle:ticket", pk=ticket.pk)
        return _render(request, ticket, status=status, **{"rating_form" if self_rating else "callback_form": form})
    return _render(request, ticket, status=400, **{"rating_form" if self_rating else "callback_form": form})


@login_required
@require_GET
def photo(request, pk, photo_pk):
    """The address photos had before they moved to the kernel's attachments (same ids): sends
    on to the attachment, for those who may see it (404 otherwise, as before)."""
    item = selectors.photo_for(request.user, pk, photo_pk)
    return redirect("attachments:file", pk=item.pk, permanent=True)
