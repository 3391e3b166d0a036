"""Volunteering API (/api/v1/volunteering): the volunteer's own hours, points and code; team
leaders' activities, check-in and records; the 雷锋超市 counter; certificates (verified
publicly); reports. Errors are {detail, code}."""

from django.urls import reverse
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core.errors import NotFound
from liulin.core.permissions import get_or_404
from liulin.core.schemas import ERRORS
from liulin.orgs.models import Organisation

from . import schemas as s
from . import selectors
from .services import activities, certificates, records, shop, teams, youth

router = Router(tags=["volunteering"])


def _me(request):
    volunteer = selectors.my_volunteer(request.user)
    if volunteer is None:
        raise NotFound("您还没有注册为志愿者。", code="not_a_volunteer")
    return volunteer


@router.get("/me", response={200: s.SummaryOut, **ERRORS}, summary="我的时长、积分、星级与队伍")
def me(request):
    summary = selectors.my_summary(request.user)
    if summary is None:
        raise NotFound("您还没有注册为志愿者。", code="not_a_volunteer")
    return {**summary, "volunteer_id": summary["volunteer"].pk}


@router.get("/me/records", response=list[s.RecordOut], summary="我的服务记录")
@paginate
def my_records(request):
    return selectors.my_records(request.user).select_related("volunteer__user")


@router.get("/me/points", response=list[s.LedgerEntryOut], summary="我的积分明细（最近 50 笔）")
def my_points(request):
    return selectors.my_entries(request.user)


@router.get("/me/code", response={200: s.MemberCodeOut, **ERRORS}, summary="雷锋超市兑换时出示的积分码（10 分钟有效）")
def my_code(request):
    return {"code": selectors.member_code(_me(request))}


@router.get("/teams", response=list[s.VolunteerTeamOut], summary="本社区可申请加入的志愿队伍")
def teams_to_join(request):
    volunteer = selectors.my_volunteer(request.user)
    community = volunteer.community if volunteer else selectors.home_community(request.user)
    return list(selectors.teams_to_join(request.user, community)) if community else []


@router.post("/teams/{int:team_id}/apply", response={201: s.TeamMembershipOut, **ERRORS}, summary="申请加入志愿队伍")
def apply(request, team_id: int):
    team = Organisation.objects.filter(pk=team_id, kind=Organisation.Kind.VOLUNTEER_TEAM, is_active=True).first()
    if team is None:
        raise NotFound("找不到该志愿队伍。")
    return Status(201, teams.apply_to_team(actor=request.user, team=team))


@router.post("/teams/{int:team_id}/enrol", response={201: s.TeamMembershipOut, **ERRORS},
             summary="登记没有手机的居民为队员（队长或社区工作人员）")
def enrol(request, team_id: int, payload: s.VolunteerEnrolIn):
    from liulin.people.models import Resident

    team = get_or_404(request.user, Organisation.objects.all(), "volunteering.decide_member", pk=team_id)
    resident = get_or_404(request.user, Resident.objects.select_related("household"), "people.view", pk=payload.resident_id)
    return Status(201, teams.enrol_resident(actor=request.user, team=team, resident=resident))


@router.get("/applications", response=list[s.ApplicationOut], summary="待确认的入队申请")
@paginate
def applications(request):
    return selectors.applications_for(request.user)


@router.post("/applications/{int:member_id}/decide", response={200: s.TeamMembershipOut, **ERRORS}, summary="确认或不通过入队申请")
def decide(request, member_id: int, payload: s.DecideIn):
    member = selectors.member_for(request.user, member_id)
    return teams.decide_member(actor=request.user, member=member, accept=payload.accept, reason=payload.reason)


@router.get("/activities", response=list[s.VolunteerActivityOut], summary="活动（组织者与社区：辖区内；志愿者：可报名的）")
@paginate
def activity_list(request, open_to_me: bool = False):
    rows = selectors.open_activities_for(request.user) if open_to_me else selectors.activities_for(request.user)
    return rows.prefetch_related("posts")


@router.post("/activities", response={201: s.VolunteerActivityOut, **ERRORS}, summary="发布活动（含岗位与人数）")
def activity_create(request, payload: s.VolunteerActivityIn):
    team = get_or_404(request.user, Organisation.objects.all(), "volunteering.run_activity", pk=payload.team_id)
    activity = activities.create_activity(
        actor=request.user, team=team, title=payload.title, content=payload.content, place=payload.place,
        kind=payload.kind, starts_at=payload.starts_at, ends_at=payload.ends_at, for_minors=payload.for_minors,
        points_per_hour=payload.points_per_hour, posts=[(p.name, p.capacity) for p in payload.posts])
    return Status(201, activity)


