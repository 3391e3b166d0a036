"""下单: filing a request from the hotline, a resident's phone, a grid patrol or the API;
"me too" co-signing; merging duplicates; looking a caller up by phone.

Filing is idempotent on `client_request_id`: a retry (a phone on a bad network, a double
click) returns the first ticket, also when both submits arrive at the same moment — the
unique column decides and the loser reads the winner's row.

Who files for whom: a resident only for himself (the requester is his own record); an
operator, grid worker or community worker for anyone, at places inside his own scope: a
household or building he may see (else "not found", as for one that does not exist), or a
point inside a grid he may see (else 403 `place_out_of_scope`). The one rule for every
channel (pages, API, Open311, the intake queue): `_staff_parties` and `_point_in_scope`.
"""

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, Greatest, Length, LPad
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from liulin.core import clock
from liulin.core.attachments import services as attachments
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.memo import memoized
from liulin.core.permissions import active_assignments, can, has_perm_anywhere, holds_perm, roles_with, scoped
from liulin.core.roles import Role
from liulin.people import proxies
from liulin.people.models import CareTag, Resident
from liulin.people.selectors import residents_with_phone
from liulin.territory.models import Area, Building, Grid, Household

from .. import events, notifications, rollups, routing, sla, tasks
from ..models import CareUrgencyRule, Channel, CoSign, State, Ticket, Tier, Urgency
from ..workflow import OPEN_STATES
from . import transitions

MAX_DESCRIPTION = 4000
PROXY_SERVICE = "whistle"  # the code registered with people.proxies: filing a request for an elder
PHOTO_STAGE = "intake"  # the requester's photos; "result" would be the handler's
NUMBER_PREFIX = "LF"
NUMBER_DIGITS = 5  # the id, zero-padded; longer ids simply make longer numbers


# What routing and the ticket's address read of each place, fetched with it.
PLACE_RELATED = {Household: ("building__estate", "grid", "community"), Building: ("estate", "grid", "community")}


# --- who may file ---------------------------------------------------------------------


def _files_as_staff(actor):
    """True when one of the actor's roles other than resident may file (he files for others)."""
    if getattr(actor, "is_superuser", False):
        return True
    staff_roles = roles_with("whistle.file") - {Role.RESIDENT}
    return any(a.role in staff_roles for a in active_assignments(actor))


def require_filer(actor, *, roles_only=False):
    """NotPermitted unless a role of the actor may file. `roles_only`: decide from the role
    names alone (`holds_perm`), where no scope is checked next."""
    if not (holds_perm if roles_only else has_perm_anywhere)(actor, "whistle.file"):
        raise NotPermitted(gettext("您的角色不能提交诉求。"), code="not_permitted")


def scope_perm(model):
    return "people.view" if model is Resident else "territory.view"


def _in_scope(actor, model, obj, visible=None):
    """The household/building/resident as the actor may see it, or NotFound. `visible`:
    {model: ids the actor may see}, read beforehand for a batch (the intake queue)."""
    if visible is not None:
        found = obj if obj.pk in visible[model] else None
    else:
        found = scoped(actor, model.objects.filter(pk=obj.pk), scope_perm(model)).first()
    if found is None:
        raise out_of_scope()
    return found


def visible_ids(actor, model, ids):
    """Which of `ids` (households, buildings or residents) the actor may see, in one query."""
    if not ids:
        return set()
    return set(scoped(actor, model.objects.filter(pk__in=ids), scope_perm(model)).values_list("pk", flat=True))


def out_of_scope():
    return NotFound(gettext("找不到该住户/楼栋/居民，或不在您的服务范围内。"))


def _point_in_scope(actor, grid, visible=None):
    """A point locates the ticket in `grid`: staff file there only when they may see that
    grid (a grid worker his grid, a community role every grid of the community). A point
    names no record, so the refusal can say why (403) without telling what exists.
    `visible`: as for `_in_scope`, with the actor's visible grid ids under Grid."""
    if visible is not None:
        allowed = grid.pk in visible[Grid]
    else:
        allowed = scoped(actor, Grid.objects.filter(pk=grid.pk), "territory.view").exists()
    if not allowed:
        raise NotPermitted(gettext("该位置不在您的服务范围内。"), code="place_out_of_scope", field="location")


def visible_grid_ids(actor):
    """Every grid the actor may file at by a point, in one query (the intake queue's batch)."""
    return set(scoped(actor, Grid.objects.all(), "territory.view").values_list("pk", flat=True))


