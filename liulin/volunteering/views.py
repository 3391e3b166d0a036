"""Volunteering pages: the volunteer's phone page, the team leader's desk and an activity's
check-in screen, the 雷锋超市 counter, staff reports and certificates, and the public
certificate check. Thin: selectors read, services write; refusals (403/404) are the
middleware's, rule breaks are shown on the form or as a message."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liulin.core import pdf
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted, add_to_form
from liulin.core.permissions import can, get_or_404, has_perm_anywhere, scoped
from liulin.orgs.models import Organisation

from . import forms, selectors
from .models import Activity, Certificate, ServiceRecord
from .services import activities, certificates, records, shop, teams, youth
from .workflow import WORKFLOW

RULE_BREAKS = (Invalid, Conflict)


def qr_data_uri(text):
    """An inline SVG QR code (the CSP allows data: images; nothing is fetched)."""
    return segno.make(text, error="m").svg_data_uri(scale=6, border=2)


def _done(request, text):
    messages.success(request, text)


def _refused(request, error):
    messages.error(request, error.detail)


# --- the volunteer ------------------------------------------------------------------------------


@login_required
@never_cache
def home(request):
    user = request.user
    summary = selectors.my_summary(user)
    context = {
        "summary": summary,
        "open_activities": list(selectors.open_activities_for(user)[:20]) if summary else [],
        "signups": list(selectors.my_signups(user)[:20]) if summary else [],
        "records": list(selectors.my_records(user)[:30]) if summary else [],
        "certificates": list(selectors.my_certificates(user)[:10]) if summary else [],
        "is_organiser": has_perm_anywhere(user, "volunteering.run_activity"),
        "is_counter": has_perm_anywhere(user, "volunteering.counter"),
        "is_reporter": has_perm_anywhere(user, "volunteering.report"),
        "is_consenter": has_perm_anywhere(user, "volunteering.consent"),
    }
    community = summary["volunteer"].community if summary else selectors.home_community(user)
    context["teams_to_join"] = list(selectors.teams_to_join(user, community)) if community else []
    return render(request, "volunteering/home.html", context)


@login_required
@never_cache
def my_code(request):
    """The code the counter scans: shown big, for ten minutes."""
    volunteer = selectors.my_volunteer(request.user)
    if volunteer is None:
        raise NotFound(_("您还没有注册为志愿者。"))
    code = selectors.member_code(volunteer)
    summary = selectors.my_summary(request.user)
    return render(request, "volunteering/my_code.html", {"code": code, "qr": qr_data_uri(code), "summary": summary})


@login_required
@require_POST
def join(request, team_id):
    team = Organisation.objects.filter(pk=team_id, kind=Organisation.Kind.VOLUNTEER_TEAM, is_active=True).first()
    if team is None:
        raise NotFound(_("找不到该志愿队伍。"))
    try:
        teams.apply_to_team(actor=request.user, team=team)
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已提交入队申请，等待队伍确认。"))
    return redirect("volunteering:home")


@login_required
@require_POST
def sign_up(request, activity_id, post_id):
    activity = selectors.open_activities_for(request.user).filter(pk=activity_id).first()
    post = activity.posts.filter(pk=post_id).first() if activity else None
    if post is None:
        raise NotFound(_("找不到可报名的活动。"))
    try:
        activities.sign_up(actor=request.user, activity=activity, post=post)
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("报名成功。活动现场扫码签到。"))
    return redirect("volunteering:home")


@login_required
@require_POST
def cancel_sign_up(request, signup_id):
    signup = selectors.my_signups(request.user).filter(pk=signup_id).first()
    if signup is None:
        raise NotFound(_("找不到该报名。"))
    try:
        activities.cancel_sign_up(actor=request.user, signup=signup)
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已取消报名，岗位已让给其他志愿者。"))
    return redirect("volunteering:home")


@login_required
@never_cache
def scan(request, code):
    """Where the phone's camera lands after scanning the organiser's code. GET asks, POST acts."""
    try:
        activity, direction = activities.read_code(code)
    except Invalid as error:
        return render(request, "volunteering/scan.html", {"error": error.detail}, status=400)
    if request.method == "POST":
        try:
            signup = activities.scan(actor=request.user, code=code)
        except (Invalid, Conflict, NotFound) as error:
            return render(request, "volunteering/scan.html", {"error": error.detail, "activity": activity}, status=409)
        return render(request, "volunteering/scan.html", {"activity": activity, "direction": direction,
                                                          "signup": signup, "done": True})
    return render(request, "volunteering/scan.html", {"activity": activity, "direction": direction, "code": code})


@login_required
@require_POST
def record_action(request, record_id):
    record = selectors.record_for(request.user, record_id)
    form = forms.RecordActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写理由。"))
    else:
        try:
            records.act(actor=request.user, record=record, action=form.cleaned_data["action"],
                        reason=form.cleaned_data["reason"], minutes=form.cleaned_data["minutes"])
        except RULE_BREAKS as error:
            _refused(request, error)
        else:
            _done(request, _("已%(action)s。") % {"action": WORKFLOW.transitions[form.cleaned_data["action"]].label})
    return redirect(request.POST.get("next") == "lead" and "volunteering:lead" or "volunteering:home")


# --- team leaders ---------------------------------------------------------------------------------


def _require(user, perm):
    if not has_perm_anywhere(user, perm):
        raise NotPermitted(_("您的角色不能使用此页面。"))


def _my_teams(user):
    teams_q = Organisation.objects.filter(kind=Organisation.Kind.VOLUNTEER_TEAM, is_active=True).order_by("name")
    return scoped(user, teams_q, "volunteering.run_activity")


@login_required
@never_cache
def lead(request):
    _require(request.user, "volunteering.run_activity")
    user = request.user
    return render(request, "volunteering/lead.html", {
        "applications": list(selectors.applications_for(user)[:50]),
        "activities": list(selectors.activities_for(user).filter(state=Activity.State.OPEN).order_by("starts_at")[:30]),
        "pending": list(selectors.records_for(user).filter(
            state__in=[ServiceRecord.State.PENDING, ServiceRecord.State.DISPUTED]).order_by("served_on", "pk")[:50]),
        "team_forms": [(team, forms.ActivityForm(prefix=f"team{team.pk}")) for team in _my_teams(user)],
    })


@login_required
@require_POST
def decide(request, member_id):
    member = selectors.member_for(request.user, member_id)
    form = forms.DecideForm(request.POST)
    form.is_valid()
    try:
        teams.decide_member(actor=request.user, member=member, accept=form.cleaned_data.get("accept", False),
                            reason=form.cleaned_data.get("reason", ""))
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已处理 %(name)s 的入队申请。") % {"name": member.volunteer.name})
    return redirect("volunteering:lead")


@login_required
@require_POST
def activity_create(request, team_id):
    team = _my_teams(request.user).filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("找不到该队伍。"))
    form = forms.ActivityForm(request.POST, prefix=f"team{team.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity = activities.create_activity(
                actor=request.user, team=team, title=data["title"], kind=data["kind"], content=data["content"],
                place=data["place"], starts_at=data["starts_at"], ends_at=data["ends_at"], for_minors=data["for_minors"],
                posts=[(data["post_name"], data["capacity"])])
        except RULE_BREAKS as error:
            add_to_form(form, error)
        else:
            _done(request, _("活动已发布。"))
            return redirect("volunteering:activity", activity_id=activity.pk)
    context = {"applications": [], "activities": [], "pending": [], "team_forms": [(team, form)]}
    return render(request, "volunteering/lead.html", context, status=400)


@login_required
@never_cache
def activity(request, activity_id, form=None):
    found = selectors.activity_for(request.user, activity_id)
    may_run = can(request.user, "volunteering.run_activity", found)
    roster = list(selectors.roster_of(request.user, found))
    manual = form or _manual_form(found)
    signed = {s.volunteer_id for s in roster}
    context = {"activity": found, "roster": roster, "may_run": may_run, "manual_form": manual,
               "posts": list(found.posts.all()),
               "unsigned": [(v, n) for v, n in manual.fields["volunteer"].choices if v not in signed] if may_run else [],
               "children": list(selectors.children_at(request.user, found)) if found.for_minors else [],
               "child_form": _child_form(request.user, found) if found.for_minors and may_run else None}
    return render(request, "volunteering/activity.html", context, status=400 if form else 200)


def _child_form(user, found, data=None):
    form = forms.ChildInForm(data)
    form.fields["consent"].choices = [(c.pk, f"{c.child_name}（{c.guardian_relation}：{c.guardian_name}）")
                                      for c in selectors.consents_for_activity(user, found)]
    return form


@login_required
@require_POST
def child_in(request, activity_id):
    found = selectors.activity_for(request.user, activity_id)
    form = _child_form(request.user, found, request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择儿童并填写送达的成年人。"))
    else:
        consent = selectors.consents_for_activity(request.user, found).filter(pk=form.cleaned_data["consent"]).first()
        if consent is None:
            raise NotFound(_("找不到该监护人同意。"))
        try:
            youth.child_sign_in(actor=request.user, activity=found, consent=consent, adult_name=form.cleaned_data["adult_name"])
        except RULE_BREAKS as error:
            _refused(request, error)
        else:
            _done(request, _("儿童已签到。"))
    return redirect("volunteering:activity", activity_id=found.pk)


@login_required
@require_POST
def child_out(request, attendance_id):
    attendance = selectors.child_attendance_for(request.user, attendance_id)
    form = forms.AdultForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("请填写接孩子的成年人姓名。"))
        youth.child_sign_out(actor=request.user, attendance=attendance, adult_name=form.cleaned_data["adult_name"])
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("儿童已签退。"))
    return redirect("volunteering:activity", activity_id=attendance.activity_id)


@login_required
@never_cache
def consents(request):
    """Community staff record and withdraw guardians' consents."""
    _require(request.user, "volunteering.consent")
    form = forms.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community = selectors.staff_community(request.user, "volunteering.consent")
        if community is None:
            raise NotPermitted(_("只有社区工作人员可以登记监护人同意。"))
        try:
            youth.record_consent(actor=request.user, community=community, **form.cleaned_data)
        except RULE_BREAKS as error:
            add_to_form(form, error)
        else:
            _done(request, _("已登记监护人同意。"))
            return redirect("volunteering:consents")
    return render(request, "volunteering/consents.html", {"form": form, "consents": list(selectors.consents_for(request.user))},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def consent_withdraw(request, consent_id):
    consent = selectors.consent_for(request.user, consent_id)
    try:
        youth.withdraw_consent(actor=request.user, consent=consent)
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已撤回监护人同意。"))
    return redirect("volunteering:consents")


def _direction(direction):
    if direction not in ("in", "out"):
        raise NotFound(_("找不到该页面。"))


def _manual_form(found, data=None):
    form = forms.ManualRecordForm(data)
    members = found.team.volunteer_members.filter(state="active").select_related("volunteer__user").order_by("pk")
    form.fields["volunteer"].choices = [(m.volunteer_id, m.volunteer.name) for m in members]
    return form


@login_required
@never_cache
def activity_qr(request, activity_id, direction):
    """The QR code fragment for the check-in screen (htmx refreshes it before it expires)."""
    _direction(direction)
    found = selectors.activity_for(request.user, activity_id)
    code = activities.checkin_code(actor=request.user, activity=found, direction=direction)
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[code]))
    return render(request, "volunteering/_qr.html", {"qr": qr_data_uri(url), "url": url, "direction": direction,
                                                     "activity": found})


