"""Every read of work orders a user triggers, narrowed to what that user may see.

All ticket lists start from `tickets_for`, which goes through the one permission layer
(`core.permissions.scoped`): a grid worker sees his grid, a property company its orders, a
department what it handles or was summoned to, a resident what he asked. A ticket outside the
user's scope is "not found" (404), never "forbidden", so scopes do not leak.

List pages run a fixed number of queries: the ids of a page are read per way the user
reaches tickets (`first_in_scope`), then the page's rows with their relations joined and the
actions a user may take on each computed in the same query (`with_allowed`); long lists
page by key (`resolve_due`, `id`) so a deep page costs what the first one does.
"""

import datetime
import functools
import operator
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, JSONField, OuterRef, Q, Value
from django.utils.translation import gettext, gettext_lazy

from liulin.core import clock
from liulin.core.calendar import start_of_day
from liulin.core.errors import NotFound
from liulin.core.memo import memoized
from liulin.core.permissions import NOTHING, get_or_404, has_perm_anywhere, scope_q, scope_terms, scoped
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.territory.models import path_prefixes

from . import sla, workflow
from .events import duties_taken
from .models import AWAITING_DECISION, Category, CoSign, Intake, State, Summons, Ticket, Whistle

PAGE_SIZE = 25
BOARD_LIMIT = 15  # per list: four lists of fifteen fit a phone screen as an overview, the counts say "15+"
WORKLIST_STATES = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.SUSPENDED, State.RESOLVED)
# Actions offered on worklist rows and on the ticket page (the rest have their own forms).
ROW_ACTIONS = ("accept", "start", "resolve", "return", "request_suspension", "resume", "verify", "reject")


def _with_relations(queryset):
    return queryset.select_related(
        "category__parent", "grid", "community", "handling_org", "building__estate", "household__building__estate", "policy"
    )


# The columns a list row reads (whistle/jinja2/whistle/rows/: the summary, the worklist and board rows,
# `allowed_actions`): a ticket has fifty and a grid its boundary, and converting the unread
# ones was a fifth of a worklist page. The category and the handling unit come from
# `with_labels`.
ROW_FIELDS = (
    "number", "state", "urgency", "description", "urge_count", "suspension_requested", "accept_due", "resolve_due",
    "accept_overdue", "resolve_overdue", "category", "handling_org", "grid__name", "building__name",
    "building__estate__name",
)


def _with_row_relations(queryset):
    """What a list row shows, with fewer joins than the ticket page."""
    return queryset.select_related("grid", "building__estate").only(*ROW_FIELDS)


@memoized(Category)
def _categories():
    """Every category by id, inactive ones too (old tickets keep theirs), with its parent."""
    return Category.objects.select_related("parent").in_bulk()


@memoized(Organisation)
def _units():
    """Every unit by id, for the name a list shows."""
    return Organisation.objects.in_bulk()


def with_labels(tickets):
    """Give the tickets their category (with its parent) and handling unit from this process's
    memory of those small tables (`core.memo`) instead of joining them in every list's query:
    a page's rows were read in 0.7 ms and planned in 1.6 with seven tables, 0.75 without
    these three, and each joined row was two or three more model instances to build. A row
    whose category or unit is newer than the memory (made on another node) reads it afresh."""
    for ticket in tickets:
        ticket.category = _remembered(_categories, ticket.category_id)
        if ticket.handling_org_id is not None:
            ticket.handling_org = _remembered(_units, ticket.handling_org_id)
    return tickets


def _remembered(table, pk):
    found = table().get(pk)
    if found is None:
        table.forget()
        found = table()[pk]
    return found


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
    ticket = with_allowed(_with_relations(tickets_for(user)), user, actions).filter(pk=pk).first()
    if ticket is None:
        get_or_404(user, Ticket.objects.none(), "whistle.view", pk=pk)
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
    return ticket.photos.order_by("stage", "id")


def photo_for(user, ticket_pk, photo_pk):
    ticket = get_or_404(user, Ticket.objects.all(), "whistle.view", pk=ticket_pk)
    photo = ticket.photos.filter(pk=photo_pk).first()
    if photo is None:
        get_or_404(user, Ticket.objects.none(), "whistle.view", pk=ticket_pk)
    return photo


