"""A resident's own requests: status at a glance, then the ticket page (timeline without
internal notes or staff names, rating once verified, withdrawal while open). Open problems
of his community that others reported are listed so he can say "me too"."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liulin.core.roles import Role
from liulin.whistle import selectors, workflow

from ._common import require_role

PAGE_SIZE = 20


@never_cache
@login_required
@require_GET
def mine(request):
    require_role(request.user, Role.RESIDENT, perm="whistle.view")
    page = Paginator(selectors.my_requests(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "open_states": workflow.OPEN_STATES,
        "neighbourhood": selectors.neighbourhood_open(request.user),
        "joined": selectors.my_cosigned(request.user),
    }
    return render(request, "whistle/mine.html", context)