@login_required
@require_POST
def attendance(request, signup_id, direction):
    _direction(direction)
    signup = selectors.signup_for(request.user, signup_id)
    try:
        done = (activities.check_in if direction == "in" else activities.check_out)(actor=request.user, signup=signup)
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        if direction == "out" and getattr(done, "record", None) is None:
            messages.warning(request, _("出勤不足活动时长的规定比例，本次不计时长。"))
        else:
            _done(request, _("已签到。") if direction == "in" else _("已签退。"))
    return redirect("volunteering:activity", activity_id=signup.activity_id)


@login_required
@require_POST
def sign_up_member(request, activity_id):
    """The organiser signs up a member of the team (an elder without a phone)."""
    found = selectors.activity_for(request.user, activity_id)
    volunteer_id = request.POST.get("volunteer", "")
    post = found.posts.filter(pk=request.POST.get("post") if str(request.POST.get("post", "")).isdigit() else 0).first()
    volunteer = selectors.volunteers_for(request.user).filter(pk=volunteer_id if volunteer_id.isdigit() else 0).first()
    if post is None or volunteer is None:
        raise NotFound(_("找不到该岗位或志愿者。"))
    try:
        activities.sign_up(actor=request.user, activity=found, post=post, volunteer=volunteer)
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已为 %(name)s 报名。") % {"name": volunteer.name})
    return redirect("volunteering:activity", activity_id=found.pk)


