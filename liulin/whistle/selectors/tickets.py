"""One ticket and the tickets of a user: the scope (`tickets_for`), the detail page, the
actions a row offers, and what a resident sees of a ticket."""

from django.db.models import BooleanField, Exists, ExpressionWrapper, JSONField, OuterRef, Value
from django.utils.translation import gettext, gettext_lazy

from liulin.core import clock
from liulin.core.attachments import selectors as attachments
from liulin.core.errors import NotFound
from liulin.core.permissions import NOT_FOUND, NOTHING, get_or_404, has_perm_anywhere, scope_q, scoped
from liulin.core.roles import Role
from liulin.orgs.models import Organisation

from .. import workflow
from ..events import duties_taken
from ..models import CoSign, State, Ticket

PAGE_SIZE = 25


WORKLIST_STATES = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.SUSPENDED, State.RESOLVED)


# Actions offered on worklist rows and on the ticket page (the rest have their own forms).
ROW_ACTIONS = ("accept", "start", "resolve", "return", "request_suspension", "resume", "verify", "reject")


def _with_relations(queryset):
    return queryset.select_related(
        "category__parent", "grid", "community", "handling_org", "building__estate", "household__building__estate", "policy"
    )


# The columns a list row reads (templates/whistle/rows/: the summary, the worklist and board rows,
# `allowed_actions`): a ticket has fifty and a grid its boundary, and converting the unread
# ones was a fifth of a worklist page. The category (with its parent) and the handling unit are
# joined whole: small tables, and a join is never stale the way a per-process copy of them was.
ROW_FIELDS = (
    "number", "state", "urgency", "description", "urge_count", "suspension_requested", "accept_due", "resolve_due",
    "accept_overdue", "resolve_overdue", "category", "handling_org", "grid__name", "building__name",
    "building__estate__name", "needs_location", "address",
)


def _with_row_relations(queryset):
    """What a list row shows, with fewer joins than the ticket page."""
    return queryset.select_related("category__parent", "handling_org", "grid", "building__estate").only(*ROW_FIELDS)


def tickets_for(user, perm="whistle.view"):
    return scoped(user, Ticket.objects.all(), perm)


def ticket_for(user, pk, perm="whistle.view"):
    """One ticket the user may see (404 otherwise), with what the detail page shows."""
    return get_or_404(user, _with_relations(Ticket.objects.all()), perm, pk=pk)


def with_allowed(queryset, user, actions=ROW_ACTIONS):
    """Annotate whether the ticket is in the user's scope for each action (`allowed_actions`
    reads them).

    One boolean column per distinct scope inside the same query (the scope conditions never
    join a multi-valued relation, see core.permissions), so a page of 25 rows costs one
    query; actions with the same scope (accept, start, resolve ... all "the handling unit")
    share a column. The action → column map rides along in each row (`may_columns`), and
    `allowed_actions` turns it into `may_<action>` attributes."""
    columns, annotations = {}, {}
    for action in actions:
        q = scope_q(user, f"whistle.{action}", Ticket)
        if q == NOTHING:
            columns[action] = None
            continue
        name = next((n for n, expression in annotations.items() if expression.expression == q), None)
        if name is None:
            name = f"may_{len(annotations)}"
            annotations[name] = ExpressionWrapper(q if q else Value(True), output_field=BooleanField())
        columns[action] = name
    return queryset.annotate(**annotations, may_columns=Value(columns, output_field=JSONField()))


def allowed_actions(ticket, actions=ROW_ACTIONS):
    """The transitions of the ticket's state the user may take (needs `with_allowed`); sets
    `ticket.may_<action>` for each of `actions` on the way."""
    for action, column in ticket.may_columns.items():
        setattr(ticket, f"may_{action}", bool(column and getattr(ticket, column)))
    return [t for t in workflow.available_actions(ticket.state) if t.action in actions and getattr(ticket, f"may_{t.action}")]


def ticket_detail(user, pk):
    """The ticket with every action the user may take on it, or 404."""
    actions = tuple(workflow.TRANSITIONS)
    ticket = get_or_404(user, with_allowed(_with_relations(Ticket.objects.all()), user, actions), "whistle.view", pk=pk)
    ticket.allowed = _without_second_duty(user, ticket, allowed_actions(ticket, actions))
    return ticket


