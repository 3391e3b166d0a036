from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from liulin.core.plugins import home_actions_for
from liulin.people.permissions import has_staff_role

from . import selectors


@login_required
def staff_home(request):
    """The community at a glance, counted over whatever the user's roles cover."""
    if not has_staff_role(request.user):
        return redirect("dashboard:resident_home")
    return render(request, "dashboard/staff_home.html", selectors.staff_overview(request.user))


@login_required
def cockpit(request):
    """数据驾驶舱: every app's figures for whatever the user's roles cover (a community, a
    subdistrict or a district), each tile counted by its own app over the user's scope."""
    if not has_staff_role(request.user):
        return redirect("dashboard:resident_home")
    return render(request, "dashboard/cockpit.html", selectors.cockpit(request.user))


@login_required
def resident_home(request):
    """A resident's own page: what he came to do first (report a problem, call his grid
    worker), then his household, its members (phones masked) and his care tags."""
    context = {"home": selectors.resident_household(request.user), "actions": home_actions_for(request.user)}
    return render(request, "dashboard/resident_home.html", context)