@login_required
@require_POST
def manual_record(request, activity_id):
    found = selectors.activity_for(request.user, activity_id)
    form = _manual_form(found, request.POST)
    if form.is_valid():
        try:
            volunteer = selectors.volunteer_for(request.user, form.cleaned_data["volunteer"])
            records.record_manual(actor=request.user, activity=found, volunteer=volunteer,
                                  minutes=form.cleaned_data["minutes"], reason=form.cleaned_data["reason"])
        except RULE_BREAKS as error:
            add_to_form(form, error)
        else:
            _done(request, _("已补录，待确认。"))
            return redirect("volunteering:activity", activity_id=found.pk)
    return activity(request, activity_id, form=form)


@login_required
@require_POST
def finish(request, activity_id):
    found = selectors.activity_for(request.user, activity_id)
    try:
        activities.finish_activity(actor=request.user, activity=found)
    except RULE_BREAKS as error:
        _refused(request, error)
    return redirect("volunteering:activity", activity_id=found.pk)


# --- the 雷锋超市 counter ---------------------------------------------------------------------------


@login_required
@never_cache
def counter(request):
    _require(request.user, "volunteering.counter")
    find = forms.FindForm(request.GET or None)
    volunteer = None
    if find.is_valid():
        volunteer = selectors.find_volunteer_at_counter(request.user, find.cleaned_data["who"])
        if volunteer is None:
            find.add_error("who", _("找不到该志愿者，请核对。"))
    if volunteer is None and request.GET.get("volunteer"):
        volunteer = selectors.volunteers_for(request.user, "volunteering.counter").filter(
            pk=request.GET["volunteer"] if request.GET["volunteer"].isdigit() else 0).first()
    balance = volunteer.account.balance if volunteer is not None and hasattr(volunteer, "account") else None
    return render(request, "volunteering/counter.html", {
        "find": find, "volunteer": volunteer, "balance": balance, "goods": list(selectors.goods_for(request.user)),
        "key": forms.new_key(), "good_form": forms.GoodForm(),
        "redemptions": list(selectors.redemptions_for(request.user).filter(
            community__in=selectors.goods_for(request.user).values("community"))[:20]),
    })