def possible_duplicates(user, ticket):
    """Open tickets near this one with similar text that the user may see (at most five)."""
    from . import routing

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


# ---------------------------------------------------------------------------------------
# Intake helpers


def category_tree():
    """Active categories as [(parent, [children...])]; a parent without children is its own leaf."""
    categories = list(Category.objects.filter(is_active=True).select_related("parent").order_by("sort", "code"))
    roots = [c for c in categories if c.parent_id is None]
    children = {}
    for c in categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(root, children.get(root.pk, [])) for root in roots]


def grid_residents(user, q=""):
    """Residents of the grids the user patrols (for a patrol report on someone's behalf)."""
    from liulin.people.selectors import search_residents

    return search_residents(user, q).order_by("household__building__estate__name", "household__building__name", "household__room", "name")


def buildings_for(user, perm="whistle.file"):
    """Buildings where the user may file: his community or grid (residents: his community)."""
    from liulin.territory.models import Building

    assignments = _assignments(user)
    if user.is_superuser:
        return Building.objects.select_related("estate")
    q = NOTHING
    for a in assignments:
        if a.area_id:
            q |= Q(community__path__startswith=a.area.path)
        elif a.grid_id:
            q |= Q(grid_id=a.grid_id)
        elif a.role == Role.RESIDENT and getattr(user, "resident", None) and user.resident.household_id:
            q |= Q(community_id=user.resident.household.community_id)
    if q == NOTHING:
        return Building.objects.none()
    return Building.objects.filter(q).select_related("estate").order_by("estate__name", "name")


def handling_units(user):
    """Units a dispatcher may send a ticket to: the organisations serving his communities and
    the departments above them (a district department serves every community below)."""
    if user.is_superuser:
        return Organisation.objects.filter(is_active=True).order_by("kind", "name")
    q = NOTHING
    for a in _assignments(user):
        if a.area_id:
            q |= Q(community__path__startswith=a.area.path)
            # Departments of the district or subdistrict above the community.
            q |= Q(community__path__in=path_prefixes(a.area.path), kind=Organisation.Kind.DEPARTMENT)
    if q == NOTHING:
        return Organisation.objects.none()
    kinds = [Organisation.Kind.PROPERTY_COMPANY, Organisation.Kind.DEPARTMENT, Organisation.Kind.ENTERPRISE, Organisation.Kind.OTHER]
    return Organisation.objects.filter(q, is_active=True, kind__in=kinds).order_by("kind", "name")


def departments(user):
    return handling_units(user).filter(kind=Organisation.Kind.DEPARTMENT)


# ---------------------------------------------------------------------------------------
# Queues and boards


@dataclass
class QueueFilters:
    category: Category | None = None
    grid: object = None
    channel: str = ""
    urgency: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def dispatch_queue(user, filters=None):
    """SUBMITTED tickets the user may dispatch, oldest and most urgent first."""
    f = filters or QueueFilters()
    tickets = _with_relations(tickets_for(user, "whistle.dispatch")).filter(state=State.SUBMITTED)
    if f.category is not None:
        tickets = tickets.filter(Q(category=f.category) | Q(category__parent=f.category))
    if f.grid is not None:
        tickets = tickets.filter(grid=f.grid)
    if f.channel:
        tickets = tickets.filter(channel=f.channel)
    if f.urgency:
        tickets = tickets.filter(urgency=f.urgency)
    if f.date_from:
        tickets = tickets.filter(created_at__gte=start_of_day(f.date_from))
    if f.date_to:
        tickets = tickets.filter(created_at__lt=start_of_day(f.date_to + datetime.timedelta(days=1)))
    return tickets.annotate(emergency_first=Q(urgency="emergency")).order_by("-emergency_first", "created_at", "id")


def overdue_q(now):
    return Q(resolve_overdue=True) | Q(accept_overdue=True) | Q(resolve_due__lt=now)


def _segments(now):
    """The worklist's parts in page order, each read in (resolve_due, id) order from an index:
    overdue; on time (a range from now); no deadline at all (none after dispatch, in practice)."""
    on_time = Q(resolve_overdue=False, accept_overdue=False, resolve_due__gte=now)
    return ((0, overdue_q(now) & Q(resolve_due__isnull=False)), (1, on_time), (2, Q(resolve_due__isnull=True)))


