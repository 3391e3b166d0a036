"""The one NinjaAPI: every app's router is mounted here under /api/v1."""

from django.conf import settings
from django.core.exceptions import ValidationError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth as NinjaSessionAuth

from liulin.apitokens.auth import ApiTokenAuth
from liulin.core import limits
from liulin.core.errors import DomainError


class SessionAuth(NinjaSessionAuth):
    """The browser session, with a request limit per user (a token has its own limit)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            limits.check("api:user", user.pk, settings.LIULIN_API_RATE_LIMIT_USER)
        return user


api = NinjaAPI(
    title="六邻 Liulin API",
    version="1",
    description="社区治理与服务平台接口。所有列表按调用者的角色与辖区范围过滤；个人信息默认脱敏。",
    # Bearer token first: the session check enforces CSRF on writes and would refuse a
    # token-only client before the token was even looked at.
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc):
    return api.create_response(request, {"detail": exc.errors, "code": "invalid_input"}, status=422)


@api.exception_handler(ValidationError)
def invalid_model(request, exc):
    return api.create_response(request, {"detail": exc.messages, "code": "invalid"}, status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "请先登录。", "code": "not_authenticated"}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc), "code": f"http_{exc.status_code}"}, status=exc.status_code)


def _mount():
    from liulin.accounts.api import router as accounts_router
    from liulin.orgs.api import router as orgs_router
    from liulin.people.api import router as people_router
    from liulin.territory.api import router as territory_router
    from liulin.whistle.api import router as whistle_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/territory", territory_router)
    api.add_router("/people", people_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/tickets", whistle_router)


_mount()
