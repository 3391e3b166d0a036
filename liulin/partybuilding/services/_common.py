"""What every service here does the same way: refuse unseen rows (404) and unpermitted
steps (403), lock the row, ask the state table, change the row with a conditional update on
the state it was seen in, and chain the event."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liulin.core import chain, clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.permissions import can, permitting
from liulin.core.text import clean_text

VIEW = "partybuilding.view"
SYSTEM = "system"
TEXT_MAX = 2000


def perm(action):
    return f"partybuilding.{action}"


def authorise(actor, action, obj, *, system_may=False):
    """(role, unit) under which `actor` may take `action` on `obj`; NotFound when he cannot
    see it, NotPermitted when he sees it but his role may not."""
    if actor is None:
        if system_may:
            return SYSTEM, None
        raise NotPermitted(_("需要登录。"))
    if not can(actor, VIEW, obj):
        raise NotFound(_("找不到该记录，或您无权查看。"))
    found = permitting(actor, perm(action), obj)
    if found is None:
        raise NotPermitted(_("您的角色不能执行此操作。"))
    return found


def text(value, *, field, required=False, max_length=TEXT_MAX, label=None):
    value = clean_text((value or "").strip(), field=field)
    if required and not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label or field}, code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise Invalid(_("内容不能超过 %(n)s 字。") % {"n": max_length}, code="too_long", field=field)
    return value


def day(value, *, field):
    if value is None:
        raise Invalid(_("请填写日期。"), code=f"{field}_required", field=field)
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise Invalid(_("日期格式不正确。"), code="invalid_date", field=field) from None
    return clock.bounded(value, field=field)


def lock(model, obj):
    """The current row, locked on PostgreSQL (SQLite's IMMEDIATE transactions serialise writers)."""
    return model.objects.select_for_update(of=("self",)).get(pk=obj.pk)


def move(model, event_model, locked, workflow, action, *, actor, role, reason="", target=None, changes=None, data=None):
    """Take `action` on `locked` (held under lock): check the table, write the new state with a
    conditional update on the state it is in, chain the event. Returns the new state."""
    found = workflow.transition_for(action, locked.state)
    if found.needs_reason and not reason:
        raise Invalid(_("请填写原因或说明。"), code="reason_required", field="reason")
    new_state = target or found.target
    changes = dict(changes or {})
    if not model.objects.filter(pk=locked.pk, state=locked.state).update(state=new_state, **changes):
        raise Conflict(_("状态已被他人更新，请刷新后再试。"), code="state_changed")
    before = locked.state
    for name, value in {"state": new_state, **changes}.items():
        setattr(locked, name, value)
    chain.append(event_model, locked, actor=actor, actor_role=role or "", action=action, from_state=before, to_state=new_state,
                 reason=reason, data=data or {})
    return new_state


def first_event(event_model, subject, *, actor, action, role, to_state, data=None, reason=""):
    """The first link of a row inserted in this transaction."""
    chain.new_chain(event_model, subject)
    return chain.append(event_model, subject, actor=actor, actor_role=role or "", action=action, from_state="", to_state=to_state,
                        reason=reason, data=data or {})


def full_clean(obj, exclude=()):
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        field, messages = next(iter(e.message_dict.items()))
        raise Invalid(messages[0], field=None if field == "__all__" else field) from None


def follow(model, event_model, obj, *, from_state, to_state, action, actor, reason=""):
    """A step the system takes on `obj` because of another (a need met when its project is
    confirmed): not in any table, never offered to a person; conditional on `from_state`."""
    locked = lock(model, obj)
    if locked.state != from_state or not model.objects.filter(pk=locked.pk, state=from_state).update(state=to_state):
        raise Conflict(_("状态已被他人更新，请刷新后再试。"), code="state_changed")
    locked.state = to_state
    chain.append(event_model, locked, actor=actor, actor_role=SYSTEM, action=action, from_state=from_state, to_state=to_state,
                 reason=reason)
    return locked


def refuse_second_duty(duties, event_model, subject, actor, action, labels):
    """One person takes at most one of the named duties on one subject."""
    if actor is None:
        return
    events = event_model.objects.filter(**{event_model.subject_field: subject})
    taken = duties.conflict(action, duties.taken(events, actor))
    if taken is not None:
        raise NotPermitted(_("您已%(taken)s，不能再确认：完成与确认须由不同的人进行。") % {"taken": labels[taken]}, code="duties_separated")