def _without_second_duty(user, ticket, allowed):
    """`allowed` less the steps one person may not add to a duty he took on the ticket
    (handle / verify / callback, docs/kpi.md): the scopes cannot know who did what."""
    if not any(t.action in workflow.DUTY_OF for t in allowed):
        return allowed
    taken = duties_taken(ticket.pk, user)
    barred = {t.action for t in allowed if workflow.duty_conflict(t.action, taken) is not None}
    for action in barred:
        setattr(ticket, f"may_{action}", False)
    return [t for t in allowed if t.action not in barred]


def timeline(user, ticket, *, staff):
    """The ticket's events in order. Residents never see internal notes."""
    events = ticket.events.select_related("actor").order_by("seq")
    if not staff:
        events = events.filter(internal=False)
    return events


def is_staff_viewer(user, ticket):
    """Does the user see this ticket through a staff role (not only as the resident who asked)?
    Staff get the internal view: internal notes, the masked contact, the handling unit."""
    if user.is_superuser:
        return True
    staff = _StaffOnly(user)
    if not staff._liulin_assignments:
        return False
    q = scope_q(staff, "whistle.view", Ticket)
    return q != NOTHING and Ticket.objects.filter(q, pk=ticket.pk).exists()


class _StaffOnly:
    """The user seen through his staff assignments only (his resident role left out)."""

    is_superuser = False
    is_authenticated = True

    def __init__(self, user):
        self.pk = user.pk
        self.resident = getattr(user, "resident", None)
        self._liulin_assignments = [a for a in _assignments(user) if a.role != Role.RESIDENT]


def _assignments(user):
    from liulin.core.permissions import active_assignments

    return active_assignments(user)


def photos(ticket):
    """The photos of a ticket the caller has shown to be visible (core.attachments)."""
    return attachments.for_owner(ticket)


def photo_for(user, ticket_pk, photo_pk):
    """A photo of a ticket the user may see, by its id; else NotFound."""
    ticket = get_or_404(user, Ticket.objects.all(), "whistle.view", pk=ticket_pk)
    photo = attachments.for_owner(ticket).filter(pk=photo_pk).first()
    if photo is None:
        raise NotFound(gettext(NOT_FOUND))
    return photo


def possible_duplicates(user, ticket):
    """Open tickets near this one with similar text that the user may see (at most five)."""
    from .. import routing

    found = routing.suggest_duplicates(
        category=ticket.category,
        grid=ticket.grid,
        building=ticket.building,
        lon=ticket.lon,
        lat=ticket.lat,
        description=ticket.description,
        now=clock.now(),
        exclude=ticket,
    )
    if not found:
        return []
    visible = set(tickets_for(user).filter(pk__in=[t.pk for t in found]).values_list("pk", flat=True))
    return [t for t in found if t.pk in visible]


def callbacks(ticket):
    return ticket.callbacks.order_by("round")


def my_requests(user):
    """The tickets the user asked for himself (residents' "my requests")."""
    return (
        tickets_for(user)
        .filter(requester_user=user)
        .select_related("category__parent", "grid", "handling_org", "parent")
        .order_by("-created_at", "-id")
    )


def cosignable(user, ticket):
    """A resident of the same community who did not ask and has not co-signed may say "me too"."""
    resident = getattr(user, "resident", None)
    if resident is None or not resident.household_id or ticket.requester_user_id == user.pk:
        return False
    if ticket.state not in workflow.OPEN_STATES:
        return False
    if resident.household.community_id != ticket.community_id:
        return False
    return not ticket.cosigns.filter(user=user).exists()


def neighbourhood_open(user, limit=10):
    """Open tickets of the resident's own community that others filed, so he can say
    "me too". Shown as category, building (never the room), date and count only."""
    resident = getattr(user, "resident", None)
    if resident is None or not resident.household_id:
        return []
    rows = (
        Ticket.objects.filter(community_id=resident.household.community_id, state__in=workflow.OPEN_STATES, parent__isnull=True)
        .exclude(requester_user=user)
        .annotate(mine=Exists(CoSign.objects.filter(ticket=OuterRef("pk"), user=user)))
        .select_related("category__parent", "building__estate", "grid")
        .order_by("-cosign_count", "-created_at", "-id")[:limit]
    )
    return list(rows)


