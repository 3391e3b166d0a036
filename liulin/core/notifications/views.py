"""Inbox pages for every logged-in user: the list, marking read (one, htmx; or all), the
bell's count (htmx), and the channel settings. Each reads through `selectors` (the user's
own rows only) and writes through `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liulin.core.errors import Invalid

from . import selectors, services
from .forms import PreferencesForm


@never_cache
@login_required
@require_GET
def inbox(request):
    rows = list(selectors.inbox(request.user))
    return render(request, "notifications/inbox.html", {"rows": rows, "any_unread": any(n.read_at is None for n in rows)})


@never_cache
@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")


@never_cache
@login_required
@require_POST
def mark_one_read(request, pk):
    """Mark one notification read; to htmx, the row as it now reads, and the bell refreshed."""
    services.mark_read(user=request.user, ids=[pk])
    notification = selectors.own_notification(request.user, pk)
    if notification is None:
        raise Http404
    if not request.headers.get("HX-Request"):
        return redirect("notifications:inbox")
    response = render(request, "notifications/_row.html", {"n": notification})
    response["HX-Trigger"] = "notifications-read"
    return response


@never_cache
@login_required
@require_GET
def bell(request):
    """htmx: the bell with its unread count."""
    return render(request, "notifications/_bell.html", {"unread_count": selectors.unread_count(request.user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    chosen, webhook = selectors.preferences(request.user), selectors.own_webhook(request.user)
    form = PreferencesForm(request.POST or None, chosen=chosen, webhook=webhook)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(user=request.user, choices=form.choices())
            if "webhook_url" in form.fields:
                services.set_webhook(user=request.user, url=form.cleaned_data["webhook_url"],
                                     secret=form.cleaned_data["webhook_secret"])
        except Invalid as error:
            form.add_error(error.field if error.field in form.fields else None, error.detail)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "has_email": bool(request.user.email)})