@login_required
@require_POST
def redeem(request):
    form = forms.RedeemForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("兑换信息不完整。"))
    good = selectors.good_for(request.user, form.cleaned_data["good"])
    volunteer = selectors.volunteer_for(request.user, form.cleaned_data["volunteer"], "volunteering.counter")
    try:
        done = shop.redeem(actor=request.user, volunteer=volunteer, good=good, quantity=form.cleaned_data["quantity"],
                           key=form.cleaned_data["key"])
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已兑换 %(good)s × %(n)s，扣 %(points)s 积分。") % {"good": good.name, "n": done.quantity,
                                                                          "points": done.points})
    return redirect(f"{reverse('volunteering:counter')}?volunteer={volunteer.pk}")


@login_required
@require_POST
def reverse_redemption(request, redemption_id):
    found = selectors.redemption_for(request.user, redemption_id)
    form = forms.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("冲正须说明理由。"))
        shop.reverse_redemption(actor=request.user, redemption=found, reason=form.cleaned_data["reason"])
    except RULE_BREAKS as error:
        _refused(request, error)
    else:
        _done(request, _("已冲正，积分与库存已退回。"))
    return redirect("volunteering:counter")


@login_required
@require_POST
def good_add(request):
    community = selectors.staff_community(request.user, "volunteering.counter")
    if community is None:
        raise NotPermitted(_("只有社区工作人员可以添加物品。"))
    form = forms.GoodForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("请填写物品名称和兑换积分。"))
        shop.add_good(actor=request.user, community=community, **form.cleaned_data)
    except RULE_BREAKS as error:
        _refused(request, error)
    return redirect("volunteering:counter")