@dataclass
class Cursor:
    """Where a worklist page ends: the segment (see `_segments`), resolve_due and id."""

    segment: int
    due: datetime.datetime | None
    pk: int

    def encode(self):
        due = self.due.isoformat() if self.due else ""
        return f"{self.segment}~{due}~{self.pk}"

    @classmethod
    def decode(cls, value):
        try:
            segment, due, pk = (value or "").split("~")
            if segment not in ("0", "1", "2"):
                return None
            return cls(int(segment), datetime.datetime.fromisoformat(due) if due else None, int(pk))
        except ValueError:
            return None


def _after(cursor):
    """The rows after the cursor in its segment's (resolve_due, id) order, with the due date as
    a plain lower bound, so an index range starts there."""
    if cursor.due is None:
        return Q(pk__gt=cursor.pk)
    return Q(resolve_due__gte=cursor.due) & (Q(resolve_due__gt=cursor.due) | Q(pk__gt=cursor.pk))


_NO_DUE = datetime.datetime.max.replace(tzinfo=datetime.UTC)
WORKLIST_ORDER = (F("resolve_due").asc(nulls_last=True), "id")


def _worklist_key(row):
    """resolve_due (tickets without one last), then id: WORKLIST_ORDER in Python."""
    return (row.resolve_due or _NO_DUE, row.pk)


def first_in_scope(user, queryset, count, *, order_by, fields, key, reverse=False, perm="whistle.view"):
    """The ids of the first `count` tickets of `queryset` in `order_by` that `user` may see.

    One narrow query per way the user reaches tickets (his terms in the permission layer):
    ids and sort keys only, no joins, so the database plans each on its own index instead of
    scanning every open ticket behind an OR and a dozen joins. `key(row)` sorts the rows
    (named tuples of pk and `fields`) as `order_by` does."""
    found = {}
    for term in scope_terms(user, perm, Ticket):
        for row in queryset.filter(term).order_by(*order_by).values_list("pk", *fields, named=True)[:count]:
            found[row.pk] = row
    return [row.pk for row in sorted(found.values(), key=key, reverse=reverse)[:count]]


def tickets_by_id(queryset, ids):
    """The tickets of `ids` from `queryset` (joins and flags for a page), in the order of `ids`
    (so the database is not asked to sort them by the model's default order first)."""
    return _in_order(queryset.order_by().in_bulk(ids), ids)


def _in_order(found, ids):
    return [found[pk] for pk in ids if pk in found]


def worklist(user, *, after=None, limit=PAGE_SIZE, now=None):
    """Open tickets in the user's scope that someone must act on: overdue first, then by
    resolve deadline. Returns (rows, next_cursor or None). Per segment (`_segments`), a
    narrow query per way the user reaches tickets, then one query for the page's rows."""
    now = now or clock.now()
    open_tickets = Ticket.objects.filter(state__in=WORKLIST_STATES)
    page = []  # (segment, id)
    for segment, in_segment in _segments(now):
        if after is not None and segment < after.segment:
            continue
        qs = open_tickets.filter(in_segment)
        if after is not None and segment == after.segment:
            qs = qs.filter(_after(after))
        ids = first_in_scope(user, qs, limit + 1 - len(page), order_by=WORKLIST_ORDER, fields=("resolve_due",), key=_worklist_key)
        page += [(segment, pk) for pk in ids]
        if len(page) > limit:
            break
    segments = {pk: segment for segment, pk in page}
    rows = with_labels(tickets_by_id(with_allowed(_with_row_relations(Ticket.objects.all()), user), [pk for _, pk in page]))
    for ticket in rows:
        ticket.segment = segments[ticket.pk]
        ticket.overdue = ticket.segment == 0 or ticket.accept_overdue or ticket.resolve_overdue
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = Cursor(last.segment, last.resolve_due, last.pk)
    for ticket in rows:
        ticket.allowed = allowed_actions(ticket)
    return rows, next_cursor


def near_deadline_q(now):
    """On time, with the resolve deadline inside its policy's reminder window: one range on
    resolve_due per distinct window (`sla.reminder_leads`), all inside the longest, so a scope
    with few such tickets reads a few hours of deadlines, not days of them. (A deadline to
    accept that draws near is the handling unit's reminder; once missed, the ticket is on the
    overdue list.)"""
    leads = sla.reminder_leads()
    if not leads:
        return Q(pk__in=[])
    windows = [Q(policy_id__in=policies, resolve_due__lte=now + datetime.timedelta(minutes=lead)) for lead, policies in leads.items()]
    longest = datetime.timedelta(minutes=max(leads))
    return Q(resolve_due__gte=now, resolve_due__lte=now + longest) & functools.reduce(operator.or_, windows)