def _resident_parties(actor, requester, household):
    """A resident files for himself, about his own home or a public place; or, with her
    consent covering "whistle" (people.proxies), for an elder: then she is the requester (her
    account follows the ticket), he the filer, and the act is recorded for her."""
    own = getattr(actor, "resident", None)
    if own is None:
        raise NotPermitted(gettext("账号未关联居民档案，请联系社区。"), code="no_resident_record")
    if requester is not None and requester.pk != own.pk:
        try:
            proxy = proxies.acting_for(actor, requester, PROXY_SERVICE)
        except NotPermitted as error:
            if error.code == "proxy_none":
                raise NotPermitted(gettext("居民只能为自己提交诉求。"), code="not_own_request", field="requester") from None
            raise
        if household is not None and household.pk != requester.household_id:
            raise NotPermitted(gettext("只能为老人自己家提交诉求。"), code="not_own_household", field="household")
        return requester, proxies.elder_account(requester), proxy
    if household is not None and household.pk != own.household_id:
        raise NotPermitted(gettext("居民只能为自己家提交诉求。"), code="not_own_household", field="household")
    return own, actor, None


def _staff_parties(actor, requester, household, building, visible):
    if household is not None:
        _in_scope(actor, Household, household, visible)
    if building is not None:
        _in_scope(actor, Building, building, visible)
    if requester is None:
        return None, None
    requester = _in_scope(actor, Resident, requester, visible)
    # The requester's own login, if he has one, so he follows the ticket in "my requests".
    return requester, get_user_model().objects.filter(resident=requester).first()


# --- input ----------------------------------------------------------------------------


def clean_description(description):
    text = (description or "").strip()
    if not text:
        raise Invalid(gettext("请填写诉求内容。"), code="description_required", field="description")
    if len(text) > MAX_DESCRIPTION:
        raise Invalid(f"诉求内容不能超过 {MAX_DESCRIPTION} 字。", code="description_too_long", field="description")
    return text


def clean_choice(value, choices, code, field, label):
    if value not in choices.values:
        raise Invalid(f"无效的{label}。", code=code, field=field)
    return value


def publish_by_default(channel, *, household, requester):
    """Whether the description is published when the filer was not asked: only a grid
    patrol's report about a public place (no home, no requester). What a resident tells the
    hotline, the self-service page or an API client stays private unless he agrees."""
    return channel == Channel.GRID_PATROL and household is None and requester is None


def _clean_call(started, ended):
    if started and ended and ended < started:
        raise Invalid(gettext("通话结束时间早于开始时间。"), code="invalid_call_times", field="call_ended_at")
    return started, ended


# --- place from a free-text address ---------------------------------------------------


def _filer_communities(actor, staff, visible):
    """The communities the filer serves (staff: those of the grids he may see; a resident:
    his home's)."""
    if not staff:
        household = getattr(getattr(actor, "resident", None), "household", None)
        return {household.community_id} if household is not None else set()
    grid_ids = visible[Grid] if visible is not None else visible_grid_ids(actor)
    return set(Grid.objects.filter(pk__in=grid_ids).values_list("community_id", flat=True).distinct())


def _spot_for(actor, address, *, staff, visible):
    """Where a request given only a free-text address belongs (routing.locate_address). A
    place outside the filer's scope is refused (403); one that cannot be located is filed in
    the filer's community as 待定位, never refused — he must serve one community, or the text
    must name it. No address at all is still asked for (400 place_required)."""
    if not (address or "").strip():
        routing.locate()  # no place at all: "place_required", as before
    communities = _filer_communities(actor, staff, visible)
    spot = routing.locate_address(address, communities=communities)
    if spot is None:
        if len(communities) != 1:
            raise Invalid(gettext("请选择楼栋/房号、在地图上标出位置，或在地点说明中写明社区。"), code="place_required", field="location")
        return routing.Spot(Area.objects.get(pk=next(iter(communities))))
    if staff and spot.grid is not None:
        _point_in_scope(actor, spot.grid, visible)
    elif spot.community.pk not in communities:
        raise NotPermitted(gettext("该位置不在您的服务范围内。"), code="place_out_of_scope", field="location")
    return spot


# --- urgency of a vulnerable requester -------------------------------------------------

