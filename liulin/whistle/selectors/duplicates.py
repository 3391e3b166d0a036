"""Reads about duplicates: what a resident sees before filing (likely the same problem, to
join instead of filing again), the merged children of a parent, and the state a merged
child shows its requester.

A resident sees other people's tickets only as the public does (category, building or
grid, date, state, the description only with its requester's consent and redacted:
`publication`), and only in his own community, where he may say "me too" (`cosign`)."""

from django.db.models import Exists, OuterRef

from liulin.core import clock

from .. import publication, routing
from ..models import CoSign, State, Ticket
from .tickets import tickets_for

# A merged child shows its requester the parent's state once the parent reaches one of
# these: the child "follows its parent to closed".
FOLLOWED_BY_CHILDREN = frozenset({State.RESOLVED, State.VERIFIED, State.CLOSED, State.UNRESOLVABLE})


def likely_duplicates(user, *, category, description="", household=None, building=None, lon=None, lat=None, now=None):
    """Open tickets of the resident's community that are likely the problem he is about to
    report (routing.suggest_duplicates), not his own. Each carries `.public` (the public
    projection), `.mine` (he already said "me too"), `.score` and `.distance_m`."""
    resident = getattr(user, "resident", None)
    home = resident.household if resident is not None and resident.household_id else None
    if home is None or category is None:
        return []
    if household is not None:
        building = household.building
    found = routing.suggest_duplicates(
        category=category, community=home.community, building=building, lon=lon, lat=lat,
        description=description or "", now=now or clock.now(), exclude_requester=user,
    )
    if not found:
        return []
    rows = {
        t.pk: t
        for t in publication.with_relations(Ticket.objects.filter(pk__in=[t.pk for t in found])).annotate(
            mine=Exists(CoSign.objects.filter(ticket=OuterRef("pk"), user=user))
        )
    }
    ordered = [rows[t.pk] for t in found if t.pk in rows]
    for row, scored in zip(ordered, (t for t in found if t.pk in rows), strict=True):
        row.score, row.distance_m, row.signals = scored.score, scored.distance_m, scored.signals
    for row, public in zip(ordered, publication.public_tickets(ordered), strict=True):
        row.public = public
    return ordered


def merged_children(user, ticket):
    """The tickets merged into `ticket` that the user may see, oldest first."""
    return list(
        tickets_for(user).filter(parent=ticket, state=State.MERGED).select_related("category__parent", "grid", "building").order_by("created_at", "id")
    )


def merged_count(ticket):
    """How many tickets were merged into `ticket` (all of them: a count names nobody)."""
    return Ticket.objects.filter(parent=ticket, state=State.MERGED).count()


def requester_state(ticket):
    """(state value, label) a ticket shows its requester: a merged child follows its parent
    (through a parent that was itself merged later) to resolved, verified or closed; the
    child itself stays MERGED in the table. Until then it shows "merged"."""
    node, hops = ticket, 0
    while node.state == State.MERGED and node.parent_id and hops < 8:
        node, hops = node.parent, hops + 1
    state = State(node.state) if node is not ticket and node.state in FOLLOWED_BY_CHILDREN else State(ticket.state)
    return state.value, state.label


def my_cosigned(user, limit=20):
    """The tickets the user said "me too" to, newest first (shown as a summary only)."""
    signs = CoSign.objects.filter(user=user).select_related(
        "ticket__category__parent", "ticket__grid", "ticket__building__estate", "ticket__parent"
    ).order_by("-at", "-id")[:limit]
    return [sign.ticket for sign in signs]



