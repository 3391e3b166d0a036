"""In-app notifications: the list (opening it marks them read) and the unread count."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from liulin.whistle import notifications, selectors


@never_cache
@login_required
@require_GET
def notice_list(request):
    rows = list(selectors.notifications_for(request.user))
    unread = [n.pk for n in rows if n.read_at is None]
    return render(request, "whistle/notices.html", {"rows": rows, "unread": set(unread)})


@never_cache
@login_required
@require_POST
def notices_read(request):
    """Mark every notice of the user read."""
    notifications.mark_read(user=request.user)
    return redirect("whistle:notices")


@never_cache
@login_required
@require_GET
def notice_count(request):
    """htmx: the bell's unread count, refreshed without reloading the page."""
    return render(request, "whistle/_bell.html", {"unread_count": selectors.unread_count(request.user)})
