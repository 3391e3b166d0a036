"""The one NinjaAPI: every app's router is mounted here under /api/v1."""

import functools
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import SessionAuth as NinjaSessionAuth

from liulin.apitokens import services as api_tokens
from liulin.apitokens.auth import ApiTokenAuth
from liulin.core import idempotency, limits, validation
from liulin.core.errors import DomainError, TooLarge
from liulin.core.text import clean_data


class CleanJsonParser(Parser):
    """JSON bodies pass the platform's text rule (core.text): control characters removed,
    NUL refused. Query strings and form bodies were cleaned by InputHygieneMiddleware."""

    def parse_body(self, request):
        return clean_data(json.loads(request.body))


class SessionAuth(NinjaSessionAuth):
    """The browser session, with a request limit per user (a token has its own limit)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            limits.check("api:user", user.pk, settings.LIULIN_API_RATE_LIMIT_USER)
        return user


class LiulinAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        # Every POST takes an Idempotency-Key (see `_idempotent_posts`).
        return idempotency.document(super().get_openapi_schema(*args, **kwargs))


api = LiulinAPI(
    title="六邻 Liulin API",
    version="1",
    description="社区治理与服务平台接口。所有列表按调用者的角色与辖区范围过滤；个人信息默认脱敏。",
    # Bearer token first: the session check enforces CSRF on writes and would refuse a
    # token-only client before the token was even looked at.
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
    parser=CleanJsonParser(),
)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc):
    """{detail, code, field, errors} in the request's language (core.validation)."""
    return api.create_response(request, validation.describe(exc.errors), status=422)


@api.exception_handler(ValidationError)
def invalid_model(request, exc):
    return api.create_response(request, {"detail": exc.messages, "code": "invalid"}, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("请先登录。"), "code": "not_authenticated"}, status=401)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return domain_error(request, TooLarge(_("请求内容过大。")))


@api.exception_handler(OverflowError)
def out_of_range(request, exc):
    """A number larger than the database stores (SQLite refuses past 2**63) is bad input; the
    request's transaction has rolled back, so nothing changed."""
    return api.create_response(request, {"detail": _("数值超出允许的范围。"), "code": "out_of_range"}, status=400)


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc.__cause__, DomainError):  # Ninja wraps what the body parser refused
        return domain_error(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc), "code": f"http_{exc.status_code}"}, status=exc.status_code)


def _owner(request):
    """Whose Idempotency-Key this is: the user of the bearer token, else of the session; None
    when neither is valid (the operation then refuses the request as usual)."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        token = api_tokens.find_active(raw.strip())
        return f"user:{token.user_id}" if token is not None else None
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def _idempotent_posts(run):
    """Every POST under /api/v1 honours Idempotency-Key (core.idempotency), wrapped around the
    whole operation (authentication, validation, the work and its rendered answer)."""

    @functools.wraps(run)
    def view(request, *args, **kwargs):
        if request.method != "POST":
            return run(request, *args, **kwargs)
        try:
            return idempotency.once(request, owner=_owner(request), run=lambda: run(request, *args, **kwargs))
        except DomainError as error:
            return domain_error(request, error)

    return view


api.add_decorator(_idempotent_posts, mode="view")


def _mount():
    from liulin.accounts.api import router as accounts_router
    from liulin.activities.api import router as activities_router
    from liulin.canteen.api import router as canteen_router
    from liulin.counselling.api import router as counselling_router
    from liulin.daycare.api import router as daycare_router
    from liulin.deliberation.api import router as deliberation_router
    from liulin.housing.api import router as housing_router
    from liulin.notices.api import router as notices_router
    from liulin.orgs.api import router as orgs_router
    from liulin.partybuilding.api import router as partybuilding_router
    from liulin.people.api import router as people_router
    from liulin.property.api import router as property_router
    from liulin.territory.api import router as territory_router
    from liulin.venues.api import router as venues_router
    from liulin.volunteering.api import router as volunteering_router
    from liulin.votes.api import router as votes_router
    from liulin.whistle.api import router as whistle_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/territory", territory_router)
    api.add_router("/people", people_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/tickets", whistle_router)
    api.add_router("/partybuilding", partybuilding_router)
    api.add_router("/deliberation", deliberation_router)
    api.add_router("/notices", notices_router)
    api.add_router("/votes", votes_router)
    api.add_router("/volunteering", volunteering_router)
    api.add_router("/venues", venues_router)
    api.add_router("/activities", activities_router)
    api.add_router("/canteen", canteen_router)
    api.add_router("/daycare", daycare_router)
    api.add_router("/property", property_router)
    api.add_router("/housing", housing_router)
    api.add_router("/counselling", counselling_router)


_mount()