@login_required
@require_POST
def restock(request, good_id):
    good = selectors.good_for(request.user, good_id)
    form = forms.RestockForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("入库数量须在 1 至 100 之间。"))
        shop.restock(actor=request.user, good=good, quantity=form.cleaned_data["quantity"], key=form.cleaned_data["key"])
    except RULE_BREAKS as error:
        _refused(request, error)
    return redirect("volunteering:counter")


# --- reports and certificates ----------------------------------------------------------------------


@login_required
@never_cache
def report(request):
    _require(request.user, "volunteering.report")
    return render(request, "volunteering/report.html", {
        "report": selectors.report_for(request.user),
        "may_certify": has_perm_anywhere(request.user, "volunteering.certify"),
    })


@login_required
@require_POST
def certify(request, volunteer_id):
    volunteer = selectors.volunteer_for(request.user, volunteer_id, "volunteering.certify")
    form = forms.CertificateForm(request.POST)
    if form.is_valid():
        try:
            certificate = certificates.issue_certificate(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except RULE_BREAKS as error:
            _refused(request, error)
        else:
            return redirect("volunteering:certificate", number=certificate.number)
    else:
        messages.error(request, _("请填写起止日期。"))
    return redirect("volunteering:report")


@login_required
@never_cache
def certificate(request, number):
    """The printable certificate, for its volunteer and the staff who may see it."""
    found = selectors.my_certificates(request.user).filter(number=number).first()
    if found is None:
        found = get_or_404(request.user, Certificate.objects.all(), "volunteering.view", number=number)
    url = request.build_absolute_uri(reverse("volunteering:verify", args=[found.number, found.code]))
    return render(request, "volunteering/certificate.html", {"certificate": found, "qr": qr_data_uri(url), "url": url})


@login_required
def certificate_pdf(request, number):
    """The certificate as a PDF to print or send."""
    found = selectors.my_certificates(request.user).filter(number=number).first()
    if found is None:
        found = get_or_404(request.user, Certificate.objects.all(), "volunteering.view", number=number)
    url = request.build_absolute_uri(reverse("volunteering:verify", args=[found.number, found.code]))
    return pdf.response(certificates.render_pdf(certificate=found, verify_url=url, qr_data_uri=qr_data_uri(url)),
                        filename=f"certificate-{found.number}.pdf")


def verify(request, number=None, code=None):
    """Public: anyone checks a certificate by number and code, without logging in."""
    form = forms.VerifyForm(request.GET or None)
    if number is None and form.is_valid():
        number, code = form.cleaned_data["number"], form.cleaned_data["code"]
    found = selectors.certificate_public(number, code) if number and code else None
    context = {"form": form, "certificate": found, "asked": bool(number),
               "hashes": selectors.published_hashes(found.community_id) if found else []}
    response = render(request, "volunteering/verify.html", context, status=200 if found or not number else 404)
    response["Cache-Control"] = "no-store"
    return response


def ledger_public(request, community_code):
    """Public: the points ledger's latest hashes, as published each day."""
    from liulin.territory.models import Area

    community = Area.objects.filter(code=community_code, kind=Area.Kind.COMMUNITY).first()
    if community is None:
        raise NotFound(_("找不到该社区。"))
    return render(request, "volunteering/ledger_public.html", {
        "community": community, "hashes": selectors.published_hashes(community.pk, limit=30)})
