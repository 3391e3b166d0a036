"""Work-order API (/api/v1/tickets).

Reads go through whistle.selectors (scoped to the caller: out of scope is 404); writes go
through the intake and transition services, so the API obeys the same state table, roles,
deadlines and hash-chained events as the pages. Every workflow action is its own POST
endpoint (/tickets/{id}/accept ...), generated from workflow.TRANSITIONS so the two can
never disagree.
"""

import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from liulin.core import clock
from liulin.core.attachments import services as attachments
from liulin.core.errors import Invalid, NotFound
from liulin.core.links import row_path
from liulin.core.masking import mask_phone
from liulin.core.pagination import decode_cursor, encode_cursor
from liulin.core.schemas import ERRORS
from liulin.people.models import Resident
from liulin.territory.models import Building, Household

from . import kpi, routing, selectors, workflow
from .models import Intake, State
from .schemas import (
    CallbackIn,
    CategoryOut,
    CommentIn,
    ForwardIn,
    IntakeOut,
    KpiRowOut,
    LikelyDuplicateOut,
    MergeIn,
    OrgReasonIn,
    ReasonIn,
    ReopenIn,
    ResolveIn,
    TicketDetailOut,
    TicketFiledOut,
    TicketIn,
    TicketPage,
    TicketQueuedIn,
)
from .services import callbacks, intake, queue, transitions

router = Router(tags=["tickets"])

MAX_PAGE = 100


# --- shaping --------------------------------------------------------------------------


def _ref(obj):
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _summary(ticket):
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "channel": ticket.channel,
        "category": {"id": ticket.category_id, "code": ticket.category.code, "name": str(ticket.category)},
        "urgency": ticket.urgency,
        "state": ticket.state,
        "state_label": ticket.get_state_display(),
        "tier": ticket.tier,
        "grid": _ref(ticket.grid),
        "community": _ref(ticket.community),
        "handling_org": _ref(ticket.handling_org),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "accept_due": ticket.accept_due,
        "resolve_due": ticket.resolve_due,
        "accept_overdue": ticket.accept_overdue,
        "resolve_overdue": ticket.resolve_overdue,
        "urge_count": ticket.urge_count,
        "cosign_count": ticket.cosign_count,
    }


def _mask_name(name):
    return f"{name[0]}{'*' * (len(name) - 1)}" if len(name) > 1 else name


def _detail(user, pk):
    ticket = selectors.ticket_detail(user, pk)
    staff = selectors.is_staff_viewer(user, ticket)
    own = ticket.requester_user_id == user.pk
    # Who calls the requester back sees his name; everyone else sees a surname.
    handles = any(getattr(ticket, f"may_{a}", False) for a in ("dispatch", "accept", "callback", "verify"))
    events = []
    timeline = list(selectors.timeline(user, ticket, staff=staff))
    kinds = {} if staff else selectors.unit_kinds(timeline)
    for event in timeline:
        if staff:
            actor = event.actor.name if event.actor_id else str(selectors.SYSTEM_LABEL)
        else:
            actor = str(selectors.event_actor_label(event, ticket, kinds))
        events.append(
            {
                "seq": event.seq,
                "at": event.at,
                "action": event.action,
                "label": str(workflow.event_label(event.action, workflow.STAFF if staff else workflow.RESIDENT)),
                "from_state": event.from_state,
                "to_state": event.to_state,
                "reason": event.reason,
                "actor": actor,
                "internal": event.internal,
            }
        )
    shown = selectors.requester_state(ticket)
    return {
        **_summary(ticket),
        "description": ticket.description,
        "address": ticket.address,
        "lon": ticket.lon,
        "lat": ticket.lat,
        "contact_name": ticket.contact_name if (own or handles) else _mask_name(ticket.contact_name),
        "contact_phone_masked": mask_phone(ticket.contact_phone),
        "forwarded_to": ticket.forwarded_to,
        "parent_id": ticket.parent_id,
        "reopen_count": ticket.reopen_count,
        "solved": ticket.solved,
        "satisfaction": ticket.satisfaction,
        "allowed_actions": [t.action for t in ticket.allowed],
        "timeline": events,
        "photos": [{"id": p.pk, "stage": p.stage, "url": reverse("attachments:file", args=[p.pk])} for p in selectors.photos(ticket)],
        "merged_count": selectors.merged_count(ticket),
        "merged_children": [
            {"id": c.pk, "number": c.number, "created_at": c.created_at, "channel": c.channel} for c in selectors.merged_children(user, ticket)
        ],
        "shown_state": shown[0],
        "shown_state_label": str(shown[1]),
    }