@router.get("/activities/{int:activity_id}", response={200: s.VolunteerActivityOut, **ERRORS}, summary="活动详情")
def activity_detail(request, activity_id: int):
    found = selectors.open_activities_for(request.user).filter(pk=activity_id).first()
    return found or selectors.activity_for(request.user, activity_id)


def _open_activity(request, activity_id):
    activity = selectors.open_activities_for(request.user).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound("找不到可报名的活动。")
    return activity


@router.post("/activities/{int:activity_id}/signups", response={201: s.SignUpOut, **ERRORS}, summary="报名")
def sign_up(request, activity_id: int, payload: s.SignUpIn):
    activity = _open_activity(request, activity_id)
    post = activity.posts.filter(pk=payload.post_id).first()
    if post is None:
        raise NotFound("找不到该岗位。")
    return Status(201, activities.sign_up(actor=request.user, activity=activity, post=post))


@router.post("/signups/{int:signup_id}/cancel", response={200: s.SignUpOut, **ERRORS},
             summary="取消报名（本人，或活动组织者；签到前）")
def cancel_sign_up(request, signup_id: int):
    signup = selectors.signup_for(request.user, signup_id)
    return activities.cancel_sign_up(actor=request.user, signup=signup)


@router.post("/activities/{int:activity_id}/code", response={200: s.CodeOut, **ERRORS}, summary="组织者生成签到或签退二维码内容")
def activity_code(request, activity_id: int, payload: s.CodeIn):
    activity = selectors.activity_for(request.user, activity_id)
    code = activities.checkin_code(actor=request.user, activity=activity, direction=payload.direction)
    return {"code": code, "url": request.build_absolute_uri(reverse("volunteering:scan", args=[code]))}


@router.post("/scan", response={200: s.CheckOutOut, **ERRORS}, summary="志愿者扫码签到或签退")
def scan(request, payload: s.ScanIn):
    signup = activities.scan(actor=request.user, code=payload.code)
    return _signup_out(signup)


def _signup_out(signup):
    record = getattr(signup, "record", None)
    return {**{f: getattr(signup, f) for f in ("id", "activity_id", "post_id", "state", "checked_in_at", "checked_out_at")},
            "record_id": record.pk if record else None}


@router.post("/signups/{int:signup_id}/check-in", response={200: s.CheckOutOut, **ERRORS}, summary="组织者代为签到（无手机的长辈）")
def check_in(request, signup_id: int):
    signup = selectors.signup_for(request.user, signup_id)
    return _signup_out(activities.check_in(actor=request.user, signup=signup))


@router.post("/signups/{int:signup_id}/check-out", response={200: s.CheckOutOut, **ERRORS}, summary="组织者代为签退")
def check_out(request, signup_id: int):
    signup = selectors.signup_for(request.user, signup_id)
    return _signup_out(activities.check_out(actor=request.user, signup=signup))


@router.get("/records", response=list[s.RecordOut], summary="服务记录（辖区内，可按状态筛选）")
@paginate
def record_list(request, state: str | None = None):
    return selectors.records_for(request.user, state=state)


@router.post("/records", response={201: s.RecordOut, **ERRORS}, summary="组织者补录时长（须说明理由，不超过活动时长）")
def record_create(request, payload: s.ManualRecordIn):
    activity = selectors.activity_for(request.user, payload.activity_id)
    volunteer = selectors.volunteer_for(request.user, payload.volunteer_id)
    record = records.record_manual(actor=request.user, activity=activity, volunteer=volunteer, minutes=payload.minutes,
                                   reason=payload.reason)
    return Status(201, record)


@router.post("/records/{int:record_id}/actions", response={200: s.RecordOut, **ERRORS},
             summary="确认、作废、提出异议、维持或更正一条服务记录")
def record_action(request, record_id: int, payload: s.RecordActionIn):
    record = selectors.record_for(request.user, record_id)
    return records.act(actor=request.user, record=record, action=payload.action, reason=payload.reason,
                       minutes=payload.minutes)


@router.get("/goods", response=list[s.GoodOut], summary="雷锋超市物品")
def goods(request):
    return list(selectors.goods_for(request.user))


@router.post("/goods", response={201: s.GoodOut, **ERRORS}, summary="添加物品")
def good_create(request, payload: s.GoodIn):
    community = selectors.staff_community(request.user, "volunteering.counter")
    if community is None:
        raise NotFound("只有社区工作人员可以添加物品。")
    return Status(201, shop.add_good(actor=request.user, community=community, name=payload.name,
                                     price_points=payload.price_points))


