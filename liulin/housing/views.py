"""Public outputs of housing: the published lottery file anyone downloads to re-run the draw
(ids, groups and lots; no names or rooms)."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from . import services
from .models import Draw


@require_GET
def draw_file(request, round_id):
    draw = Draw.objects.filter(round_id=round_id, current=True).select_related("round").first()
    if draw is None:
        raise Http404
    response = HttpResponse(services.draw_file(draw), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="housing-draw-{round_id}.txt"'
    return response