# How urgent each level is: a care rule only ever raises the urgency.
URGENCY_RANK = {Urgency.COMPLEX: 0, Urgency.NORMAL: 1, Urgency.EMERGENCY: 2}


@dataclass(frozen=True)
class Raised:
    filed: str  # the urgency asked for
    urgency: str  # the urgency the rules give
    reason: str  # "独居老人 · 电梯故障"


@memoized(CareUrgencyRule, CareTag, "whistle.Category")
def _care_rules():
    """{(care tag id, category id): (urgency, "tag · category")}."""
    return {
        (r.care_tag_id, r.category_id): (r.urgency, f"{r.care_tag.name} · {r.category.name}")
        for r in CareUrgencyRule.objects.select_related("care_tag", "category").order_by("care_tag__sort", "category__sort", "pk")
    }


def care_rules_for(tag_ids):
    """The rules that apply to a resident with these care tags, for the hotline to show the
    operator before he files: [(urgency, "tag · category")]."""
    return [found for (tag_id, _), found in _care_rules().items() if tag_id in tag_ids]


def care_urgency(category, requester, urgency):
    """The Raised urgency when the requester's care tags and the category (or one above it)
    match a CareUrgencyRule asking for more than `urgency`; else None. One rule for every
    channel that names the requester."""
    rules = _care_rules()
    if requester is None or not rules:
        return None
    tag_ids = {tag.pk for tag in requester.care_tags.all()}
    best = None
    for node in category.lineage():
        for tag_id in tag_ids:
            found = rules.get((tag_id, node.pk))
            if found and URGENCY_RANK[found[0]] > URGENCY_RANK[best[0] if best else urgency]:
                best = found
    return Raised(urgency, best[0], best[1]) if best else None


# --- numbering and insert -------------------------------------------------------------


def number_for(day, pk):
    """LF + the filing day + the row's id: unique by construction, so concurrent filings
    never wait on each other for a number (a per-day counter would make every intake of the
    day queue behind the one before it)."""
    return f"{NUMBER_PREFIX}{day:%Y%m%d}{pk:0{NUMBER_DIGITS}d}"


def write_numbers(tickets):
    """Number inserted tickets as `number_for` does, with one UPDATE per filing day (a batch
    spans one day, two at midnight) computing the number from the id in SQL. The id is known
    only after the insert, so a ticket is inserted with a placeholder number
    (`_placeholder_number`) and numbered here, the same way on every database."""
    by_day = defaultdict(list)
    for ticket in tickets:
        day = timezone.localdate(ticket.created_at)
        ticket.number = number_for(day, ticket.pk)
        by_day[day].append(ticket.pk)
    digits = Cast("id", CharField())
    for day, ids in by_day.items():
        padded = LPad(digits, Greatest(Value(NUMBER_DIGITS), Length(digits)), Value("0"))  # longer ids are not cut
        Ticket.objects.filter(pk__in=ids).update(number=Concat(Value(f"{NUMBER_PREFIX}{day:%Y%m%d}"), padded))


def _existing(client_request_id, actor):
    if not client_request_id:
        return None
    ticket = Ticket.objects.filter(client_request_id=client_request_id).first()
    if ticket is not None and ticket.filed_by_id != getattr(actor, "pk", None):
        # Another user's id: never hand out his ticket.
        raise Conflict(gettext("该请求编号已被使用。"), code="client_request_id_taken")
    return ticket


def _placeholder_number():
    return f"new-{uuid.uuid4().hex[:20]}"  # unique until the id is known


# --- filing ---------------------------------------------------------------------------


def file_ticket(*, actor, client_request_id=None, now=None, **request):
    """File a request (`request`: the keywords of `prepare`); returns (ticket, created). A
    retry with the same client_request_id returns (first ticket, False). Dispatches at once
    when routing finds a unit."""
    require_filer(actor)
    now = now or clock.now()
    client_request_id = (client_request_id or "").strip() or None
    earlier = _existing(client_request_id, actor)
    if earlier is not None:
        return earlier, False
    filing = prepare(actor=actor, client_request_id=client_request_id, now=now, **request)
    return _create(filing, actor=actor, now=now)


@dataclass
class Filing:
    """A request checked and routed, its ticket built but not saved."""

    ticket: Ticket
    route: routing.Route
    photos: list = field(default_factory=list)
    raised: "Raised | None" = None  # the urgency raised for a vulnerable requester
    spot: "routing.Spot | None" = None  # where a free-text address was located
    proxy: "object | None" = None  # the elder's consent (people.Proxy) a family member filed under


