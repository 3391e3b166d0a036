"""Ninja authentication by `Authorization: Bearer <token>`.

The request then acts as the token's user: every selector scopes by that user's roles
exactly as for a browser session. The token's own scopes limit the HTTP methods it may use
on each resource (the first path segment under /api/v1).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from liulin.core import limits
from liulin.core.errors import DomainError, NotPermitted

from . import services


class InvalidToken(DomainError):
    status = 401
    code = "invalid_token"


class InsufficientScope(NotPermitted):
    code = "insufficient_scope"


def _resource(request):
    path = request.path_info
    marker = "/api/v1/"
    rest = path.split(marker, 1)[1] if marker in path else path.lstrip("/")
    return rest.split("/", 1)[0]


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = services.find_active(token)
        if api_token is None:
            # A bearer header was sent: say the token is bad rather than "please log in".
            raise InvalidToken(_("接口令牌无效、已过期或已吊销。"))
        limits.check("api:token", api_token.pk, settings.LIULIN_API_RATE_LIMIT_TOKEN)
        resource = _resource(request)
        if not api_token.allows(request.method, resource):
            raise InsufficientScope(f"该令牌没有对“{resource}”执行 {request.method} 的权限范围。")
        services.touch(api_token)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user
