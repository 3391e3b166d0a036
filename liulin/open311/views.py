"""Open311 GeoReport v2 endpoints (/open311/v2/…​.{xml,json}). Thin: parse, call a service
or selector, render. Every refusal is the spec's error document with its status."""

import functools
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.views.decorators.csrf import csrf_exempt

from liulin.core import clock, idempotency
from liulin.core.errors import DomainError
from liulin.core.net import client_address

from . import ratelimit, selectors, services
from .errors import Open311Error
from .render import error_response, respond

logger = logging.getLogger(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def open311_view(*methods):
    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt, **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(405, f"method {request.method} not allowed; use {', '.join(methods)}")
                ratelimit.check("addr", client_address(request))
                _check_jurisdiction(request)
                response = view(request, fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error.status, error.description)
                if error.retry_after:
                    response["Retry-After"] = str(error.retry_after)
            except (RequestDataTooBig, TooManyFieldsSent):
                response = error_response(fmt, 413, "request body too large")
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return wrapper

    return decorate


def _check_jurisdiction(request):
    expected = getattr(settings, "OPEN311_JURISDICTION_ID", "")
    params = request.POST if request.method == "POST" else request.GET
    given = params.get("jurisdiction_id", "")
    if expected and given and given != expected:
        raise Open311Error(404, f"jurisdiction_id {given!r} is not served here")


@open311_view("GET")
def discovery(request, fmt):
    doc = {
        "changeset": getattr(settings, "OPEN311_CHANGESET", "2026-03-01T00:00:00+08:00"),
        "contact": getattr(settings, "OPEN311_CONTACT", ""),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", ""),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": getattr(settings, "OPEN311_CHANGESET", "2026-03-01T00:00:00+08:00"),
                "type": getattr(settings, "OPEN311_ENDPOINT_TYPE", "production"),
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", doc)


@open311_view("GET")
def service_list(request, fmt):
    return respond(fmt, "services", selectors.service_list())


@open311_view("GET")
def service_definition(request, fmt, service_code):
    category = selectors.service(service_code)
    if category is None:
        raise Open311Error(404, f"service_code {service_code} not found")
    return respond(fmt, "service_definition", selectors.definition_doc(category))


def _split(value):
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@open311_view("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    ids = _split(params.get("service_request_id"))
    statuses = set(_split(params.get("status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both")
    start, end = services.parse_range(params.get("start_date"), params.get("end_date"), now=clock.now())
    tickets = selectors.requests(
        ids=ids,
        service_codes=_split(params.get("service_code")),
        statuses=statuses if len(statuses) == 1 else None,
        start=start,
        end=end,
    )
    return respond(fmt, "service_requests", selectors.request_docs(tickets))


def _create(request, fmt):
    content_type = request.content_type or ""
    if content_type not in FORM_TYPES:
        raise Open311Error(400, "send the request form-encoded (application/x-www-form-urlencoded)")
    limit = getattr(settings, "OPEN311_MAX_BODY", 64 * 1024)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise Open311Error(413, f"request body larger than {limit} bytes")
    data = request.POST
    key = services.key_for(data.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "invalid api_key")
    ratelimit.check("key", key.prefix)
    try:
        return idempotency.once(request, owner=f"open311:{key.pk}", run=lambda: _file(request, fmt, key))
    except DomainError as error:  # a bad, reused or busy Idempotency-Key
        raise Open311Error(error.status, error.detail) from None


def _file(request, fmt, key):
    """File the request: its answer, an error document included (so a retry replays it)."""
    try:
        created = services.submit_request(key=key, data=request.POST)
    except Open311Error as error:
        return error_response(fmt, error.status, error.description)
    ticket = created.ticket
    notice = f"已受理，工单号 {ticket.number}；{ticket.policy.name}。"
    doc = [{"service_request_id": ticket.number, "token": created.token, "service_notice": notice, "account_id": created.account_id}]
    return respond(fmt, "service_requests", doc)


@open311_view("GET")
def request_detail(request, fmt, service_request_id):
    ticket = selectors.request_by_id(service_request_id)
    if ticket is None:
        raise Open311Error(404, f"service_request_id {service_request_id} not found")
    return respond(fmt, "service_requests", selectors.request_docs([ticket]))


@open311_view("GET")
def token(request, fmt, token):
    found = selectors.request_by_token(token)
    if found is None:
        raise Open311Error(404, f"token {token} not found")
    return respond(fmt, "service_requests", [{"service_request_id": found.ticket.number, "token": found.token}])