def supervisor_board(user, *, now=None):
    """What a supervisor watches: overdue, near the deadline (within the policy's reminder
    window), most urged, awaiting suspension approval, awaiting verification. Each list is
    read as ids per way the user reaches tickets (`first_in_scope`), then one query fetches
    the rows of all four."""
    now = now or clock.now()
    open_tickets = Ticket.objects.filter(state__in=WORKLIST_STATES)  # every open state after dispatch

    def first(qs, count=BOARD_LIMIT, *, order_by=WORKLIST_ORDER, fields=("resolve_due",), key=_worklist_key):
        return first_in_scope(user, qs, count, order_by=order_by, fields=fields, key=key, perm="whistle.urge")

    overdue = first(open_tickets.filter(overdue_q(now)))
    near = first(open_tickets.exclude(overdue_q(now)).filter(near_deadline_q(now), state__in=workflow.HANDLING_STATES))
    urged = first(
        open_tickets.filter(urge_count__gt=0),
        order_by=(F("urge_count").desc(), *WORKLIST_ORDER),
        fields=("urge_count", "resolve_due"),
        key=lambda row: (-row.urge_count, *_worklist_key(row)),
    )
    pending = first(Ticket.objects.filter(AWAITING_DECISION))
    # The rows carry no action flags: the board offers urging, and sends everything else to
    # the ticket's page.
    found = _with_row_relations(Ticket.objects.all()).in_bulk([*overdue, *near, *urged, *pending])
    with_labels(found.values())
    lists = {"overdue": overdue, "near": near, "urged": urged, "pending": pending}
    return {name: _in_order(found, ids) for name, ids in lists.items()}


def my_requests(user):
    """The tickets the user asked for himself (residents' "my requests")."""
    return (
        tickets_for(user)
        .filter(requester_user=user)
        .select_related("category__parent", "grid", "handling_org")
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
    return get_or_404(user, Ticket.objects.none(), "whistle.view", pk=pk)


def ticket_by_number(user, number, perm="whistle.view"):
    return get_or_404(user, Ticket.objects.all(), perm, number=(number or "").strip())


# ---------------------------------------------------------------------------------------
# Whistles


def whistles_for(user):
    """Whistles of the communities the user supervises, or that summon the user's department."""
    q = tickets_for(user, "whistle.view")
    return (
        Whistle.objects.filter(Q(tickets__in=q) | Q(summons__department__in=_org_ids(user)) | Q(community__in=_area_communities(user)))
        .distinct()
        .select_related("community")
        .prefetch_related("summons__department")
        .order_by("-blown_at", "-id")
    )


def _org_ids(user):
    return [a.org_id for a in _assignments(user) if a.org_id]


def _area_communities(user):
    from liulin.territory.models import Area

    q = NOTHING
    for a in _assignments(user):
        if a.area_id and a.role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR):
            q |= Q(path__startswith=a.area.path)
    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.COMMUNITY)
    return Area.objects.filter(q, kind=Area.Kind.COMMUNITY) if q != NOTHING else Area.objects.none()


def supervised_communities(user):
    """Communities where the user may blow a whistle (an area role holding whistle.whistle)."""
    from liulin.core.permissions import roles_with
    from liulin.territory.models import Area

    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path")
    roles = roles_with("whistle.whistle")
    q = NOTHING
    for a in _assignments(user):
        if a.area_id and a.role in roles:
            q |= Q(path__startswith=a.area.path)
    if q == NOTHING:
        return Area.objects.none()
    return Area.objects.filter(q, kind=Area.Kind.COMMUNITY).order_by("path")