@router.post("/goods/{int:good_id}/restock", response={200: s.GoodOut, **ERRORS}, summary="入库")
def good_restock(request, good_id: int, payload: s.RestockIn):
    good = selectors.good_for(request.user, good_id)
    shop.restock(actor=request.user, good=good, quantity=payload.quantity, key=payload.key)
    good.refresh_from_db()
    return good


@router.post("/redemptions", response={201: s.RedemptionOut, **ERRORS}, summary="柜台兑换：扣积分与库存（同一过账键只兑换一次）")
def redeem(request, payload: s.RedeemIn):
    good = selectors.good_for(request.user, payload.good_id)
    volunteer = selectors.find_volunteer_at_counter(request.user, payload.who)
    if volunteer is None:
        raise NotFound("找不到该志愿者。", code="volunteer_not_found")
    return Status(201, shop.redeem(actor=request.user, volunteer=volunteer, good=good, quantity=payload.quantity,
                                   key=payload.key))


@router.post("/redemptions/{int:redemption_id}/reverse", response={200: s.RedemptionOut, **ERRORS}, summary="冲正兑换（须说明理由）")
def redemption_reverse(request, redemption_id: int, payload: s.ReverseIn):
    redemption = selectors.redemption_for(request.user, redemption_id)
    return shop.reverse_redemption(actor=request.user, redemption=redemption, reason=payload.reason)


@router.post("/deeds", response={201: s.PostingOut, **ERRORS}, summary="记录好人好事积分")
def deed(request, payload: s.DeedIn):
    volunteer = selectors.volunteer_for(request.user, payload.volunteer_id, "volunteering.deed")
    return Status(201, shop.award_deed(actor=request.user, volunteer=volunteer, points=payload.points,
                                       reason=payload.reason, key=payload.key))


@router.post("/certificates", response={201: s.IssuedCertificateOut, **ERRORS}, summary="出具志愿服务证明")
def certificate_issue(request, payload: s.CertificateIn):
    volunteer = selectors.volunteer_for(request.user, payload.volunteer_id, "volunteering.certify")
    certificate = certificates.issue_certificate(actor=request.user, volunteer=volunteer, period_from=payload.period_from,
                                                 period_to=payload.period_to)
    url = request.build_absolute_uri(reverse("volunteering:verify", args=[certificate.number, certificate.code]))
    return Status(201, {**{f: getattr(certificate, f) for f in s.CertificateOut.model_fields}, "verify_url": url})


@router.get("/certificates/verify", auth=None, response={200: s.CertificateOut, **ERRORS},
            summary="公开核验志愿服务证明（编号与核验码，无需登录）")
def certificate_verify(request, number: str, code: str):
    found = selectors.certificate_public(number[:32], code[:32])
    if found is None:
        raise NotFound("证明编号或核验码不符。", code="certificate_not_found")
    return found


@router.get("/report", response=s.ReportOut, summary="服务时长统计：按队伍、月份、志愿者")
def report(request):
    return selectors.report_for(request.user)


@router.post("/consents", response={201: s.ConsentOut, **ERRORS}, summary="登记监护人同意（14 岁以下儿童参加）")
def consent_create(request, payload: s.ConsentIn):
    community = selectors.staff_community(request.user, "volunteering.consent")
    if community is None:
        raise NotFound("只有社区工作人员可以登记监护人同意。")
    return Status(201, youth.record_consent(actor=request.user, community=community, **payload.dict()))


@router.post("/activities/{int:activity_id}/children", response={201: s.ChildAttendanceOut, **ERRORS},
             summary="儿童签到（须有监护人同意，由成年人送达）")
def child_in(request, activity_id: int, payload: s.ChildInIn):
    activity = selectors.activity_for(request.user, activity_id)
    consent = selectors.consent_for(request.user, payload.consent_id)
    return Status(201, youth.child_sign_in(actor=request.user, activity=activity, consent=consent,
                                           adult_name=payload.adult_name))


@router.post("/children/{int:attendance_id}/sign-out", response={200: s.ChildAttendanceOut, **ERRORS},
             summary="儿童签退（由成年人接走）")
def child_out(request, attendance_id: int, payload: s.ChildOutIn):
    attendance = selectors.child_attendance_for(request.user, attendance_id)
    return youth.child_sign_out(actor=request.user, attendance=attendance, adult_name=payload.adult_name)
