"""Pages of the resident registry. Thin: forms parse, selectors read, services write.

Every page here carries personal data, so every response is `Cache-Control: no-store`
(never_cache) and a revealed value lives only in the one response that shows it.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liulin.core import clock
from liulin.core.errors import DomainError, NotPermitted, add_to_form
from liulin.core.limits import RateLimited
from liulin.core.permissions import can, has_perm_anywhere

from . import exporting, importing, selectors, services
from .forms import IdCheckForm, ImportConfirmForm, ImportUploadForm, ResidentForm, RevealForm, SearchForm

PAGE_SIZE = 25
IMPORT_SESSION_KEY = "people_import"
PREVIEW_ROWS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_anywhere(user, perm, message=None):
    if not has_perm_anywhere(user, perm):
        raise NotPermitted(message or _("您的角色不能执行此操作。"))


@never_cache
@login_required
@require_GET
def resident_list(request):
    _require_anywhere(request.user, "people.view", _("您的角色不能查看居民台账。"))
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(selectors.search_residents(request.user, q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "q": q,
        "page": page,
        "can_create": has_perm_anywhere(request.user, "people.change"),
        "can_import": has_perm_anywhere(request.user, "people.import"),
        "can_export": has_perm_anywhere(request.user, "people.export"),
    }
    response = render(request, _list_template(request), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _list_template(request):
    """htmx swaps only the results as the user types; without JS, and when htmx restores
    history (it swaps the whole body then), the whole page is served."""
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    return "people/_results.html" if partial else "people/resident_list.html"


def _detail(request, resident, *, reveal_form=None, revealed=None, id_check_form=None, id_checked=None, status=200):
    choices = selectors.reveal_choices(request.user, resident)
    if reveal_form is None and choices:
        reveal_form = RevealForm(fields_allowed=choices)
    may_check_id = bool(resident.id_hash) and can(request.user, "people.check_id", resident)
    context = {
        "resident": resident,
        "members": selectors.household_members(request.user, resident).select_related("household"),
        "reveal_form": reveal_form if choices else None,
        "revealed": revealed,
        "id_check_form": (id_check_form or IdCheckForm()) if may_check_id else None,
        "id_checked": id_checked,
        "can_edit": can(request.user, "people.change", resident),
        "can_proxy": can(request.user, "people.proxy_manage", resident),
    }
    return render(request, "people/resident_detail.html", context, status=status)


@never_cache
@login_required
@require_GET
def resident_detail(request, pk):
    return _detail(request, selectors.resident_for(request.user, pk))


@never_cache
@login_required
@require_POST
def resident_reveal(request, pk):
    resident = selectors.resident_for(request.user, pk)
    choices = selectors.reveal_choices(request.user, resident)
    if not choices or (request.POST.get("field") in services.REVEALABLE and request.POST["field"] not in choices):
        raise NotPermitted(_("您的角色不能查看完整的个人信息。"))
    form = RevealForm(request.POST, fields_allowed=choices)
    if form.is_valid():
        field, reason = form.cleaned_data["field"], form.cleaned_data["reason"]
        try:
            value = services.reveal(actor=request.user, resident=resident, field=field, reason=reason)
        except DomainError as e:
            add_to_form(form, e)
            if isinstance(e, RateLimited):
                response = _detail(request, resident, reveal_form=form, status=e.status)
                response["Retry-After"] = str(e.retry_after)
                return response
        else:
            return _detail(request, resident, revealed={"field": field, "value": value})
    return _detail(request, resident, reveal_form=form, status=400)


@never_cache
@login_required
@require_POST
def resident_check_id(request, pk):
    """Check the ID number a person gives against the registered one: match or no match."""
    resident = selectors.resident_for(request.user, pk)
    form = IdCheckForm(request.POST)
    if form.is_valid():
        try:
            match = services.check_id_number(actor=request.user, resident=resident, id_number=form.cleaned_data["id_number"])
        except NotPermitted:
            raise
        except DomainError as e:
            add_to_form(form, e)
            return _detail(request, resident, id_check_form=form, status=e.status)
        return _detail(request, resident, id_checked={"match": match})
    return _detail(request, resident, id_check_form=form, status=400)


def _save_resident(request, form, resident=None):
    """Run the create or edit service; a broken rule becomes a form error. Returns the resident or None."""
    data = form.cleaned_data
    args = {
        "actor": request.user,
        "building": data["building"],
        "room": data["room"],
        "care_tags": list(data["care_tags"]),
        **form.resident_fields(),
    }
    try:
        if resident is None:
            return services.register_resident(id_number=data["id_number"], **args)
        return services.edit_resident(resident=resident, id_number=data["id_number"] or None, **args)
    except NotPermitted:
        raise
    except DomainError as e:
        add_to_form(form, e)
        return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request):
    _require_anywhere(request.user, "people.change", _("您的角色不能登记居民。"))
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        resident = _save_resident(request, form)
        if resident is not None:
            messages.success(request, _("已登记居民 %(name)s。") % {"name": resident.name})
            return redirect("people:resident_detail", pk=resident.pk)
    status = 400 if form.errors else 200
    return render(request, "people/resident_form.html", {"form": form, "resident": None}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    resident = selectors.resident_for(request.user, pk)
    if not can(request.user, "people.change", resident):
        raise NotPermitted(_("您的角色不能修改居民信息。"))
    if request.method == "POST":
        form = ResidentForm(request.POST, user=request.user)
        if form.is_valid() and _save_resident(request, form, resident) is not None:
            messages.success(request, _("已保存。"))
            return redirect("people:resident_detail", pk=resident.pk)
    else:
        form = ResidentForm(initial=ResidentForm.initial_for(resident), user=request.user)
    status = 400 if form.errors else 200
    return render(request, "people/resident_form.html", {"form": form, "resident": resident}, status=status)


def _import_preview(request, plan, token=None):
    context = {
        "plan": plan,
        "preview": plan.rows[:PREVIEW_ROWS],
        "confirm_form": ImportConfirmForm(initial={"token": token}) if token else None,
    }
    return render(request, "people/import_preview.html", context, status=200 if plan.ok else 400)


def _import_upload(request):
    form = ImportUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return render(request, "people/import.html", {"form": form}, status=400)
    data = form.cleaned_data["file"].read()
    community = form.cleaned_data["community"]
    try:
        plan = importing.plan_import(io.BytesIO(data), community=community)
    except DomainError as e:
        add_to_form(form, e)
        return render(request, "people/import.html", {"form": form}, status=e.status)
    token = None
    if plan.ok:
        token = importing.stash_upload(data)
        request.session[IMPORT_SESSION_KEY] = {"token": token, "community": community.pk}
    return _import_preview(request, plan, token)


def _import_confirm(request):
    pending = request.session.get(IMPORT_SESSION_KEY) or {}
    form = ImportConfirmForm(request.POST)
    if not form.is_valid() or form.cleaned_data["token"] != pending.get("token"):
        messages.error(request, _("导入已过期或已完成，请重新上传。"))
        return redirect("people:import")
    token = pending["token"]
    community = selectors.communities_for(request.user, "people.import").filter(pk=pending["community"]).first()
    if community is None:
        raise NotPermitted(_("您的角色不能向该社区导入居民。"))
    try:
        # Validate again: the registry may have changed since the dry run.
        plan = importing.plan_import(importing.load_stash(token), community=community)
        if not plan.ok:
            return _import_preview(request, plan)
        created = importing.commit_import(actor=request.user, plan=plan)
    except NotPermitted:
        raise
    except DomainError as e:
        messages.error(request, e.detail)
        return redirect("people:import")
    finally:
        importing.drop_stash(token)
        request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(request, _("已导入 %(count)d 位居民。") % {"count": created})
    return redirect("people:resident_list")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_residents(request):
    _require_anywhere(request.user, "people.import", _("您的角色不能导入居民台账。"))
    if request.method == "GET":
        return render(request, "people/import.html", {"form": ImportUploadForm(user=request.user)})
    if "token" in request.POST:
        return _import_confirm(request)
    return _import_upload(request)


@never_cache
@login_required
@require_GET
def import_template(request):
    _require_anywhere(request.user, "people.import", _("您的角色不能导入居民台账。"))
    out = exporting.import_template()
    return FileResponse(out, as_attachment=True, filename="居民导入模板.xlsx", content_type=XLSX)


@never_cache
@login_required
@require_GET
def export_residents(request):
    _require_anywhere(request.user, "people.export", _("您的角色不能导出居民台账。"))
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    out, _count = exporting.write_residents(request.user, q)
    filename = f"居民台账-{clock.today():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
