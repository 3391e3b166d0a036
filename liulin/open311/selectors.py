"""Reads of the Open311 endpoint. A request's public document is built from the one public
projection of a work order (`whistle.publication`), which the transparency page uses too:
no names, phones, e-mails, rooms or staff notes; the place at estate level, the point
rounded to about 100 m, the description only where the requester agreed, redacted."""

import re

from django.db.models import Exists, F, OuterRef, Q

from liulin.whistle import publication
from liulin.whistle.models import Category, Ticket
from liulin.whistle.workflow import TERMINAL_STATES

from .models import Open311Request, ServiceAttribute
from .render import iso

MAX_REQUESTS = 1000


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
    return publication.with_relations(queryset)


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


def request_docs(tickets):
    """GeoReport v2 documents of `tickets`, field for field from their public projection."""
    media = dict(
        Open311Request.objects.filter(ticket__in=[t.pk for t in tickets], ticket__publish_description=True).values_list(
            "ticket_id", "media_url"
        )
    )
    return [_request_doc(public, media.get(ticket.pk, "")) for ticket, public in zip(tickets, publication.public_tickets(tickets), strict=True)]


def _request_doc(public, media_url):
    return {
        "service_request_id": public.number,
        "status": "closed" if public.closed else "open",
        "status_notes": public.status_text,
        "service_name": public.service_name,
        "service_code": public.service_code,
        "description": public.description,
        "agency_responsible": public.handling_unit,
        "service_notice": "",
        "requested_datetime": iso(public.created_at),
        "updated_datetime": iso(public.updated_at),
        "expected_datetime": iso(public.due_at),
        "address": public.place,
        "address_id": "",  # a building id would place the request closer than the estate
        "zipcode": "",
        "lat": public.lat,
        "long": public.lon,
        "media_url": media_url,  # the requester's photo: published with his description only
    }
