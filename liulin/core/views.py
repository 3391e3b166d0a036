from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import plugins, services
from .permissions import active_assignments
from .roles import Role


@login_required
def home(request):
    """Each user lands on his own work: the page an app claimed for one of his roles
    (plugins.register_landing); else staff on the community at a glance, residents on
    their own page."""
    roles = {a.role for a in active_assignments(request.user)}
    if request.user.is_superuser:
        return redirect("dashboard:staff_home")
    landing = plugins.landing_for(roles)
    if landing is not None:
        return redirect(landing)
    if roles - {Role.RESIDENT}:
        return redirect("dashboard:staff_home")
    return redirect("dashboard:resident_home")


@require_POST
def toggle_elder_mode(request):
    services.set_elder_mode(request, on=request.POST.get("on") == "1")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@require_POST
def choose_language(request):
    """The language switch: Django's own view sets the cookie and leads back; a logged-in
    user's choice is also kept on his account, which UserLanguageMiddleware honours."""
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        services.set_language(request, language=language)
    return set_language(request)


def _database_answers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_answers():
    cache.get("healthz")  # a read reaches the backend: the table, or the Redis server


HEALTH_CHECKS = {"database": _database_answers, "cache": _cache_answers}


def healthz(request):
    """200 when every dependency answers; 503 naming those that do not, so a load balancer
    takes the process out of rotation instead of sending users to error pages."""
    checks, failing = {}, []
    for name, probe in HEALTH_CHECKS.items():
        try:
            probe()
        except Exception as error:  # noqa: BLE001 (any failure means the dependency is down)
            checks[name] = f"error: {type(error).__name__}"
            failing.append(name)
        else:
            checks[name] = "ok"
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def machine_error(request, status, detail, code, *, description=None):
    """Clients of /api/ and /open311/ get their own error format, never an HTML page: JSON
    `{detail, code}` for the API; for Open311 the spec's error document, in XML where the
    path asks for .xml."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    if request.path.startswith("/open311/"):
        from liulin.open311.render import error_response

        fmt = "xml" if request.path.endswith(".xml") else "json"
        return error_response(fmt, status, description or code.replace("_", " "))
    return None


def not_found(request, exception=None):
    return machine_error(request, 404, gettext("找不到该地址。"), "not_found") or render(request, "404.html", status=404)


def server_error(request):
    return machine_error(request, 500, gettext("服务器内部错误。"), "server_error") or render(request, "500.html", status=500)
