"""The hash-chained event log of a ticket, on the kernel's chain (core.chain).

Each TicketEvent's hash covers its own content and the previous event's hash, so altering a
stored event breaks its own hash and removing one breaks the sequence: `verify_chain` names
the first event that no longer fits. The hash covers every stored field of the event,
`actor_role` included, so a forged "who permitted it" shows as well.

Appending writes the event only. The KPI rollups are the caller's to apply, in the same
transaction (`rollups.apply_events(built)`), as are notices and deadline checks.
"""

from liulin.core import chain

from .models import TicketEvent
from .workflow import SEPARATED_DUTIES

GENESIS = chain.GENESIS


def hash_of(event):
    return event.compute_hash()


def new_chain(ticket):
    """Mark a ticket inserted in the current transaction as having no events yet."""
    chain.new_chain(TicketEvent, ticket)


def append_event(ticket, *, actor, action, **fields):
    """Append one event to `ticket`'s chain; the caller holds the ticket row
    (select_for_update inside transaction.atomic)."""
    return chain.append(TicketEvent, ticket, actor=actor, action=action, **fields)


def append_events(steps):
    """Append events to many tickets at once, in order: `steps` is [(ticket, the keywords of
    `append_event`)]. Returns [(ticket, event)]."""
    return chain.append_many(TicketEvent, steps)


def broken_link(ticket):
    """The first BrokenLink of the ticket's chain (which seq, what was expected), or None."""
    return chain.verify(TicketEvent, ticket)


def verify_chain(ticket):
    """None when the ticket's chain is intact, else the first event whose hash, link or
    sequence number is wrong (after a removed event, the one that follows the gap)."""
    broken = broken_link(ticket)
    return broken.event if broken else None


def duties_taken(ticket_id, actor):
    """The duties (workflow.DUTIES: handle, verify, callback) `actor` has taken on the ticket."""
    return SEPARATED_DUTIES.taken(TicketEvent.objects.filter(ticket_id=ticket_id), actor)
