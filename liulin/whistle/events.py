"""The hash-chained event log of a ticket.

Each TicketEvent's hash covers its own content and the previous event's hash, so altering a
stored event breaks its own hash and removing one breaks the sequence: `verify_chain` names
the first event that no longer fits. The hash covers every stored field of the event,
`actor_role` included, so a forged "who permitted it" shows as well.
"""

import datetime
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Subquery

from liulin.core import clock

from . import rollups
from .models import TicketEvent
from .workflow import DUTY_OF

GENESIS = "0" * 64


def _iso(at):
    # The same instant must hash the same whether it was just made in local time or read
    # back from the database in UTC.
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _json_safe(data):
    """`data` as the JSON column will give it back (dates as strings), so the hash survives a reload."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def compute_hash(*, ticket_id, seq, at, actor_id, actor_role, action, from_state, to_state, reason, data, internal, prev_hash):
    canonical = json.dumps(
        {
            "ticket_id": ticket_id,
            "seq": seq,
            "at": _iso(at),
            "actor_id": actor_id,
            "actor_role": actor_role or "",
            "action": action,
            "from_state": from_state or "",
            "to_state": to_state or "",
            "reason": reason or "",
            "data": data,
            "internal": bool(internal),
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_of(event):
    return compute_hash(
        ticket_id=event.ticket_id,
        seq=event.seq,
        at=event.at,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        reason=event.reason,
        data=event.data,
        internal=event.internal,
        prev_hash=event.prev_hash,
    )


def build_event(ticket_id, *, last_seq, last_hash, actor, action, actor_role="", from_state="", to_state="", reason="",
                data=None, internal=False, at):
    """An unsaved event linked after (last_seq, last_hash); for appending many at once."""
    event = TicketEvent(
        ticket_id=ticket_id,
        seq=last_seq + 1,
        at=at,
        actor=actor,
        actor_role=actor_role or "",
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=_json_safe(data),
        internal=internal,
        prev_hash=last_hash,
    )
    event.hash = hash_of(event)
    return event


def new_chain(ticket):
    """Mark a ticket inserted in the current transaction as having no events yet."""
    ticket._chain_tail = (0, GENESIS)


def append_event(ticket, *, actor, action, from_state="", to_state="", reason="", data=None, internal=False, at=None,
                 actor_role=""):
    """Append one event to `ticket`'s chain (`append_events` for one). The caller holds the
    ticket row (select_for_update inside transaction.atomic), so no other writer can take the
    same seq; the unique (ticket, seq) constraint refuses it anyway."""
    fields = {"actor": actor, "action": action, "from_state": from_state, "to_state": to_state, "reason": reason,
              "data": data, "internal": internal, "at": at, "actor_role": actor_role}
    return append_events([(ticket, fields)])[0][1]


def _last_links(ticket_ids):
    """{ticket_id: (last seq, last hash)} in one query."""
    latest = TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id")).order_by("-seq").values("seq")[:1]
    rows = TicketEvent.objects.filter(ticket_id__in=ticket_ids, seq=Subquery(latest)).values_list("ticket_id", "seq", "hash")
    links = {ticket_id: (0, GENESIS) for ticket_id in ticket_ids}
    links.update({ticket_id: (seq, digest) for ticket_id, seq, digest in rows})
    return links


def append_events(steps):
    """Append events to many tickets at once, in order: `steps` is [(ticket, the keywords of
    `append_event`)], the tickets held as for `append_event`. One query reads the chain ends
    not already known, one insert writes the events and one statement adds their KPI
    counters. Returns [(ticket, event)].

    A ticket instance that appended an event remembers its chain's end (`new_chain` for one
    inserted by this transaction), so a step that writes two events reads it once, or not at
    all. Events are appended only through instances locked or inserted in the current
    transaction, which do not outlive it, so the memory is never stale; were it so, the
    unique (ticket, seq) would refuse a repeated seq and `verify_chain` would name a skipped
    one."""
    unknown = {ticket.pk for ticket, _ in steps if getattr(ticket, "_chain_tail", None) is None}
    links = _last_links(unknown) if unknown else {}
    built, now = [], clock.now()
    for ticket, fields in steps:
        last_seq, last_hash = getattr(ticket, "_chain_tail", None) or links[ticket.pk]
        fields = {**fields, "at": fields.get("at") or now}
        event = build_event(ticket.pk, last_seq=last_seq, last_hash=last_hash, **fields)
        ticket._chain_tail = (event.seq, event.hash)
        built.append((ticket, event))
    TicketEvent.objects.bulk_create([event for _, event in built])
    rollups.apply_events(built)
    return built


def verify_chain(ticket):
    """None when the ticket's chain is intact, else the first event whose hash, link or
    sequence number is wrong (after a removed event, the one that follows the gap)."""
    expected_seq, prev_hash = 1, GENESIS
    for event in TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("seq").iterator(chunk_size=500):
        if event.seq != expected_seq or event.prev_hash != prev_hash or hash_of(event) != event.hash:
            return event
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None


def duties_taken(ticket_id, actor):
    """The duties (workflow.DUTIES: handle, verify, callback) `actor` has taken on the ticket."""
    if actor is None or not getattr(actor, "pk", None):
        return set()
    actions = TicketEvent.objects.filter(ticket_id=ticket_id, actor_id=actor.pk, action__in=list(DUTY_OF))
    return {DUTY_OF[action] for action in actions.values_list("action", flat=True).distinct()}
