"""Reads of the Open311 endpoint. Public documents carry no personal data: no names,
phones, emails or rooms; the place is given at estate level and the point rounded to three
decimals (about 100 m); long digit runs and e-mail addresses in descriptions are masked."""

import re

from django.db.models import Exists, F, OuterRef, Q

from liulin.whistle.models import Category, Ticket, TicketEvent
from liulin.whistle.workflow import TERMINAL_STATES, TRANSITIONS

from .models import Open311Request, ServiceAttribute
from .render import iso

MAX_REQUESTS = 1000
COORDINATE_DECIMALS = 3  # ~111 m of latitude, ~98 m of longitude at 28° N

_DIGITS = re.compile(r"\d[\d\s\-]{5,}\d[Xx]?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def services():
    """Active leaf categories whose parent (if any) is active: the Open311 services."""
    active_children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    return (
        Category.objects.filter(Q(parent__isnull=True) | Q(parent__is_active=True), is_active=True)
        .exclude(Exists(active_children))
        .select_related("parent")
        .order_by(F("parent__sort").asc(nulls_first=True), "parent__code", "sort", "code")
    )


def service(code):
    if not code or not isinstance(code, str):
        return None
    return services().filter(code=code).first()


def attributes_of(category):
    return list(ServiceAttribute.objects.filter(category=category).order_by("order", "id"))


def service_doc(category, with_metadata):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _service_description(category),
        "metadata": with_metadata,
        "type": "realtime",
        "keywords": ", ".join(k for k in re.split(r"[\s,，]+", category.keywords) if k),
        "group": category.parent.name if category.parent_id else category.name,
    }


def _service_description(category):
    kind = category.get_responsible_kind_display() or (category.parent.get_responsible_kind_display() if category.parent_id else "")
    return f"{category}" + (f"（默认由{kind}办理）" if kind else "")


def service_list():
    categories = list(services())
    with_attributes = set(
        ServiceAttribute.objects.filter(category__in=categories).values_list("category_id", flat=True)
    )
    return [service_doc(c, c.pk in with_attributes) for c in categories]


def definition_doc(category):
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": str(v.get("key")), "name": str(v.get("name"))} for v in a.values or [] if isinstance(v, dict)],
            }
            for a in attributes_of(category)
        ],
    }


# --- requests -------------------------------------------------------------------------


def _public(queryset):
    return queryset.select_related("category", "grid", "community", "handling_org", "building__estate", "household__building__estate")


def requests(*, ids=None, service_codes=None, statuses=None, start=None, end=None):
    """Tickets for GET requests: `ids` (numbers) override every other filter."""
    tickets = _public(Ticket.objects.all())
    if ids:
        return list(tickets.filter(number__in=ids[:MAX_REQUESTS]).order_by("-created_at", "-id"))
    if service_codes:
        tickets = tickets.filter(category__code__in=service_codes)
    if statuses == {"open"}:
        tickets = tickets.exclude(state__in=TERMINAL_STATES)
    elif statuses == {"closed"}:
        tickets = tickets.filter(state__in=TERMINAL_STATES)
    if start is not None:
        tickets = tickets.filter(created_at__gte=start)
    if end is not None:
        tickets = tickets.filter(created_at__lte=end)
    return list(tickets.order_by("-created_at", "-id")[:MAX_REQUESTS])


def request_by_id(service_request_id):
    return _public(Ticket.objects.filter(number=service_request_id)).first()


def request_by_token(token):
    return Open311Request.objects.select_related("ticket").filter(token=token).first()


def redact(text):
    text = _EMAIL.sub("***", text or "")
    return _DIGITS.sub(lambda m: "*" * len(m.group()), text)


def _status_notes(tickets):
    """The latest public transition reason of each ticket (comments and internal notes left out)."""
    notes = {}
    rows = (
        TicketEvent.objects.filter(ticket__in=[t.pk for t in tickets], internal=False, action__in=list(TRANSITIONS))
        .exclude(reason="")
        .order_by("ticket_id", "-seq")
        .values_list("ticket_id", "reason")
    )
    for ticket_id, reason in rows:
        notes.setdefault(ticket_id, reason)
    return notes


def _point(ticket):
    lon, lat = ticket.lon, ticket.lat
    building = ticket.building or (ticket.household.building if ticket.household_id else None)
    if lon is None and building is not None:
        lon, lat = building.lon, building.lat
    if lon is None or lat is None:
        return None, None
    return round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS)


def request_docs(tickets):
    notes = _status_notes(tickets)
    extras = {r.ticket_id: r for r in Open311Request.objects.filter(ticket__in=[t.pk for t in tickets])}
    docs = []
    for t in tickets:
        building = t.building or (t.household.building if t.household_id else None)
        lat, lon = _point(t)
        extra = extras.get(t.pk)
        docs.append(
            {
                "service_request_id": t.number,
                "status": "closed" if t.state in TERMINAL_STATES else "open",
                "status_notes": redact(notes.get(t.pk, "")),
                "service_name": t.category.name,
                "service_code": t.category.code,
                "description": redact(t.description),
                "agency_responsible": t.handling_org.name if t.handling_org_id else "",
                "service_notice": "",
                "requested_datetime": iso(t.created_at),
                "updated_datetime": iso(t.updated_at),
                "expected_datetime": iso(t.resolve_due),
                "address": " ".join(p for p in (t.community.name, t.grid.name, building.estate.name if building else "") if p),
                "address_id": f"B{building.pk}" if building else "",
                "zipcode": "",
                "lat": lat,
                "long": lon,
                "media_url": extra.media_url if extra else "",
            }
        )
    return docs
