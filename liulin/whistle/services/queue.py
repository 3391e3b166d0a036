"""The intake queue: filing at hotline peaks without making the caller wait for routing.

`enqueue` accepts a request with one insert (who, the fields, the caller's
client_request_id) after the checks that need no database: the caller may file, the
category exists, the text is there. The caller is answered 202 at once. `drain`, run by
`manage.py drain_intake` (several may run: each claims its own rows), files the queued
requests batch by batch through the same checks, routing, deadlines and hash-chained
events as a direct filing (`intake.prepare`, `intake.insert_filings`), with one statement
per table per batch instead of a score per ticket. Each request ends filed, pointing at its
ticket, or rejected with the error a direct filing would have answered.

Idempotent on `client_request_id` like direct filing: a retry returns the request as it now
stands; a request id another user took is a conflict; a request id already used by a
direct filing of the same user ends filed with that ticket.

Open311 GeoReport v2 answers the same way when a request cannot be numbered at once: a
token now, the request id later (`GET tokens/{token}`).
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext

from liulin.core import clock
from liulin.core.errors import Conflict, DomainError, Invalid
from liulin.people.models import Resident
from liulin.territory.models import Building, Grid, Household

from .. import routing
from ..models import Channel, Intake, Ticket, Urgency
from . import intake

BATCH_SIZE = 200
# The request's fields as stored and handed to `intake.prepare` (places by id).
PLACES = {"household_id": Household, "building_id": Building, "requester_id": Resident}
TEXT_FIELDS = ("category", "description", "urgency", "address", "contact_name", "contact_phone")
POINT_FIELDS = ("lon", "lat")
FLAG_FIELDS = ("publish_description",)  # true, false, or absent (the channel's default)
REQUIRED_FIELDS = ("category", "description")


# --- accepting ------------------------------------------------------------------------


def enqueue(*, actor, client_request_id, request, channel=Channel.API, now=None):
    """Accept `request` (the fields of a filing, places by id) into the queue; returns
    (intake, created). A retry with the same client_request_id returns the first (False)."""
    intake.require_filer(actor, roles_only=True)  # the drain checks the scope, with the role as it is then
    client_request_id = (client_request_id or "").strip()
    if not client_request_id:
        raise Invalid(gettext("排队提交须带 client_request_id，以便重试和查询。"), code="client_request_id_required",
                      field="client_request_id")
    routing.active_category(request.get("category"))
    intake.clean_description(request.get("description"))
    intake.clean_choice(request.get("urgency") or Urgency.NORMAL, Urgency, "invalid_urgency", "urgency", "紧急程度")
    payload = {name: request.get(name) for name in (*TEXT_FIELDS, *POINT_FIELDS, *FLAG_FIELDS, *PLACES) if request.get(name) not in (None, "")}
    try:
        # Its own transaction (a savepoint inside the caller's): a duplicate request id's
        # IntegrityError then spoils nothing the caller has done.
        with transaction.atomic():
            return Intake.objects.create(
                filed_by=actor, client_request_id=client_request_id, channel=channel, payload=payload,
                received_at=now or clock.now(),
            ), True
    except IntegrityError:
        earlier = Intake.objects.filter(client_request_id=client_request_id).first()
        if earlier is None or earlier.filed_by_id != actor.pk:
            raise Conflict(gettext("该请求编号已被使用。"), code="client_request_id_taken", field="client_request_id") from None
        return earlier, False


# --- filing ---------------------------------------------------------------------------


def drain(*, batch_size=BATCH_SIZE, now=None):
    """File the queued requests, a batch per transaction, until a batch comes back short (what
    is left is being filed by another drain). Returns how many were processed."""
    total = 0
    while True:
        processed = drain_batch(batch_size=batch_size, now=now)
        total += processed
        if processed < batch_size:
            return total


def drain_batch(*, batch_size=BATCH_SIZE, now=None):
    """Claim up to `batch_size` queued requests (rows another drain holds are skipped), file
    or reject each, in one transaction. Returns how many were claimed."""
    with transaction.atomic():
        requests = list(
            Intake.objects.filter(status=Intake.Status.QUEUED).select_for_update(skip_locked=True).order_by("received_at", "id")[
                :batch_size
            ]
        )
        if requests:
            now = now or clock.now()
            _file(requests, now)
            _save(requests, now)
    return len(requests)


def _save(requests, now):
    """The filed in one UPDATE; the rejected (few, each with its own error) one by one."""
    filed = [r.pk for r in requests if r.status == Intake.Status.FILED]
    Intake.objects.filter(pk__in=filed).update(status=Intake.Status.FILED, processed_at=now)
    for r in requests:
        if r.status == Intake.Status.REJECTED:
            Intake.objects.filter(pk=r.pk).update(status=r.status, error_code=r.error_code, error_detail=r.error_detail,
                                                  error_field=r.error_field, processed_at=now)


def _file(requests, now):
    """File or reject each request in memory (`status`, `error_*`); the caller saves them."""
    for request in requests:
        if _malformed(request.payload):
            _reject(request, Invalid(gettext("排队的请求不完整或格式有误，请重新提交。"), code="malformed_request"))
    requests = [r for r in requests if r.status == Intake.Status.QUEUED]
    actors = get_user_model().objects.in_bulk({r.filed_by_id for r in requests})
    earlier = Ticket.objects.in_bulk([r.client_request_id for r in requests], field_name="client_request_id")
    named = _named_places(requests)
    places = _places(named)
    visible = {actor_id: {model: intake.visible_ids(actor, model, named[actor_id][model]) for model in PLACES.values()}
               for actor_id, actor in actors.items()}  # one query per actor and kind of place
    for actor_id in {r.filed_by_id for r in requests if _without_record(r.payload)}:
        # and one for the grids, where a point or an address locates
        visible[actor_id][Grid] = intake.visible_grid_ids(actors[actor_id])
    prepared = []
    for request in requests:
        actor = actors[request.filed_by_id]
        if request.client_request_id in earlier:
            _settle_repeat(request, earlier[request.client_request_id])
            continue
        try:
            intake.require_filer(actor)
            arguments = _arguments(request, actor, places)
            filing = intake.prepare(**arguments, visible=visible[actor.pk])
        except DomainError as error:
            _reject(request, error)
            continue
        prepared.append((request, arguments, filing))
    _insert(prepared, now)


def _insert(prepared, now):
    """All the batch's filings in one go. Should that fail (a direct filing took one of the
    request ids meanwhile), each is filed on its own the direct way, so one request cannot
    hold up the others."""
    try:
        with transaction.atomic():
            intake.insert_filings([filing for _, _, filing in prepared], now=now)
    except DatabaseError:
        for request, arguments, _ in prepared:
            _file_directly(request, arguments)
        return
    for request, _, _ in prepared:
        _settle_filed(request)


def _file_directly(request, arguments):
    try:
        with transaction.atomic():
            intake.file_ticket(**arguments)
    except DomainError as error:
        _reject(request, error)
        return
    _settle_filed(request)


def _settle_filed(request):
    request.status = Intake.Status.FILED  # its ticket is the one with its client_request_id


def _settle_repeat(request, ticket):
    """The request id was used by a direct filing: the same user's request is that ticket."""
    if ticket.filed_by_id == request.filed_by_id:
        _settle_filed(request)
    else:
        _reject(request, Conflict(gettext("该请求编号已被使用。"), code="client_request_id_taken", field="client_request_id"))