# --- reads ----------------------------------------------------------------------------


KPI_GROUPINGS = tuple(g for g in kpi.GROUPINGS if g)


@router.get("/kpis", response={200: list[KpiRowOut], **ERRORS}, summary="三率 KPI（按月汇总，可按网格、承办单位、类别、月份或社区分组）")
def ticket_kpis(request, period_start: datetime.date, period_end: datetime.date, group_by: str | None = None):
    """The same figures as the KPI page, for what the caller may see; months are whole
    (the days are ignored)."""
    if group_by is not None and group_by not in KPI_GROUPINGS:
        raise Invalid(f"group_by 只能是 {', '.join(KPI_GROUPINGS)}。", code="invalid_group_by", field="group_by")
    rows = kpi.kpis(request.user, period_start=period_start, period_end=period_end, group_by=group_by)
    return [
        {
            **{name: getattr(row, name) for name in KpiRowOut.model_fields if name not in ("key", "counts", "tier_shares")},
            "key": None if row.key is None else str(row.key),
            "counts": {name: int(value or 0) for name, value in row.counts.items()},
            "tier_shares": {str(tier): share for tier, share in row.tier_shares.items()},
        }
        for row in rows
    ]


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="诉求类别（启用的类别树，按排序）")
def category_list(request):
    categories, parents = selectors.active_categories()
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "parent_id": c.parent_id,
            "full_name": str(c),
            "responsible_kind": c.responsible_kind,
            "is_leaf": c.pk not in parents,
        }
        for c in categories
        if c.parent is None or c.parent.is_active
    ]


@router.get("", response={200: TicketPage, **ERRORS}, summary="工单列表（按辖区过滤，游标分页，新的在前）")
def ticket_list(
    request,
    state: str | None = Query(None, description="状态，可用逗号分隔多个，如 dispatched,accepted"),
    category: str | None = Query(None, description="类别代码（含其子类别）"),
    grid: int | None = None,
    handling_org: int | None = None,
    created_after: datetime.datetime | None = None,
    created_before: datetime.datetime | None = None,
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(25, ge=1, le=MAX_PAGE),
):
    states = None
    if state:
        states = [s.strip() for s in state.split(",") if s.strip()]
        unknown = [s for s in states if s not in State.values]
        if unknown:
            raise Invalid(f"未知的状态：{', '.join(unknown)}", code="invalid_state", field="state")
    for value in (created_after, created_before):
        if value is not None and value.tzinfo is None:
            raise Invalid(_("时间须带时区，如 2026-03-01T08:00:00+08:00。"), code="invalid_datetime")
    if created_after is not None:
        created_after = clock.bounded(created_after, field="created_after")
    if created_before is not None:
        created_before = clock.bounded(created_before, field="created_before")
    after = decode_cursor(cursor, datetime.datetime, int) if cursor else None  # (created_at, id), newest first
    filters = selectors.TicketFilters(
        states=states, category_code=category, grid_id=grid, handling_org_id=handling_org,
        created_after=created_after, created_before=created_before,
    )
    rows = selectors.newest_tickets(request.user, filters, after=after, limit=limit + 1)
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].pk) if len(rows) > limit else None
    return {"items": [_summary(t) for t in rows[:limit]], "next_cursor": next_cursor}


@router.get("/likely-duplicates", response={200: list[LikelyDuplicateOut], **ERRORS},
            summary="提交前：本社区可能相同的诉求（居民可“我也遇到”附议，不必重复提交）")
def likely_duplicates(
    request,
    category: str = Query(..., max_length=48, description="类别代码或编号"),
    household_id: int | None = Query(None, description="本人住户"),
    building_id: int | None = None,
    lon: float | None = Query(None, ge=-180, le=180),
    lat: float | None = Query(None, ge=-90, le=90),
    description: str = Query("", max_length=4000),
):
    """The same rule and the same view as the resident's filing page (docs/duplicates.md):
    open tickets of the caller's own community, not his own, likeliest first. A caller
    without a registered home gets an empty list."""
    category = routing.active_category(category)
    resident = getattr(request.user, "resident", None)
    place = {}
    if household_id is not None:
        home = resident.household if resident is not None and resident.household_id else None
        if home is None or home.pk != household_id:
            raise NotFound(_("找不到该住户，或不在您的服务范围内。"))
        place["household"] = home
    elif building_id is not None:
        place["building"] = selectors.buildings_for(request.user).filter(pk=building_id).first()
        if place["building"] is None:
            raise NotFound(_("找不到该楼栋，或不在您的服务范围内。"))
    elif lon is not None and lat is not None:
        place.update(lon=lon, lat=lat)
    else:
        raise Invalid(_("请给出住户、楼栋或经纬度。"), code="place_required", field="location")
    rows = selectors.likely_duplicates(request.user, category=category, description=description, **place)
    return [
        {
            "id": t.pk,
            "number": t.number,
            "category": t.public.category,
            "place": str(t.building) if t.building_id else t.grid.name,
            "created_at": t.created_at,
            "state": t.state,
            "state_label": t.public.state_label,
            "cosign_count": t.cosign_count,
            "distance_m": None if t.distance_m is None else round(t.distance_m, 1),
            "score": round(t.score, 3),
            "description": t.public.description,
            "cosigned": t.mine,
        }
        for t in rows
    ]


