"""Small helpers shared by the 雷锋哨 views."""

from django.contrib import messages
from django.utils.translation import gettext as _

from liulin.core.errors import DomainError, NotFound, NotPermitted, add_to_form
from liulin.core.permissions import active_assignments, has_perm_anywhere


def require_anywhere(user, perm, message=None):
    """403 unless one of the user's roles holds `perm` somewhere."""
    if not has_perm_anywhere(user, perm):
        raise NotPermitted(message or _("您的角色不能打开这个页面。"))


def require_role(user, *roles, perm="whistle.file", message=None):
    """403 unless the user holds one of `roles` (and `perm` through it): pages made for one
    kind of user, e.g. the operator console."""
    if user.is_superuser:
        return
    if not any(a.role in roles for a in active_assignments(user)) or not has_perm_anywhere(user, perm):
        raise NotPermitted(message or _("您的角色不能打开这个页面。"))


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def run(form_or_request, call):
    """Run a service call; a broken rule becomes a form error (or a message) and None.

    Not-found and not-permitted pass through: the middleware answers them with 404/403."""
    try:
        return call()
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        if hasattr(form_or_request, "add_error"):
            add_to_form(form_or_request, error)
        else:
            messages.error(form_or_request, error.detail)
    return None


def run_step(request, form, call):
    """`run` for a step on a ticket, returning (result, status for a failure): a refusal (the
    step is another unit's work, a check on one's own unit, or a second duty on the ticket)
    becomes the page's message with status 403, as other broken rules become form errors."""
    try:
        return run(form, call), 400
    except NotPermitted as error:
        messages.error(request, error.detail)
        return None, 403