def visible_communities(user):
    """Communities whose department ranking the user may read: those he works in, and those
    that summoned his department."""
    from liulin.territory.models import Area

    if user.is_superuser:
        return Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path")
    q = NOTHING
    for a in _assignments(user):
        if a.area_id:
            q |= Q(path__startswith=a.area.path)
        elif a.grid_id:
            q |= Q(pk=a.grid.community_id)
        elif a.org_id:
            q |= Q(whistles__summons__department_id=a.org_id) | Q(pk=a.org.community_id or 0)
    if q == NOTHING:
        return Area.objects.none()
    return Area.objects.filter(q, kind=Area.Kind.COMMUNITY).distinct().order_by("path")


def summons_for_department(user):
    """The summons of the departments the user works for, unreported first."""
    return (
        Summons.objects.filter(department_id__in=_org_ids(user))
        .select_related("whistle__community", "department")
        .prefetch_related("whistle__tickets__category")
        .order_by(F("reported_at").asc(nulls_first=True), "whistle__report_due", "id")
    )


def summons_for(user, pk):
    """One summons: his department's (to report in) or his community's (to rate)."""
    summons = (
        Summons.objects.filter(pk=pk)
        .filter(Q(department_id__in=_org_ids(user)) | Q(whistle__community__in=_area_communities(user)))
        .select_related("whistle__community", "department")
        .first()
    )
    if summons is None:
        get_or_404(user, Ticket.objects.none(), "whistle.view", pk=0)
    return summons


def whistle_for(user, pk):
    whistle = whistles_for(user).filter(pk=pk).first()
    if whistle is None:
        get_or_404(user, Ticket.objects.none(), "whistle.view", pk=0)
    return whistle


def whistleable_tickets(user, limit=100):
    """Open tickets the user may blow a whistle on (the most urged first, at most `limit`)."""
    first = (
        tickets_for(user, "whistle.whistle")
        .filter(state__in=workflow.OPEN_STATES)
        .order_by("-urge_count", "resolve_due", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return (
        Ticket.objects.filter(pk__in=first)
        .select_related("category__parent", "grid")
        .order_by("-urge_count", "resolve_due", "id")
    )


# ---------------------------------------------------------------------------------------
# Public transparency (no login; the tickets themselves are read by whistle.publication)


def public_counts():
    """Counts by top-level category and by grid, with how many were settled (closed or verified)."""
    settled = Q(state__in=[State.VERIFIED, State.CLOSED])
    by_category = (
        Ticket.objects.values("category__parent__name", "category__name")
        .annotate(total=Count("id"), settled=Count("id", filter=settled))
        .order_by()
    )
    merged = {}
    for r in by_category:
        name = r["category__parent__name"] or r["category__name"]
        entry = merged.setdefault(name, {"name": name, "total": 0, "settled": 0})
        entry["total"] += r["total"]
        entry["settled"] += r["settled"]
    by_grid = list(
        Ticket.objects.values("community__name", "grid__name")
        .annotate(total=Count("id"), settled=Count("id", filter=settled))
        .order_by("community__name", "grid__name")
    )
    return {
        "by_category": sorted(merged.values(), key=lambda e: (-e["total"], e["name"])),
        "by_grid": by_grid,
        "total": sum(e["total"] for e in merged.values()),
    }


UNIT_LABELS = {Role.PROPERTY_STAFF: gettext_lazy("物业公司"), Role.DEPARTMENT_OFFICER: gettext_lazy("协同治理部门")}


def event_actor_label(event, ticket):
    """How a step is shown to a resident: a role or unit, never a staff member's name."""
    if event.actor_id and event.actor_id == ticket.requester_user_id:
        return gettext("您")
    if event.actor_role:
        try:
            role = Role(event.actor_role)
        except ValueError:
            return gettext("工作人员")
        # By the capacity the step was taken in: a department verifying a property job is
        # not the property company.
        return str(UNIT_LABELS.get(role, role.label))
    return gettext("系统") if not event.actor_id else gettext("工作人员")


def can_file(user):
    return has_perm_anywhere(user, "whistle.file")


def own_intake(user, pk):
    """A request the user put in the intake queue; anyone else's is not found."""
    found = Intake.objects.filter(pk=pk, filed_by_id=user.pk).first()
    if found is None:
        raise NotFound(gettext("找不到该排队记录。"))
    return found


def intake_ticket(intake):
    """The ticket a filed request became (the one with its client_request_id), else None."""
    if intake.status != Intake.Status.FILED:
        return None
    return Ticket.objects.filter(client_request_id=intake.client_request_id, filed_by_id=intake.filed_by_id).first()