def _reject(request, error):
    request.status = Intake.Status.REJECTED
    request.error_code, request.error_detail, request.error_field = error.code, error.detail[:255], error.field or ""


def _malformed(payload):
    """Whether a stored request is not one `enqueue` writes (a row put in by hand, say). Such a
    request is rejected on its own: filing it would fail its batch, again at every claim, and
    so hold up the whole queue behind it."""
    if not isinstance(payload, dict):
        return True
    return (
        any(not payload.get(name) for name in REQUIRED_FIELDS)
        or any(not isinstance(payload.get(name, ""), str) for name in TEXT_FIELDS)
        or any(not _is_a(payload.get(name, 0), (int, float)) for name in POINT_FIELDS)
        or any(not isinstance(payload.get(name, False), bool) for name in FLAG_FIELDS)
        or any(payload.get(name) is not None and not _is_a(payload[name], int) for name in PLACES)
    )


def _without_record(payload):
    """Whether a request names no household or building: located by its point, or by its
    address (routing.locate_address), both checked against the grids the filer may see."""
    return payload.get("household_id") is None and payload.get("building_id") is None


def _is_a(value, types):
    return isinstance(value, types) and not isinstance(value, bool)


def _named_places(requests):
    """{actor id: {model: ids}} of the places the batch's requests name."""
    named = defaultdict(lambda: defaultdict(set))
    for request in requests:
        for name, model in PLACES.items():
            if request.payload.get(name) is not None:
                named[request.filed_by_id][model].add(request.payload[name])
    return named


def _places(named):
    """{model: {id: object}} for every place named, with what routing reads of it."""
    wanted = defaultdict(set)
    for by_model in named.values():
        for model, ids in by_model.items():
            wanted[model] |= ids
    return {
        model: model.objects.select_related(*intake.PLACE_RELATED.get(model, ())).in_bulk(wanted[model]) for model in PLACES.values()
    }


def _arguments(request, actor, places):
    """The keywords of `intake.prepare` for a stored request; a place that no longer exists is NotFound."""
    payload = request.payload
    kwargs = {name: payload[name] for name in (*TEXT_FIELDS, *POINT_FIELDS, *FLAG_FIELDS) if name in payload}
    for name, model in PLACES.items():
        if payload.get(name) is None:
            continue
        found = places[model].get(payload[name])
        if found is None:
            raise intake.out_of_scope()
        kwargs[name.removesuffix("_id")] = found
    return {"actor": actor, "channel": request.channel, "client_request_id": request.client_request_id,
            "now": request.received_at, **kwargs}