def prepare(
    *,
    actor,
    channel,
    category,
    description,
    urgency="normal",
    requester=None,
    contact_name="",
    contact_phone="",
    household=None,
    building=None,
    lon=None,
    lat=None,
    address="",
    client_request_id=None,
    photos=(),
    call_started_at=None,
    call_ended_at=None,
    publish_description=None,
    now,
    is_demo=False,
    visible=None,
):
    """Check a request and route it: the Filing to insert, or the domain error a filing
    answers. Writes nothing. `visible`: see `_in_scope`."""
    channel = clean_choice(channel, Channel, "invalid_channel", "channel", "来源")
    urgency = clean_choice(urgency, Urgency, "invalid_urgency", "urgency", "紧急程度")
    category = routing.active_category(category)
    text = clean_description(description)
    call_started_at, call_ended_at = _clean_call(call_started_at, call_ended_at)
    if lon is not None or lat is not None:
        lon, lat = routing.check_point(lon, lat)
    staff = _files_as_staff(actor)
    spot = None
    if household is None and building is None and lon is None:  # a free-text address, or nothing
        spot = _spot_for(actor, address, staff=staff, visible=visible)
        building = spot.building
        if spot.lon is not None and spot.lat is not None:
            lon, lat = spot.lon, spot.lat
    proxy = None
    if staff:
        requester, requester_user = _staff_parties(actor, requester, household, building, visible)
    else:
        requester, requester_user, proxy = _resident_parties(actor, requester, household)
    if household is not None:
        building = household.building
    if staff and building is None and lon is not None and spot is None:  # located by the point alone; checked before routing writes
        _point_in_scope(actor, routing.locate(lon=lon, lat=lat)[0], visible)
    if publish_description is None:
        publish_description = publish_by_default(channel, household=household, requester=requester)
    raised = care_urgency(category, requester, urgency)
    if raised is not None:
        urgency = raised.urgency
    found = routing.route(category=category, household=household, building=building, lon=lon, lat=lat, description=text, spot=spot)
    cleaned = [attachments.clean(f, field="photos") for f in photos]  # every photo checked before anything is written

    ticket = Ticket(
        client_request_id=client_request_id,
        channel=channel,
        category=category,
        urgency=urgency,
        description=text,
        publish_description=bool(publish_description),
        requester=requester,
        requester_user=requester_user,
        contact_name=(contact_name or (requester.name if requester else ""))[:32],
        contact_phone=re.sub(r"[^\d+\-]", "", contact_phone or (requester.mobile if requester else ""))[:20],
        filed_by=actor,
        call_started_at=call_started_at,
        call_ended_at=call_ended_at,
        household=household,
        building=building,
        lon=lon,
        lat=lat,
        address=(address or (household.address if household else str(building) if building else ""))[:128],
        grid=found.grid,
        community=found.community,
        needs_location=spot is not None and spot.grid is None,
        tier=Tier.COMMUNITY if spot is not None and spot.grid is None else Tier.GRID,
        verify_org=found.verify_org,
        policy=sla.policy_for(category, urgency),
        created_at=now,
        updated_at=now,
        is_demo=is_demo,
    )
    return Filing(ticket, found, cleaned, raised, spot, proxy)


def _create(filing, *, actor, now):
    """Insert the filing as the intake queue inserts a batch (`insert_filings`: dispatched in
    memory, the row written once, its events, counters, notice and deadline check together),
    then store its photos."""
    written = []
    try:
        with transaction.atomic():
            ticket, created = _insert(filing, actor, now)
            for photo in filing.photos if created else ():
                written.append(attachments.save_clean(owner=ticket, cleaned=photo, stage=PHOTO_STAGE, actor=actor, now=now))
            return ticket, created
    except BaseException:
        attachments.discard(written)
        raise


def _insert(filing, actor, now):
    """Insert one filing. A clash on client_request_id means the same request won elsewhere (a
    concurrent double submit): return that one instead."""
    try:
        with transaction.atomic():
            insert_filings([filing], now=now)
    except IntegrityError:
        earlier = _existing(filing.ticket.client_request_id, actor)
        if earlier is None:
            raise
        return earlier, False
    return filing.ticket, True


