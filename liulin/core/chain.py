"""Hash-chained events: the tamper-evident log of every state change of a subject (a work
order, a points ledger, a ballot box, a booking, a lease).

An app declares a concrete model on `ChainedEvent` with a foreign key to its subject, names
that key in `subject_field`, lists any fields it adds that the hash must cover in
`hashed_fields`, and keeps (subject, seq) unique with a database constraint. Then:

    event = chain.append(LedgerEvent, account, actor=user, actor_role="volunteer",
                         action="earn", data={"points": 5})
    broken = chain.verify(LedgerEvent, account)   # None, or the first BrokenLink

Each event's hash covers its own content and the previous event's hash, so altering a stored
event breaks its own hash, removing or reordering one breaks the sequence or the link, and
`verify` names the first event that no longer fits. `append` writes the event and nothing
else: what an app derives from its events (counters, notices, deadlines) it applies itself,
in the same transaction, after appending.

The caller holds the subject (select_for_update inside transaction.atomic, or a row inserted
in the current transaction), so no other writer takes the same seq; the unique constraint
refuses it anyway.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import OuterRef, Subquery

from . import clock
from .models import AppendOnlyModel

GENESIS = "0" * 64


class ChainedEvent(AppendOnlyModel):
    """One link of a subject's chain. Concrete models add the subject's foreign key (named
    by `subject_field`) and a UniqueConstraint on (subject, seq)."""

    subject_field = None  # the name of the concrete model's foreign key to the subject
    hashed_fields = ()  # fields the concrete model adds that the hash covers too

    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=32, blank=True)
    # The kind of event: the workflow action or the step recorded beside it.
    action = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        abstract = True

    @property
    def chain_subject_id(self):
        return getattr(self, f"{self.subject_field}_id")

    def hash_content(self):
        """What the hash covers, in a form that survives a reload from either database."""
        content = {
            f"{self.subject_field}_id": self.chain_subject_id,
            "seq": self.seq,
            "at": _iso(self.at),
            "actor_id": self.actor_id,
            "actor_role": self.actor_role or "",
            "action": self.action,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }
        for name in self.hashed_fields:
            value = getattr(self, name)
            content[name] = bool(value) if isinstance(self._meta.get_field(name), models.BooleanField) else (value or "")
        return content

    def compute_hash(self):
        canonical = json.dumps(self.hash_content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _iso(at):
    # The same instant must hash the same whether it was just made in local time or read
    # back from the database in UTC.
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def json_safe(data):
    """`data` as the JSON column will give it back (dates as strings), so the hash survives a reload."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


# --- appending ------------------------------------------------------------------------------


def _tails(subject):
    return subject.__dict__.setdefault("_chain_tails", {})


def new_chain(model, subject):
    """Mark a subject inserted in the current transaction as having no `model` events yet, so
    appending to it reads nothing."""
    _tails(subject)[model._meta.label] = (0, GENESIS)


def _last_links(model, subject_ids):
    """{subject id: (last seq, last hash)} in one query."""
    key = f"{model.subject_field}_id"
    latest = model.objects.filter(**{key: OuterRef(key)}).order_by("-seq").values("seq")[:1]
    rows = model.objects.filter(**{f"{key}__in": subject_ids}, seq=Subquery(latest)).values_list(key, "seq", "hash")
    links = dict.fromkeys(subject_ids, (0, GENESIS))
    links.update({subject_id: (seq, digest) for subject_id, seq, digest in rows})
    return links


def _blank_if_none(model, name, value):
    if value is None and isinstance(model._meta.get_field(name), (models.CharField, models.TextField)):
        return ""
    return value


def build(model, subject_id, *, last_seq, last_hash, at, data=None, **fields):
    """An unsaved event linked after (last_seq, last_hash)."""
    fields = {name: _blank_if_none(model, name, value) for name, value in fields.items()}
    event = model(**{f"{model.subject_field}_id": subject_id}, seq=last_seq + 1, at=at, data=json_safe(data),
                  prev_hash=last_hash, **fields)
    event.hash = event.compute_hash()
    return event


def append_many(model, steps):
    """Append events to many subjects at once, in order: `steps` is [(subject, fields of the
    event)], each subject held as for `append`. One query reads the chain ends not already
    known, one insert writes the events. Returns [(subject, event)].

    A subject instance that appended an event remembers its chain's end (`new_chain` for one
    inserted by this transaction), so a step that writes two events reads it once, or not at
    all. Events are appended only through instances locked or inserted in the current
    transaction, which do not outlive it, so the memory is never stale; were it so, the
    unique (subject, seq) would refuse a repeated seq and `verify` would name a skipped one."""
    label = model._meta.label
    unknown = {subject.pk for subject, _ in steps if label not in _tails(subject)}
    links = _last_links(model, unknown) if unknown else {}
    built, now = [], clock.now()
    for subject, fields in steps:
        last_seq, last_hash = _tails(subject).get(label) or links[subject.pk]
        fields = {**fields, "at": fields.get("at") or now}
        event = build(model, subject.pk, last_seq=last_seq, last_hash=last_hash, **fields)
        _tails(subject)[label] = (event.seq, event.hash)
        built.append((subject, event))
    model.objects.bulk_create([event for _, event in built])
    return built


def append(model, subject, *, actor, action, **fields):
    """Append one event to `subject`'s chain of `model` events; returns it."""
    return append_many(model, [(subject, {"actor": actor, "action": action, **fields})])[0][1]


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    """The first place a chain does not hold: the subject, the seq it expected there, what was
    wrong (`problem`: "seq" — an event missing or out of place, "prev_hash" — the link to the
    one before, "hash" — the event's own content), what was expected and what was found.
    `event` is the stored event found there."""

    subject_id: object
    seq: int
    problem: str
    expected: object
    found: object
    event: object

    def __str__(self):
        return f"subject {self.subject_id}, seq {self.seq}: {self.problem} expected {self.expected!r}, found {self.found!r}"


def verify(model, subject):
    """None when `subject`'s chain is intact, else the BrokenLink of its first bad event
    (after a removed event, the one that follows the gap)."""
    expected_seq, prev_hash = 1, GENESIS
    events = model.objects.filter(**{f"{model.subject_field}_id": subject.pk}).order_by("seq")
    for event in events.iterator(chunk_size=500):
        if event.seq != expected_seq:
            return BrokenLink(subject.pk, expected_seq, "seq", expected_seq, event.seq, event)
        if event.prev_hash != prev_hash:
            return BrokenLink(subject.pk, expected_seq, "prev_hash", prev_hash, event.prev_hash, event)
        digest = event.compute_hash()
        if digest != event.hash:
            return BrokenLink(subject.pk, expected_seq, "hash", digest, event.hash, event)
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None