def cosign_target(user, pk):
    """A ticket the user may co-sign: one he sees, or an open one of his own community."""
    visible = tickets_for(user).filter(pk=pk).first()
    if visible is not None:
        return visible
    resident = getattr(user, "resident", None)
    if resident is not None and resident.household_id and has_perm_anywhere(user, "whistle.file"):
        ticket = Ticket.objects.filter(pk=pk, community_id=resident.household.community_id).first()
        if ticket is not None:
            return ticket
    raise NotFound(gettext(NOT_FOUND))


def cosigned_ticket(user, pk):
    """A ticket the user co-signed, with what its summary names: for a co-signer who may not
    open it (he sees the summary only, never its details)."""
    if not CoSign.objects.filter(ticket_id=pk, user=user).exists():
        raise NotFound(gettext(NOT_FOUND))
    return Ticket.objects.select_related("category__parent", "grid", "community", "handling_org").get(pk=pk)


def ticket_by_number(user, number, perm="whistle.view"):
    return get_or_404(user, Ticket.objects.all(), perm, number=(number or "").strip())


# The kind of unit a step was taken for, as a resident reads it: by the organisation the
# event recorded (data.unit, for a unit's own work), else by the role it was taken in.
ORG_KIND_LABELS = {
    Organisation.Kind.PROPERTY_COMPANY: gettext_lazy("物业公司"),
    Organisation.Kind.DEPARTMENT: gettext_lazy("协同治理部门"),
}
UNIT_LABELS = {
    Role.PROPERTY_STAFF: gettext_lazy("物业公司"),
    Role.DEPARTMENT_OFFICER: gettext_lazy("协同治理部门"),
    Role.GRID_WORKER: gettext_lazy("网格员"),
    Role.COMMUNITY_STAFF: gettext_lazy("社区居委会"),
    Role.COMMUNITY_SECRETARY: gettext_lazy("社区居委会"),
    Role.HOTLINE_OPERATOR: gettext_lazy("12345热线"),
    Role.RESIDENT: gettext_lazy("居民"),
}
SYSTEM_LABEL = gettext_lazy("系统")
STAFF_LABEL = gettext_lazy("工作人员")


def _unit_of(event):
    unit = str((event.data or {}).get("unit") or "")
    return int(unit) if unit.isdigit() else None


def unit_kinds(events):
    """{unit id: organisation kind} for the units a timeline's steps recorded: one query for
    the whole timeline, not one a step."""
    ids = {unit for unit in map(_unit_of, events) if unit is not None}
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "kind")) if ids else {}


def event_actor_label(event, ticket, kinds=None):
    """How a step is shown to a resident: a role or unit, never a staff member's name.
    `kinds` is `unit_kinds` of the timeline the step belongs to."""
    if event.actor_id and event.actor_id == ticket.requester_user_id:
        return gettext_lazy("您")
    if not event.actor_id:
        return SYSTEM_LABEL
    if kinds is None:
        kinds = unit_kinds([event])
    kind = kinds.get(_unit_of(event))
    if kind in ORG_KIND_LABELS:
        return ORG_KIND_LABELS[kind]
    # By the capacity the step was taken in: a department verifying a property job is
    # not the property company.
    return UNIT_LABELS.get(event.actor_role, STAFF_LABEL)


def ticket_place(ticket):
    """(lat, lon) of where the ticket is: the point it was filed at, else its building's (or
    its household's building's); None when neither is known. Needs the ticket's relations."""
    if ticket.lat is not None and ticket.lon is not None:
        return (ticket.lat, ticket.lon)
    building = ticket.building if ticket.building_id else (ticket.household.building if ticket.household_id else None)
    if building is not None and building.lat is not None and building.lon is not None:
        return (building.lat, building.lon)
    return None


def map_markers(tickets, url_name="whistle:ticket"):
    """The listed tickets that have a place, as map markers: number, place and the link to the
    ticket (no description, name or address: the list beside the map shows what the user may see)."""
    from django.urls import reverse

    markers = []
    for ticket in tickets:
        place = ticket_place(ticket)
        if place is not None:
            markers.append({"number": ticket.number, "lat": place[0], "lon": place[1], "url": reverse(url_name, args=[ticket.pk])})
    return markers