@router.get("/{int:ticket_id}", response={200: TicketDetailOut, **ERRORS}, summary="工单详情（联系电话脱敏；居民看不到内部备注）")
def ticket_detail(request, ticket_id: int):
    return _detail(request.user, ticket_id)


# --- intake ---------------------------------------------------------------------------


def _get(model, pk, label):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).select_related(*intake.PLACE_RELATED.get(model, ())).first()
    if obj is None:
        # Scope is checked by the intake service; a missing row reads the same as one out of scope.
        raise NotFound(f"找不到该{label}，或不在您的服务范围内。")
    return obj


@router.post("", response={200: TicketFiledOut, 201: TicketFiledOut, **ERRORS}, summary="提交诉求（client_request_id 幂等）")
def ticket_file(request, payload: TicketIn):
    ticket, created = intake.file_ticket(
        actor=request.user,
        channel="api",
        category=payload.category,
        description=payload.description,
        urgency=payload.urgency,
        requester=_get(Resident, payload.requester_id, "居民"),
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        household=_get(Household, payload.household_id, "住户"),
        building=_get(Building, payload.building_id, "楼栋"),
        lon=payload.lon,
        lat=payload.lat,
        address=payload.address,
        client_request_id=payload.client_request_id,
        publish_description=payload.publish_description,
    )
    filed = {**_summary(ticket), "description": ticket.description, "address": ticket.address,
             "contact_phone_masked": mask_phone(ticket.contact_phone)}
    return Status(201 if created else 200, filed)


def _intake_out(request_row):
    ticket = selectors.intake_ticket(request_row)
    return {
        "id": request_row.pk,
        "client_request_id": request_row.client_request_id,
        "status": request_row.status,
        "received_at": request_row.received_at,
        "processed_at": request_row.processed_at,
        "ticket": {"id": ticket.pk, "number": ticket.number, "state": ticket.state} if ticket else None,
        "error": (
            {"detail": request_row.error_detail, "code": request_row.error_code, "field": request_row.error_field or None}
            if request_row.status == Intake.Status.REJECTED
            else None
        ),
    }


@router.post("/intake", response={200: IntakeOut, 202: IntakeOut, **ERRORS},
             summary="排队提交诉求（高峰受理：202 立即应答，随后派单；client_request_id 必填）")
def ticket_enqueue(request, payload: TicketQueuedIn, response: HttpResponse):
    """For hotline peaks and bulk clients: the request is stored at once and answered 202; the
    intake queue files it within moments, with the same checks, routing and deadlines as
    `POST /tickets`. Follow it at the `Location` given (queued → filed or rejected)."""
    fields = payload.dict(exclude={"client_request_id"})
    queued, created = queue.enqueue(actor=request.user, client_request_id=payload.client_request_id, request=fields)
    response["Location"] = row_path("api:ticket_intake_status", queued.pk)
    return Status(202 if created else 200, _intake_out(queued))


@router.get("/intake/{int:intake_id}", response={200: IntakeOut, **ERRORS}, url_name="ticket_intake_status",
            summary="排队提交的受理结果（本人提交的）")
def ticket_intake_status(request, intake_id: int):
    return _intake_out(selectors.own_intake(request.user, intake_id))


# --- workflow actions -----------------------------------------------------------------


def _org(user, org_id):
    if org_id is None:
        return None
    org = selectors.handling_units(user).filter(pk=org_id).first()
    if org is None:
        raise Invalid(_("找不到该承办单位，或它不服务于您的辖区。"), code="org_invalid", field="org_id")
    return org


def _transition(action, ticket, user, payload):
    kwargs = {"reason": payload.reason}
    if isinstance(payload, OrgReasonIn | ReopenIn):
        kwargs["org"] = _org(user, payload.org_id)
    if isinstance(payload, ForwardIn):
        kwargs["forwarded_to"] = payload.forwarded_to
    if isinstance(payload, ResolveIn):
        kwargs["photos"] = [attachments.from_base64(text, field="photos") for text in payload.photos]
    return transitions.act(actor=user, ticket=ticket, action=action, **kwargs)


