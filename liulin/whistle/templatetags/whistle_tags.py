"""Small display helpers for 雷锋哨 templates."""

from django import template
from django.utils import timezone

from liulin.core import clock, links
from liulin.whistle.models import State

register = template.Library()

_DONE = {State.VERIFIED, State.CLOSED}
_ENDED = {State.FORWARDED, State.MERGED, State.WITHDRAWN, State.UNRESOLVABLE}


@register.simple_tag
def row_url(viewname, pk):
    """`{% url viewname pk %}` for a row of a long list (see `core.links`)."""
    return links.row_path(viewname, pk)


@register.filter
def state_class(state):
    """tag-ok for settled, tag-danger for ended unfixed, tag-warn for waiting on someone."""
    if state in _DONE:
        return "tag-ok"
    if state in _ENDED:
        return "tag-danger" if state == State.UNRESOLVABLE else ""
    return "tag-warn"


@register.filter
def state_label(state):
    try:
        return State(state).label
    except ValueError:
        return state


@register.filter
def is_overdue(ticket):
    due = ticket.resolve_due
    return bool(ticket.resolve_overdue or ticket.accept_overdue or (due and due < clock.now()))


@register.filter
def local(value, fmt="%m-%d %H:%M"):
    if not value:
        return ""
    return timezone.localtime(value).strftime(fmt)


@register.filter
def count_upto(rows, limit):
    """How many rows a list shows, with "+" when it is cut at `limit` (more may exist)."""
    return f"{len(rows)}+" if len(rows) >= limit else str(len(rows))


@register.simple_tag
def shown_state(ticket):
    """(state, label) the requester sees: a merged child follows its parent (selectors.requester_state)."""
    from liulin.whistle.selectors import requester_state

    return requester_state(ticket)
