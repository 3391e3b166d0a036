"""The data behind the maps (static/js/map.js): grid boundaries and buildings of the user's
communities, read through territory.selectors.map_features."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import selectors


@login_required
@require_GET
@cache_control(private=True, max_age=300)
def map_data(request):
    raw = request.GET.get("community", "")
    if raw and not (raw.isdigit() and len(raw) < 12):
        return JsonResponse({"detail": _("community 应为社区编号。"), "code": "invalid"}, status=400)
    community_id = int(raw) if raw else None
    return JsonResponse(selectors.map_features(request.user, community_id=community_id), json_dumps_params={"ensure_ascii": False})