def _register_action(action, schema):
    transition = workflow.TRANSITIONS[action]
    needs = "（须填写原因）" if transition.needs_reason else ""

    def view(request, ticket_id: int, payload: schema):
        ticket = selectors.ticket_for(request.user, ticket_id)
        if action == "merge":
            parent = selectors.ticket_for(request.user, payload.parent_id)
            intake.merge(actor=request.user, child=ticket, parent=parent, reason=payload.reason)
        else:
            _transition(action, ticket, request.user, payload)
        return _detail(request.user, ticket.pk)

    view.__name__ = f"ticket_{action}"
    sources = "、".join(sorted(str(s.label) for s in transition.sources))
    router.post(
        f"/{{int:ticket_id}}/{action}",
        response={200: TicketDetailOut, **ERRORS},
        operation_id=f"ticket_{action}",
        summary=f"{transition.label}{needs}",
        description=f"从“{sources}”状态可执行；角色：{'、'.join(str(r.label) for r in transition.roles)}。",
    )(view)


ACTION_SCHEMAS = {
    "dispatch": OrgReasonIn,
    "reassign": OrgReasonIn,
    "reopen": ReopenIn,
    "forward": ForwardIn,
    "merge": MergeIn,
    "resolve": ResolveIn,
}
with translation.override(None):  # the schema's texts in the source language, whoever imports it first
    for _action in workflow.TRANSITIONS:
        if _action != "callback":  # the callback carries a verdict: its own endpoint below
            _register_action(_action, ACTION_SCHEMAS.get(_action, ReasonIn))


@router.post("/{int:ticket_id}/callback", response={200: TicketDetailOut, **ERRORS}, summary="回访（是否解决、满意度；不满意可申请重办）")
def ticket_callback(request, ticket_id: int, payload: CallbackIn):
    ticket = selectors.ticket_for(request.user, ticket_id)
    callbacks.record_callback(
        actor=request.user,
        ticket=ticket,
        solved=payload.solved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        method=payload.method,
        reopen=payload.reopen,
    )
    return _detail(request.user, ticket.pk)


@router.post("/{int:ticket_id}/urge", response={200: TicketDetailOut, **ERRORS}, summary="催办")
def ticket_urge(request, ticket_id: int, payload: ReasonIn):
    ticket = selectors.ticket_for(request.user, ticket_id)
    transitions.urge(actor=request.user, ticket=ticket, reason=payload.reason)
    return _detail(request.user, ticket.pk)


@router.post("/{int:ticket_id}/escalate", response={200: TicketDetailOut, **ERRORS}, summary="升级一个层级（须填写原因）")
def ticket_escalate(request, ticket_id: int, payload: ReasonIn):
    ticket = selectors.ticket_for(request.user, ticket_id)
    transitions.escalate(actor=request.user, ticket=ticket, reason=payload.reason)
    return _detail(request.user, ticket.pk)


@router.post("/{int:ticket_id}/comments", response={201: TicketDetailOut, **ERRORS}, summary="留言或内部备注")
def ticket_comment(request, ticket_id: int, payload: CommentIn):
    ticket = selectors.ticket_for(request.user, ticket_id)
    transitions.comment(actor=request.user, ticket=ticket, body=payload.body, internal=payload.internal)
    return Status(201, _detail(request.user, ticket.pk))


@router.post("/{int:ticket_id}/cosign", response={201: TicketDetailOut, **ERRORS}, summary="我也遇到（同社区居民附议）")
def ticket_cosign(request, ticket_id: int):
    # A resident of the same community may co-sign a ticket he cannot otherwise open; the
    # intake service decides (and answers 404 to anyone else).
    ticket = selectors.cosign_target(request.user, ticket_id)
    intake.cosign(actor=request.user, ticket=ticket)
    return Status(201, _cosign_view(request.user, ticket.pk))


def _cosign_view(user, pk):
    try:
        return _detail(user, pk)
    except NotFound:
        # The co-signer may not see the whole ticket: answer with its public summary only.
        ticket = selectors.cosigned_ticket(user, pk)
        return {
            **_summary(ticket),
            "description": "",
            "address": "",
            "lon": None,
            "lat": None,
            "contact_name": "",
            "contact_phone_masked": "",
            "forwarded_to": "",
            "parent_id": None,
            "reopen_count": ticket.reopen_count,
            "solved": None,
            "satisfaction": "",
            "allowed_actions": [],
            "timeline": [],
        }
