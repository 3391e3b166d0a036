"""The owners' register pages: the estate's committee or community staff upload an xlsx, see
what it would do (a dry run: the counts by the headcount rules and every row's error), and
confirm; the register is then imported from the very file they saw.

Between the preview and the confirmation the upload is kept encrypted (`core.stash`); the
session holds its token, its SHA-256 and the figures shown, and the confirm form carries the
token and digest back. A confirmation is refused when it is not for the file previewed last
in this session (another upload in another tab), when the kept file no longer hashes to what
was previewed, or when it has expired; when the register changed meanwhile, the new figures
are shown to be confirmed again. Thin: selectors read, `importing` plans and writes.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liulin.core import stash, xlsx
from liulin.core.errors import DomainError, NotPermitted, add_to_form
from liulin.core.masking import mask_name

from . import importing, selectors
from .forms import RegisterConfirmForm, RegisterUploadForm
from .models import Owner, Unit
from .rules import format_area

SESSION_KEY = "votes_register_import"
STASH_KIND = "votes-register"
PREVIEW_ROWS = 20


def _forget(request):
    """Drop the upload waiting for confirmation in this session, if any."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        stash.drop(STASH_KIND, pending.get("token", ""))


def _kinds(counts):
    return [(label, counts.get(kind, 0)) for kind, label in Owner.Kind.choices]


def _register_context(request, estate, **extra):
    return {"estate": estate, "area": format_area(estate.register_area_cm2 or 0),
            "by_kind": _kinds(selectors.register_by_kind(estate)), "votes": selectors.votes_in_progress(request.user, estate),
            **extra}


def _page(request, estate, form, *, error=None, status=200):
    return render(request, "votes/register.html", _register_context(request, estate, form=form, error=error), status=status)


def _preview(request, estate, plan, *, kept=None, changed=False, status=None):
    rows = [{"number": r.number, "label": r.label, "area": format_area(r.area_cm2), "source": Unit.Source(r.source).label,
             "name": mask_name(r.name),
             "code": "" if r.code.startswith("#") or r.code == importing.DEVELOPER_CODE else r.code, "kind": Owner.Kind(r.kind).label}
            for r in plan.rows[:PREVIEW_ROWS]]
    context = {
        "estate": estate, "plan": plan, "rows": rows, "changed": changed,
        "area": format_area(plan.total_area_cm2), "after_area": format_area(plan.after_area_cm2),
        "by_kind": _kinds(plan.heads_by_kind),
        "confirm_form": RegisterConfirmForm(initial={"token": kept.token, "sha256": kept.sha256}) if kept else None,
        "votes": selectors.votes_in_progress(request.user, estate),
    }
    return render(request, "votes/register_preview.html", context, status=status or (200 if plan.ok else 400))


@never_cache
@login_required
@require_GET
def register_list(request):
    estates = list(selectors.register_estates(request.user))
    if not estates:
        raise NotPermitted(_("只有业主委员会委员或社区工作人员可以维护业主名册。"))
    for estate in estates:
        estate.area = format_area(estate.register_area_cm2 or 0)
    return render(request, "votes/registers.html", {"estates": estates})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def register_import(request, estate_id):
    """GET: the estate's register and the upload form. POST: the dry run of the uploaded file."""
    estate = selectors.register_estate(request.user, estate_id)
    if request.method == "GET":
        return _page(request, estate, RegisterUploadForm())
    form = RegisterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        too_large = any(e.code == "too_large" for e in form.errors.as_data().get("file", []))
        return _page(request, estate, form, status=413 if too_large else 400)
    data = form.cleaned_data["file"]
    try:
        plan = importing.plan_register(data, estate=estate)
    except DomainError as error:
        add_to_form(form, error)
        return _page(request, estate, form, status=error.status)
    # Only the file previewed last can be confirmed: an earlier upload waiting is dropped.
    _forget(request)
    kept = None
    if plan.ok:
        kept = stash.keep(STASH_KIND, data)
        request.session[SESSION_KEY] = {"estate": estate.pk, "token": kept.token, "sha256": kept.sha256, "figures": plan.summary()}
    return _preview(request, estate, plan, kept=kept)


@never_cache
@login_required
@require_POST
def register_confirm(request, estate_id):
    estate = selectors.register_estate(request.user, estate_id)
    pending = request.session.get(SESSION_KEY) or {}
    if pending.get("estate") != estate.pk:
        return _page(request, estate, RegisterUploadForm(), status=409,
                     error=_("没有待确认的导入：已经导入、已过期，或还没有上传。请重新上传名册。"))
    form = RegisterConfirmForm(request.POST)
    if not form.is_valid() or (form.cleaned_data["token"], form.cleaned_data["sha256"]) != (pending["token"], pending["sha256"]):
        # The page confirmed is not the last preview: another file was uploaded since (another
        # tab), or the form was altered. The last preview stays open to be confirmed.
        return _page(request, estate, RegisterUploadForm(), status=409,
                     error=_("要确认的文件与最近一次预览的文件不同（可能在另一个窗口上传了其他文件），未导入。请在最近一次的预览页确认，或重新上传。"))
    try:
        data = stash.load(STASH_KIND, pending["token"], sha256=pending["sha256"])
        plan = importing.plan_register(data, estate=estate)
    except DomainError as error:
        _forget(request)
        return _page(request, estate, RegisterUploadForm(), error=error.detail, status=error.status)
    if not plan.ok:  # the same file cannot grow errors; refuse rather than guess
        _forget(request)
        return _preview(request, estate, plan)
    if plan.summary() != pending["figures"]:
        # The register changed since the preview (another import, the admin): show what the
        # same file would do now, to be confirmed again.
        request.session[SESSION_KEY] = {**pending, "figures": plan.summary()}
        kept = stash.Kept(pending["token"], pending["sha256"])
        return _preview(request, estate, plan, kept=kept, changed=True, status=409)
    try:
        importing.commit_register(actor=request.user, plan=plan)
    except NotPermitted:
        _forget(request)
        raise
    except DomainError as error:
        _forget(request)
        return _page(request, estate, RegisterUploadForm(), error=error.detail, status=error.status)
    _forget(request)
    estate = selectors.register_estate(request.user, estate.pk)  # the register as it now is
    return render(request, "votes/register_result.html", _register_context(request, estate, plan=plan))


@never_cache
@login_required
@require_GET
def register_template(request):
    if not selectors.register_committees(request.user).exists():
        raise NotPermitted(_("只有业主委员会委员或社区工作人员可以维护业主名册。"))
    return xlsx.download(importing.template_workbook(), "业主名册模板.xlsx")