def insert_filings(filings, *, now):
    """Insert checked and routed filings together, inside the caller's transaction (a direct
    filing, or a batch of the intake queue): each ticket dispatched in memory where routing
    found its unit (`transitions.dispatch_unsaved`, the same edge and deadlines as `act`),
    the tickets in one insert and numbered in one update (`write_numbers`), the events of every new
    chain in one insert with their KPI counters, the handlers' notices in one insert, and
    each dispatched ticket's deadline check queued. Returns the tickets."""
    steps, dispatches = [], []
    for filing in filings:
        ticket, route = filing.ticket, filing.route
        steps.append((ticket, _filed_event(filing)))
        if route.org is not None:
            dispatches.append((ticket, transitions.dispatch_unsaved(ticket, org=route.org, reason=route.reason, now=now)))
    tickets = [filing.ticket for filing in filings]
    for ticket in tickets:
        ticket.number = _placeholder_number()
    Ticket.objects.bulk_create(tickets)
    write_numbers(tickets)
    for ticket in tickets:
        events.new_chain(ticket)
    built = events.append_events(steps + dispatches)
    rollups.apply_events(built)
    notifications.notify_transitions(built[len(steps):])
    for filing in filings:
        if filing.proxy is not None:  # both names: the ticket's requester and filed_by, and the consent's record
            proxies.record_act(proxy=filing.proxy, actor=filing.ticket.filed_by, service=PROXY_SERVICE, action=N_("提交诉求"),
                               target=filing.ticket, summary=filing.ticket.number, now=now)
    tasks.schedule_checks([ticket for ticket, _ in dispatches])
    return tickets


def _filed_event(filing):
    ticket, route = filing.ticket, filing.route
    data = {"channel": ticket.channel, "client_request_id": ticket.client_request_id, "route": route.reason}
    if filing.raised is not None:
        data["urgency_raised"] = {"from": filing.raised.filed, "to": filing.raised.urgency, "reason": filing.raised.reason}
    if filing.spot is not None:
        data["located"] = filing.spot.via or "待定位"
    return {"actor": ticket.filed_by, "action": "file", "to_state": State.SUBMITTED, "data": data, "at": ticket.created_at}


# --- the hotline ----------------------------------------------------------------------


def caller_lookup(actor, phone):
    """Residents with this mobile number (or its last four digits) inside the operator's
    scope, with their homes, to prefill the hotline form. Which digits may match, and the
    access-log row for a full number, are the registry's rule (people.selectors.phone_q)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    residents = residents_with_phone(actor, digits).select_related("household__building__estate", "household__grid").prefetch_related("care_tags")
    return list(residents.order_by("id"))


# --- me too and merge -----------------------------------------------------------------


def _may_cosign(actor, ticket):
    """A staff member who sees the ticket, or a resident living in its community."""
    if can(actor, "whistle.view", ticket):
        return True
    household = getattr(getattr(actor, "resident", None), "household", None)
    return bool(
        household is not None
        and has_perm_anywhere(actor, "whistle.file")
        and household.community_id == ticket.community_id
    )


def cosign(*, actor, ticket, now=None):
    """我也遇到: one per user; the count lives on the ticket. Returns the CoSign."""
    now = now or clock.now()
    if not _may_cosign(actor, ticket):
        raise NotFound(gettext("找不到该诉求，或您无权查看。"))
    if ticket.requester_user_id == actor.pk:
        raise Invalid(gettext("这是您自己提交的诉求。"), code="own_ticket")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.state not in OPEN_STATES:
            raise Invalid(gettext("该诉求已办结，不能再附议。"), code="ticket_not_open")
        try:
            with transaction.atomic():
                sign = CoSign.objects.create(ticket=locked, user=actor, at=now)
        except IntegrityError:
            raise Conflict(gettext("您已附议过该诉求。"), code="already_cosigned") from None
        Ticket.objects.filter(pk=locked.pk).update(cosign_count=F("cosign_count") + 1, updated_at=now)
        events.append_event(locked, actor=actor, action="cosign", data={"count": locked.cosign_count + 1}, at=now)
    ticket.refresh_from_db(fields=["cosign_count", "updated_at"])
    return sign


def merge(*, actor, child, parent, reason="", now=None):
    """Close `child` as a duplicate of `parent`; the parent keeps its own state. Which parent
    is allowed is the merge step's one rule (`transitions.act`, "parent_invalid")."""
    return transitions.act(actor=actor, ticket=child, action="merge", parent=parent, reason=reason or "重复诉求", now=now)
