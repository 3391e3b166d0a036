"""Moving a work order through the state table, and the steps recorded beside it (urging,
escalation, comments).

Every function here follows the same order: may the actor see the ticket (else NotFound) and
take this action (else NotPermitted); lock the row; does the table allow the action from the
current state (else Conflict); is the input complete (else Invalid); change the row with a
conditional UPDATE on the state the caller saw, so two concurrent requests cannot both win
on PostgreSQL or SQLite; append the hash-chained event; notify; and only after commit
schedule the deadline check.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from liulin.core import clock
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import active_assignments, can, has_perm_anywhere, permitting, unit_of

from .. import notifications, rollups, sla, tasks, workorders
from ..events import append_event, duties_taken
from ..models import State, Ticket, Tier
from ..workflow import (
    CHECKS_ON_UNIT,
    DUTY_LABELS,
    OPEN_STATES,
    TRANSITIONS,
    UNIT_WORK,
    duty_conflict,
    transition_for,
)
from . import tiers

REASON_MAX = 2000
# When the parent reaches one of these, its merged duplicates hear of it.
FOLLOWED_STATES = frozenset({State.RESOLVED, State.VERIFIED, State.CLOSED, State.UNRESOLVABLE})
CLOCK_RESTARTS = frozenset({"dispatch", "reassign", "reopen"})
# Steps the system takes by itself (actor=None), recorded with the role "system": the
# automatic dispatch at intake when routing found a unit, and the "not rated" callback that
# closes a verified ticket nobody rated in time. Every other action needs a person.
SYSTEM_ACTIONS = frozenset({"dispatch", "callback"})
SYSTEM_ROLE = tiers.SYSTEM_ROLE
# Steps an organisation takes only on the tickets it handles: its work, and resuming it.
HANDLING_UNIT_STEPS = UNIT_WORK | {"resume"}
# The handler's photos of the finished work, shown beside the requester's (stage "intake").
RESULT_STAGE = "result"
PHOTO_ACTIONS = frozenset({"resolve"})
MAX_PHOTOS = 6


def _authorise(actor, ticket, perm):
    """(role, unit) under which `actor` may `perm` this ticket: the capacity he acts in and
    the organisation he acts for. NotFound when he cannot even see it; NotPermitted, saying
    which rule refuses him, when he sees it but may not."""
    if actor is None and perm.removeprefix("whistle.") in SYSTEM_ACTIONS:
        return SYSTEM_ROLE, None
    if actor is None or not can(actor, "whistle.view", ticket):
        raise NotFound(_("找不到该工单，或您无权查看。"))
    found = permitting(actor, perm, ticket)
    if found is None:
        raise _refusal(actor, ticket, perm)
    return found


def _refusal(actor, ticket, perm):
    """Why `actor`, who sees the ticket, may not `perm` it: the separation of duties where his
    role would allow the step elsewhere, else his role."""
    action = perm.removeprefix("whistle.")
    label = TRANSITIONS[action].label if action in TRANSITIONS else action
    if has_perm_anywhere(actor, perm):
        units = {unit_of(a) for a in active_assignments(actor)}
        if action in CHECKS_ON_UNIT and ticket.handling_org_id in units:
            return NotPermitted(_("承办单位不能对自己承办的工单%(action)s，须由其他单位办理。") % {"action": label}, code="own_unit_work")
        if action in HANDLING_UNIT_STEPS:
            unit = ticket.handling_org.name if ticket.handling_org_id else _("（尚未派单）")
            return NotPermitted(
                _("只有工单派给的承办单位（%(unit)s）的人员才能%(action)s。") % {"unit": unit, "action": label}, code="not_handling_unit"
            )
    return NotPermitted("您的角色不能对该工单执行此操作。")


def _refuse_second_duty(actor, ticket, action):
    """One person never takes two of handle / verify / callback on one ticket."""
    if actor is None:
        return
    taken = duty_conflict(action, duties_taken(ticket.pk, actor))
    if taken is not None:
        label = TRANSITIONS[action].label
        raise NotPermitted(
            _("您已%(taken)s过该工单，不能再%(action)s：办理、核单、回访须由不同的人完成。") % {"taken": DUTY_LABELS[taken], "action": label},
            code="duties_separated",
        )


REASON_LABEL = N_("原因")


def _clean_text(value, *, required, code="reason_required", label=REASON_LABEL):
    text = (value or "").strip()
    if required and not text:
        raise Invalid(_("请填写%(label)s。") % {"label": _(label)}, code=code, field="reason")
    if len(text) > REASON_MAX:
        raise Invalid(_("%(label)s不能超过 %(n)s 字。") % {"label": _(label), "n": REASON_MAX}, code="too_long", field="reason")
    return text


def _lock(ticket):
    """The current row, locked on PostgreSQL (SQLite's IMMEDIATE transactions already serialise writers).
    Only the ticket's own row: the policy and community read beside it are shared by thousands
    of tickets, and locking them would make every step on those tickets queue."""
    return Ticket.objects.select_for_update(of=("self",)).select_related("policy", "community").get(pk=ticket.pk)


def _refuse_stale(locked, ticket):
    if locked.state != ticket.state:
        raise Conflict(_("工单状态已被他人更新，请刷新后再试。"), code="state_changed")


def _conditional_update(ticket_id, expected_state, changes):
    """Write `changes` only if the row is still in `expected_state`: the loser of a race gets Conflict."""
    if not Ticket.objects.filter(pk=ticket_id, state=expected_state).update(**changes):
        raise Conflict(_("工单状态已被他人更新，请刷新后再试。"), code="state_changed")


def _validate_parent(actor, ticket, parent):
    """The one rule for a merge target, wherever a merge starts (the step, the duplicates
    page): a ticket the actor sees, still open, in the same community, not itself merged.
    Any other target is "parent_invalid"."""
    if parent is None:
        raise Invalid(_("请选择要合并到的工单。"), code="parent_required", field="parent")
    if parent.pk == ticket.pk:
        raise Invalid(_("不能把工单合并到它自己。"), code="parent_invalid", field="parent")
    if not can(actor, "whistle.view", parent):
        raise NotFound(_("找不到要合并到的工单，或您无权查看。"))
    parent = Ticket.objects.select_for_update().get(pk=parent.pk)
    if parent.parent_id:
        raise Invalid(_("目标工单本身已被合并，请合并到主工单。"), code="parent_invalid", field="parent")
    if parent.state not in OPEN_STATES:
        raise Invalid(_("只能合并到仍在办理中的工单。"), code="parent_invalid", field="parent")
    if parent.community_id != ticket.community_id:
        raise Invalid(_("只能合并到同一社区的工单。"), code="parent_invalid", field="parent")
    return parent


def _require_org(org):
    if org is None:
        raise Invalid(_("请选择承办单位。"), code="org_required", field="org")
    if not org.is_active:
        raise Invalid(_("该单位已停用，不能承办工单。"), code="org_invalid", field="org")
    return org


def _deadline_data(ticket):
    return {"accept_due": ticket.accept_due, "resolve_due": ticket.resolve_due}


def _apply(locked, action, *, now, actor, org, forwarded_to, parent):
    """Change `locked` in memory for `action`; return (changed field names, event data)."""
    fields, data = [], {}
    if locked.state == State.SUSPENDED and action != "resume":
        # Leaving a suspension any other way ends the pause without moving deadlines.
        locked.suspended_at, locked.state_before_suspension = None, ""
        fields += ["suspended_at", "state_before_suspension"]
    if action in ("dispatch", "reassign") or (action == "reopen" and org is not None):
        locked.handling_org = _require_org(org)
        fields.append("handling_org")
        data.update(org=org.pk, org_name=org.name)
    if action in CLOCK_RESTARTS:
        locked.dispatched_at = now
        locked.suspension_requested = False
        fields += ["dispatched_at", "suspension_requested", *sla.start_clocks(locked, now)]
        data.update(_deadline_data(locked))
    if action == "reopen":
        locked.reopen_count += 1
        fields.append("reopen_count")
    elif action == "return":
        locked.handling_org, locked.accept_due, locked.resolve_due = None, None, None
        locked.suspension_requested = False
        fields += ["handling_org", "accept_due", "resolve_due", "suspension_requested"]
    elif action == "accept":
        # The reminder still to come is now the one before the resolve deadline.
        locked.accepted_at, locked.reminded = now, False
        fields += ["accepted_at", "reminded"]
    elif action == "resolve":
        locked.resolved_at, locked.suspension_requested = now, False
        fields += ["resolved_at", "suspension_requested"]
    elif action == "request_suspension":
        if locked.suspension_requested:
            raise Conflict(_("已申请挂起，等待审批。"), code="suspension_already_requested")
        locked.suspension_requested = True
        fields.append("suspension_requested")
    elif action == "suspend":
        locked.state_before_suspension, locked.suspension_requested = locked.state, False
        fields += ["state_before_suspension", "suspension_requested", *sla.pause(locked, now)]
    elif action == "resume":
        fields += sla.resume(locked, now)
        locked.state_before_suspension = ""
        fields.append("state_before_suspension")
        data.update(_deadline_data(locked))
    elif action == "verify":
        locked.verified_at = now
        fields.append("verified_at")
    elif action == "callback":
        locked.closed_at = now
        fields.append("closed_at")
    elif action == "forward":
        locked.forwarded_to = _clean_text(forwarded_to, required=True, code="forwarded_to_required", label=N_("转交单位"))[:100]
        fields.append("forwarded_to")
        data["forwarded_to"] = locked.forwarded_to
    elif action == "merge":
        locked.parent = _validate_parent(actor, locked, parent)
        fields.append("parent")
        data.update(parent=locked.parent.pk, parent_number=locked.parent.number)
    return fields, data


def _target_state(transition, locked, state_before_suspension):
    if transition.target is not None:
        return transition.target
    if transition.action == "resume":
        return state_before_suspension
    return locked.state  # a request that changes no state


def _clean_photos(action, photos):
    """The photos of a step, each checked and re-encoded before anything is written (the
    intake's checks: `core.attachments.clean`); only a resolve carries them."""
    photos = list(photos or ())
    if photos and action not in PHOTO_ACTIONS:
        raise Invalid("只有办结时可以上传照片。", code="photos_not_allowed", field="photos")
    if len(photos) > MAX_PHOTOS:
        raise Invalid(f"最多上传 {MAX_PHOTOS} 张照片。", code="too_many_photos", field="photos")
    return [attachments.clean(photo, field="photos") for photo in photos]


def act(*, actor, ticket, action, reason="", org=None, forwarded_to="", parent=None, data=None, photos=(), now=None):
    """Take `action` on `ticket` as `actor`; returns the ticket as it now is. `photos`
    (uploads, resolve only) are stored in the step's transaction: a refused photo refuses
    the step, and a refused step leaves no file behind."""
    now = now or clock.now()
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Invalid(f"未知的操作“{action}”。", code="unknown_action")
    role, unit = _authorise(actor, ticket, f"whistle.{action}")
    cleaned = _clean_photos(action, photos)
    written = []
    try:
        _act_locked(ticket, transition, actor=actor, role=role, unit=unit, reason=reason, org=org, forwarded_to=forwarded_to,
                    parent=parent, data=data, photos=cleaned, written=written, now=now)
    except BaseException:
        attachments.discard(written)
        raise
    return ticket


def _act_locked(ticket, transition, *, actor, role, unit, reason, org, forwarded_to, parent, data, photos, written, now):
    action = transition.action
    with transaction.atomic():
        locked = _lock(ticket)
        _refuse_stale(locked, ticket)
        transition_for(action, locked.state)
        _refuse_second_duty(actor, locked, action)
        reason = _clean_text(reason, required=transition.needs_reason)
        if action in UNIT_WORK:
            # The unit whose member did the work: the KPIs credit it (rollups.event_deltas).
            data = {**(data or {}), "unit": unit}
        changes, step = _step(locked, transition, actor=actor, role=role, reason=reason, org=org, forwarded_to=forwarded_to,
                              parent=parent, data=data, now=now)
        _conditional_update(locked.pk, step["from_state"], changes)
        for photo in photos:
            written.append(attachments.save_clean(owner=locked, cleaned=photo, stage=RESULT_STAGE, actor=actor, now=now))
        event = append_event(locked, **step)
        rollups.apply_events([(locked, event)])
        _copy_changes(ticket, changes)
        notifications.notify_transition(ticket, event)
        if locked.state in FOLLOWED_STATES:
            _merged_children_follow(ticket, event, now)
        workorders.state_changed(locked)  # an order another app filed hears of it (core.workorders)
        _schedule_deadline_check(locked)


def _step(locked, transition, *, actor, role, reason, org=None, forwarded_to="", parent=None, data=None, now):
    """Make `transition` on `locked` in memory: returns (the changed fields with their new
    values, the event's fields)."""
    from_state, before_suspension = locked.state, locked.state_before_suspension
    fields, event_data = _apply(locked, transition.action, now=now, actor=actor, org=org, forwarded_to=forwarded_to, parent=parent)
    locked.state = _target_state(transition, locked, before_suspension)
    locked.updated_at = now
    fields += ["state", "updated_at"]
    changes = {name: getattr(locked, name) for name in dict.fromkeys(fields)}
    step = {"actor": actor, "actor_role": role, "action": transition.action, "from_state": from_state, "to_state": locked.state,
            "reason": reason, "data": {**(data or {}), **event_data}, "at": now}
    return changes, step


def dispatch_unsaved(ticket, *, org, reason, now):
    """The automatic dispatch of a ticket built but not yet inserted (a filing whose unit
    routing found is inserted already dispatched, `intake.insert_filings`): the same table
    edge and changes as `act(action="dispatch")` by the system, made in memory. Returns the
    event's fields, to append after the insert."""
    transition = transition_for("dispatch", ticket.state)
    return _step(ticket, transition, actor=None, role=SYSTEM_ROLE, reason=reason, org=org, data={"auto": True}, now=now)[1]


def _copy_changes(ticket, changes):
    for name, value in changes.items():
        setattr(ticket, name, value)


def _merged_children_follow(parent, parent_event, now):
    """Merged duplicates stay MERGED but record the parent's progress, so their requesters see it."""
    pending = list(Ticket.objects.select_for_update().filter(parent=parent, state=State.MERGED))
    seen = {parent.pk}
    while pending:
        child = pending.pop()
        if child.pk in seen:
            continue
        seen.add(child.pk)
        event = append_event(
            child,
            actor=parent_event.actor,
            actor_role=parent_event.actor_role,
            action=f"parent_{parent_event.action}",
            from_state=State.MERGED,
            to_state=State.MERGED,
            reason=parent_event.reason,
            data={"parent": parent.pk, "parent_number": parent.number, "parent_state": parent_event.to_state},
            at=now,
        )
        notifications.notify_transition(child, event)
        pending.extend(Ticket.objects.select_for_update().filter(parent=child, state=State.MERGED))


def _schedule_deadline_check(locked):
    """Queue the check of the next deadline of the ticket as it now is. The task row is written
    in the step's own transaction (the database task backend), so a rolled-back step leaves
    no check behind and a committed one always has its check, for the price of one commit."""
    tasks.schedule_check(locked)


def _note(*, actor, ticket, perm, action, reason="", internal=False, now, prepare=None):
    """Record a step that changes no state, under the ticket's lock. `prepare(locked)` checks
    the step and returns (field changes, event data)."""
    role = _authorise(actor, ticket, perm)[0] if actor is not None else ""
    with transaction.atomic():
        locked = _lock(ticket)
        changes, data = prepare(locked) if prepare else ({}, {})
        changes = {"updated_at": now, **changes}
        Ticket.objects.filter(pk=locked.pk).update(**changes)
        event = append_event(
            locked, actor=actor, actor_role=role, action=action, from_state=locked.state, to_state=locked.state,
            reason=reason, data=data, internal=internal, at=now,
        )
        rollups.apply_events([(locked, event)])
        ticket.refresh_from_db(fields=list(changes))
        notifications.notify_transition(ticket, event)
    return ticket


def _require_open(locked):
    if locked.state not in OPEN_STATES:
        raise Conflict(_("“%(state)s”的工单不能再催办或升级。") % {"state": State(locked.state).label}, code="not_open")


def urge(*, actor, ticket, reason="", now=None):
    """催办: a supervisor presses the handler; counted on the ticket."""
    now = now or clock.now()
    reason = _clean_text(reason, required=False)

    def prepare(locked):
        _require_open(locked)
        return {"urge_count": F("urge_count") + 1}, {"urge_count": locked.urge_count + 1}

    return _note(actor=actor, ticket=ticket, perm="whistle.urge", action="urge", reason=reason, now=now, prepare=prepare)


def escalate(*, actor, ticket, reason, automatic=False, now=None):
    """Raise the ticket one tier (grid → community → whistle): by a supervisor, or
    automatically on a breached deadline (`automatic=True`, no actor). The change itself is
    `tiers.change_tiers`, the one way every path changes a tier."""
    now = now or clock.now()
    if automatic and actor is not None:
        raise Invalid(_("自动升级不记录操作人。"), code="invalid")
    if not automatic and actor is None:
        raise NotPermitted(_("升级需要由督办人员操作。"))
    reason = _clean_text(reason, required=not automatic)
    role = _authorise(actor, ticket, "whistle.escalate")[0] if actor is not None else SYSTEM_ROLE
    with transaction.atomic():
        locked = _lock(ticket)
        _require_open(locked)
        if locked.tier >= Tier.WHISTLE:
            raise Conflict(_("工单已在最高层级（吹哨）。"), code="max_tier")
        tiers.change_tiers([locked], actor=actor, role=role, action="escalate", to_tier=lambda t: t.tier + 1, reason=reason,
                           data={"automatic": automatic}, now=now)
    ticket.refresh_from_db(fields=["tier", "updated_at"])
    return ticket


def comment(*, actor, ticket, body, internal=False, now=None):
    """A comment on the timeline, or an internal note residents never see."""
    now = now or clock.now()
    action = "internal_note" if internal else "comment"
    body = _clean_text(body, required=True, code="body_required", label=N_("内容"))
    return _note(actor=actor, ticket=ticket, perm=f"whistle.{action}", action=action, reason=body, internal=internal, now=now)
