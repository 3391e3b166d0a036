"""Pages of 公示: the list, a notice with its versions, objections and receipts, the
居务公开 schedule, and a public page (no login) that shows the text with names masked."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liulin.core import calendar, clock, publication
from liulin.core.errors import DomainError, add_to_form
from liulin.core.permissions import can, has_perm_anywhere
from liulin.core.redaction import redact

from . import selectors, services
from .models import State
from .workflow import NOTICE


class NoticeForm(forms.Form):
    kind = forms.ModelChoiceField(label=gettext_lazy("公示类别"), queryset=selectors.kinds())
    title = forms.CharField(label=gettext_lazy("标题"), max_length=80)
    body = forms.CharField(label=gettext_lazy("公示内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


def _require_reader(user):
    if not selectors.may_open(user):
        raise PermissionDenied


@login_required
def home(request):
    _require_reader(request.user)
    notices = list(selectors.notices_for(request.user).prefetch_related("versions")[:100])
    for n in notices:
        n.current = max(n.versions.all(), key=lambda v: v.number, default=None)
    may_create = has_perm_anywhere(request.user, NOTICE.perm("create"))
    return render(request, "notices/home.html", {"notices": notices, "may_create": may_create, "now": clock.now()})


@login_required
def create(request):
    community = selectors.communities_for_publishing(request.user).first()
    if community is None:
        raise PermissionDenied
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.create_notice(actor=request.user, community=community, kind=form.cleaned_data["kind"],
                                            title=form.cleaned_data["title"], body=form.cleaned_data["body"])
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_to_form(form, error)
        else:
            return redirect("notices:detail", notice.pk)
    return render(request, "notices/new.html", {"form": form, "community": community})


@login_required
def detail(request, pk):
    _require_reader(request.user)
    notice = selectors.notice_for(request.user, pk)
    services.mark_read(actor=request.user, notice=notice)
    staff = can(request.user, NOTICE.perm("answer"), notice)
    versions = list(selectors.versions_of(notice))
    now = clock.now()
    return render(request, "notices/detail.html", {
        "notice": notice, "current": versions[0] if versions else None, "older": versions[1:], "staff": staff,
        "actions": NOTICE.available_actions(notice.state) if staff else [],
        "objections": list(selectors.objections_of(request.user, notice)),
        "may_object": services.may_object(request.user, notice, now), "items": services.items_of(notice),
        "window_open": notice.state == State.PUBLISHED and now < notice.ends_at,
        "origin": publication.origin(notice.origin),
        "summary": selectors.receipt_summary(notice) if staff else None, "now": now,
        "posting_photos": list(selectors.posting_photos(notice)) if staff else [],
        "may_record_posting": staff and notice.state in (State.PUBLISHED, State.FINALISED),
    })


def _back(request, notice, error=None):
    if error is not None:
        messages.error(request, error.detail)
    return redirect("notices:detail", notice.pk)


@login_required
@require_POST
def act(request, pk, action):
    notice = selectors.notice_for(request.user, pk)
    try:
        services.act(actor=request.user, notice=notice, action=action, reason=request.POST.get("reason", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        return _back(request, notice, error)
    messages.success(request, _("已完成：%(action)s。") % {"action": NOTICE.transitions[action].label})
    return _back(request, notice)


@login_required
@require_POST
def correct(request, pk):
    notice = selectors.notice_for(request.user, pk)
    try:
        services.correct(actor=request.user, notice=notice, title=request.POST.get("title", ""), body=request.POST.get("body", ""),
                         reason=request.POST.get("reason", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        return _back(request, notice, error)
    messages.success(request, _("已发布更正版本，原版本仍可查看。"))
    return _back(request, notice)


@login_required
@require_POST
def record_posting(request, pk):
    notice = selectors.notice_for(request.user, pk)
    try:
        services.record_posting(actor=request.user, notice=notice, upload=request.FILES.get("photo"))
    except DomainError as error:
        if error.status == 404:
            raise
        return _back(request, notice, error)
    messages.success(request, _("张贴照片已保存。"))
    return _back(request, notice)


@login_required
@require_POST
def object_to(request, pk):
    notice = selectors.notice_for(request.user, pk)
    try:
        objection = services.object_to(actor=request.user, notice=notice, text=request.POST.get("text", ""),
                                       item=request.POST.get("item", ""))
    except DomainError as error:
        if error.status == 404:
            raise
        return _back(request, notice, error)
    messages.success(request, _("异议已提交，社区将在 %(due)s 前答复。") % {"due": calendar.local_date(objection.answer_due).isoformat()})
    return _back(request, notice)


@login_required
@require_POST
def answer(request, pk):
    objection = selectors.objection_for(request.user, pk)
    try:
        upheld = {"yes": True, "no": False}.get(request.POST.get("upheld", ""))
        services.answer(actor=request.user, objection=objection, text=request.POST.get("answer", ""), upheld=upheld)
    except DomainError as error:
        if error.status == 404:
            raise
        return _back(request, objection.notice, error)
    messages.success(request, _("已答复。"))
    return _back(request, objection.notice)


@login_required
def receipts(request, pk):
    notice = selectors.notice_for(request.user, pk)
    if not can(request.user, NOTICE.perm("answer"), notice):
        raise PermissionDenied
    rows = list(selectors.receipts_of(request.user, notice)[:2000])
    return render(request, "notices/receipts.html", {"notice": notice, "rows": rows, "summary": selectors.receipt_summary(notice)})


@login_required
def catalogue(request):
    if not has_perm_anywhere(request.user, NOTICE.perm("view")):
        raise PermissionDenied
    return render(request, "notices/catalogue.html", {"rows": selectors.schedule(request.user)})


def public(request, pk):
    """The public page of a published notice: no login, so names are masked (core.redaction)
    and no room or household appears; objections are filed by signing in."""
    notice = selectors.public_notices_any().filter(pk=pk).select_related("kind").first()
    if notice is None:
        raise Http404
    current = selectors.current_version(notice)
    return render(request, "notices/public.html", {"notice": notice, "title": redact(current.title), "body": redact(current.body)})
