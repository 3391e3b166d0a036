"""The whistle home, the dispatcher queue, worklists and the supervisor board."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from liulin.core import xlsx
from liulin.core.errors import DomainError
from liulin.core.permissions import active_assignments, has_perm_anywhere
from liulin.core.roles import Role
from liulin.whistle import exporting, selectors
from liulin.whistle.forms import BulkDispatchForm, QueueFilterForm
from liulin.whistle.services import transitions

from ._common import is_htmx, require_anywhere

PAGE_SIZE = 25

# Each role's own page, in the order a multi-role user's menu lists them.
ROLE_PAGES = [  # labels are lazy: translated when the menu renders
    (Role.HOTLINE_OPERATOR, "whistle:console", gettext_lazy("接听热线")),
    (Role.COMMUNITY_STAFF, "whistle:queue", gettext_lazy("待派单")),
    (Role.COMMUNITY_SECRETARY, "whistle:board", gettext_lazy("督办看板")),
    (Role.COMMUNITY_STAFF, "whistle:board", gettext_lazy("督办看板")),
    (Role.COMMITTEE_MEMBER, "whistle:board", gettext_lazy("督办看板")),
    (Role.PARTNER_CONTACT, "whistle:board", gettext_lazy("督办看板")),
    (Role.PROPERTY_STAFF, "whistle:worklist", gettext_lazy("我的工单")),
    (Role.DEPARTMENT_OFFICER, "whistle:worklist", gettext_lazy("我的工单")),
    (Role.DEPARTMENT_OFFICER, "whistle:summons", gettext_lazy("报到任务")),
    (Role.GRID_WORKER, "whistle:worklist", gettext_lazy("网格工单")),
    (Role.GRID_WORKER, "whistle:patrol", gettext_lazy("巡查上报")),
    (Role.AUDITOR, "whistle:worklist", gettext_lazy("工单一览")),
    (Role.RESIDENT, "whistle:mine", gettext_lazy("我的诉求")),
    (Role.RESIDENT, "whistle:file", gettext_lazy("我要反映")),
]
# Where a user with one role lands at once.
LANDING = {
    Role.HOTLINE_OPERATOR: "whistle:console",
    Role.COMMUNITY_STAFF: "whistle:board",
    Role.COMMUNITY_SECRETARY: "whistle:board",
    Role.COMMITTEE_MEMBER: "whistle:board",
    Role.PARTNER_CONTACT: "whistle:board",
    Role.PROPERTY_STAFF: "whistle:worklist",
    Role.DEPARTMENT_OFFICER: "whistle:worklist",
    Role.GRID_WORKER: "whistle:worklist",
    Role.AUDITOR: "whistle:worklist",
    Role.RESIDENT: "whistle:mine",
}


@never_cache
@login_required
@require_GET
def home(request):
    """Send each role to its page; a user with several roles picks from a short menu."""
    require_anywhere(request.user, "whistle.view")
    roles = {Role(a.role) for a in active_assignments(request.user)} & set(LANDING)
    if request.user.is_superuser:
        roles = set(LANDING) - {Role.RESIDENT}
    if len(roles) == 1:
        return redirect(LANDING[roles.pop()])
    seen, entries = set(), []
    for role, url_name, label in ROLE_PAGES:
        if role in roles and url_name not in seen:
            seen.add(url_name)
            entries.append({"url": reverse(url_name), "label": label})
    if has_perm_anywhere(request.user, "whistle.whistle"):
        entries.append({"url": reverse("whistle:whistles"), "label": _("吹哨报到")})
    return render(request, "whistle/home.html", {"entries": entries})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def queue(request):
    """SUBMITTED tickets with filters; tick several and send them to one unit."""
    require_anywhere(request.user, "whistle.dispatch")
    filter_form = QueueFilterForm(request.GET or None, user=request.user)
    dispatch_form = BulkDispatchForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if dispatch_form.is_valid():
            _bulk_dispatch(request, dispatch_form.cleaned_data["tickets"], dispatch_form.cleaned_data["org"])
            return redirect(request.get_full_path())
        messages.error(request, " ".join(str(e) for errors in dispatch_form.errors.values() for e in errors))
    tickets = selectors.dispatch_queue(request.user, filter_form.filters())
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "dispatch_form": dispatch_form,
        "page": page,
        "query": query.urlencode(),
        "markers": selectors.map_markers(page.object_list),
    }
    template = "whistle/_queue_rows.html" if is_htmx(request) and request.method == "GET" else "whistle/queue.html"
    return render(request, template, context, status=400 if dispatch_form.errors else 200)


def _bulk_dispatch(request, tickets, org):
    """Dispatch each ticket on its own: one failure never undoes or blocks the others."""
    done, failed = [], []
    for ticket in tickets:
        try:
            transitions.act(actor=request.user, ticket=ticket, action="dispatch", org=org)
        except DomainError as error:
            failed.append(f"{ticket.number}：{error.detail}")
        else:
            done.append(ticket.number)
    if done:
        messages.success(request, _("已派给%(org)s：%(numbers)s") % {"org": org.name, "numbers": "、".join(done)})
    for failure in failed:
        messages.error(request, _("未派出 %(failure)s") % {"failure": failure})


@never_cache
@login_required
@require_GET
def worklist(request):
    """Open tickets in the user's scope: overdue first, then by resolve deadline; paged by key."""
    require_anywhere(request.user, "whistle.view")
    after = selectors.Cursor.decode(request.GET.get("after", "")) if request.GET.get("after") else None
    rows, next_cursor = selectors.worklist(request.user, after=after, limit=PAGE_SIZE)
    context = {"rows": rows, "next": next_cursor.encode() if next_cursor else "", "first_page": after is None}
    template = "whistle/rows/worklist.html" if is_htmx(request) else "whistle/worklist.html"
    if not is_htmx(request):
        context["summary"] = selectors.worklist_summary(request.user)
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def board(request):
    """督单: overdue, near the deadline, most urged, awaiting approval or verification."""
    require_anywhere(request.user, "whistle.urge")
    context = selectors.supervisor_board(request.user)
    context["limit"] = selectors.board.BOARD_LIMIT  # a full list reads "15+": the board shows the first, not a total
    context["can_whistle"] = has_perm_anywhere(request.user, "whistle.whistle")
    context["can_dispatch"] = has_perm_anywhere(request.user, "whistle.dispatch")
    context["ends"] = _column_ends()
    return render(request, "whistle/board.html", context)


