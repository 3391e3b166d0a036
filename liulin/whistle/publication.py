"""What of a work order the public may read: one projection, used by every public output
(the transparency page, Open311's GET requests), so they cannot drift apart.

A public ticket carries its number, category, state with a fixed public text per state,
dates, the community, grid and estate (never the building, room, household or address),
the handling unit, the point rounded to about 100 m, and the description only where the
requester agreed to publish it at filing (`Ticket.publish_description`), then redacted by
`core.redaction` with the names of the community's registered residents and the ticket's
contact. No staff note, transition reason, person or phone ever enters it.
"""

import functools
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liulin.core.redaction import redact
from liulin.people.models import Resident

from .models import State, Ticket
from .workflow import TERMINAL_STATES

COORDINATE_DECIMALS = 3  # ~111 m of latitude, ~98 m of longitude at 28° N

# What the public reads of each state, instead of anything a member of staff wrote.
STATUS_TEXT = {
    State.SUBMITTED: _("已受理，正在确定承办单位"),
    State.DISPATCHED: _("已派给承办单位，等待接单"),
    State.ACCEPTED: _("承办单位已接单"),
    State.IN_PROGRESS: _("正在办理"),
    State.SUSPENDED: _("经批准暂缓办理"),
    State.RESOLVED: _("承办单位已办结，等待核查"),
    State.VERIFIED: _("已核查，等待回访"),
    State.CLOSED: _("已回访，办理完毕"),
    State.FORWARDED: _("不属本平台职责，已转交有关单位"),
    State.MERGED: _("与相同诉求合并办理"),
    State.WITHDRAWN: _("诉求人已撤回"),
    State.UNRESOLVABLE: _("经核实无法办理，已结案"),
}

RELATED = ("category__parent", "grid", "community", "handling_org", "building__estate", "household__building__estate")


@dataclass(frozen=True)
class PublicTicket:
    number: str
    category: str  # "parent/leaf" where the category has a parent
    service_name: str
    service_code: str
    state: str
    state_label: str
    status_text: str
    closed: bool
    created_at: object
    updated_at: object
    due_at: object
    community: str
    grid: str
    estate: str
    handling_unit: str
    lat: float | None
    lon: float | None
    published: bool
    description: str  # "" unless published

    @property
    def place(self):
        return " ".join(p for p in (self.community, self.grid, self.estate) if p)

    @property
    def date(self):
        return timezone.localtime(self.created_at).date()


def with_relations(queryset):
    """What `public_tickets` reads of each ticket, joined."""
    return queryset.select_related(*RELATED)


def public_tickets(tickets):
    """The public projection of `tickets` (read with `with_relations`), in their order."""
    tickets = list(tickets)
    names = _resident_names({t.community_id for t in tickets if t.publish_description})
    return [_project(t, names.get(t.community_id, frozenset())) for t in tickets]


def public_text(ticket, names=frozenset()):
    """The description as the public may read it: "" without consent, else redacted."""
    if not ticket.publish_description:
        return ""
    keep = (ticket.community.name, ticket.grid.name, _estate(ticket), ticket.handling_org.name if ticket.handling_org_id else "")
    return _redacted(ticket.description, frozenset(names), ticket.contact_name, keep)


@functools.lru_cache(maxsize=4096)
def _redacted(description, names, contact_name, keep):
    """Redaction remembered per process: the public feed asks for the same texts again and
    again, and jieba's tagger costs about a millisecond a text. A new registry name makes a
    new `names`, so the text is redacted afresh."""
    return redact(description, names=[*names, contact_name], keep=keep)


def _project(ticket, names):
    lat, lon = _point(ticket)
    category = ticket.category
    state = State(ticket.state)
    return PublicTicket(
        number=ticket.number,
        category=f"{category.parent.name}/{category.name}" if category.parent_id else category.name,
        service_name=category.name,
        service_code=category.code,
        state=state.value,
        state_label=str(state.label),
        status_text=str(STATUS_TEXT[state]),
        closed=state in TERMINAL_STATES,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        due_at=ticket.resolve_due,
        community=ticket.community.name,
        grid=ticket.grid.name,
        estate=_estate(ticket),
        handling_unit=ticket.handling_org.name if ticket.handling_org_id else "",
        lat=lat,
        lon=lon,
        published=ticket.publish_description,
        description=public_text(ticket, names),
    )


def _building(ticket):
    return ticket.building if ticket.building_id else (ticket.household.building if ticket.household_id else None)


def _estate(ticket):
    building = _building(ticket)
    return building.estate.name if building is not None else ""


def _point(ticket):
    lon, lat = ticket.lon, ticket.lat
    building = _building(ticket)
    if lon is None and building is not None:
        lon, lat = building.lon, building.lat
    if lon is None or lat is None:
        return None, None
    return round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS)


def _resident_names(community_ids):
    """{community id: names of its registered residents}, in one query (none without ids)."""
    names = {}
    if not community_ids:
        return names
    rows = Resident.objects.filter(household__community_id__in=community_ids).values_list("household__community_id", "name")
    for community_id, name in rows:
        names.setdefault(community_id, set()).add(name)
    return {community_id: frozenset(found) for community_id, found in names.items()}


def recent(limit):
    """The newest tickets (merged duplicates left out: their parent stands for them)."""
    return public_tickets(with_relations(Ticket.objects.exclude(state=State.MERGED)).order_by("-created_at", "-id")[:limit])