BOARD_TITLES = {
    "overdue": gettext_lazy("已超时"),
    "near": gettext_lazy("临近时限"),
    "urged": gettext_lazy("催办最多"),
    "pending": gettext_lazy("待审批挂起 / 待核单"),
}


def _column_ends():
    """{column: (its default end's name, the other end's)}, for the links between them."""
    return {name: (this_end, other_end) for name, (_order, this_end, other_end) in selectors.COLUMNS.items()}


@never_cache
@login_required
@require_GET
def board_column(request, column):
    """One board column, all of it: paged by key from its default end or, with ?order=newest,
    from the other; an htmx "more" gets the next rows and the next link."""
    require_anywhere(request.user, "whistle.urge")
    if column not in selectors.COLUMNS:
        raise Http404
    newest = request.GET.get("order") == "newest"
    after = selectors.decode_column_cursor(column, request.GET.get("after", "")) if request.GET.get("after") else None
    rows, next_cursor = selectors.column_page(request.user, column, after=after, newest=newest)
    context = {"rows": rows, "next": next_cursor, "newest": newest, "paged": after is not None, "testid": column,
               "title": BOARD_TITLES[column], "ends": _column_ends()[column]}
    template = "whistle/rows/board.html" if is_htmx(request) else "whistle/board_column.html"
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def board_column_export(request, column):
    """One board column, all of it (capped as every export), as xlsx, phones masked."""
    require_anywhere(request.user, "whistle.urge")
    if column not in selectors.COLUMNS:
        raise Http404
    newest = request.GET.get("order") == "newest"
    out = exporting.write_board_column(request.user, column, title=BOARD_TITLES[column], newest=newest)
    name = str(BOARD_TITLES[column]).replace(" / ", "、")
    return xlsx.download(out, f"督办看板_{name}.xlsx")


@never_cache
@login_required
@require_GET
def queue_export(request):
    """The dispatch queue, as filtered on the page, as xlsx."""
    require_anywhere(request.user, "whistle.dispatch")
    filter_form = QueueFilterForm(request.GET or None, user=request.user)
    out = exporting.write_queue(request.user, filter_form.filters())
    return xlsx.download(out, "待派单.xlsx")


@never_cache
@login_required
@require_GET
def worklist_export(request):
    """The user's whole worklist as xlsx."""
    require_anywhere(request.user, "whistle.view")
    return xlsx.download(exporting.write_worklist(request.user), "工单.xlsx")
