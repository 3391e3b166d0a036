"""Day care API (/api/v1/daycare): centres and their places, today's elders, enrolment and
the waiting list, check-in (staff, or the family's QR code), the care log, health notes
(care staff only, each read logged) and the monthly report. Errors are {detail, code}."""

from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from liulin.core import clock
from liulin.core.errors import NotFound
from liulin.core.permissions import get_or_404
from liulin.core.schemas import ERRORS
from liulin.people.models import Resident

from . import selectors, services
from .models import Attendance, Centre
from .schemas import (
    CareLogIn,
    CareLogOut,
    CentreOut,
    DaycareApplyIn,
    DaycareAttendanceOut,
    DaycareCodeIn,
    DaycareEnrolIn,
    DaycareEnrolmentOut,
    DaycareReasonIn,
    DaycareReportOut,
    HealthOut,
    PlaceOut,
)

router = Router(tags=["daycare"])


def _out(user, enrolment, today=None):
    named = (services.is_care_staff(user, enrolment.centre) or services.manages(user, enrolment.centre)
             or services.is_family(user, enrolment))
    return {"id": enrolment.pk, "centre_id": enrolment.centre_id, "state": enrolment.state, "days": enrolment.weekdays,
            "elder_name": enrolment.elder.name if named else "", "today": today}


@router.get("/centres", response=list[CentreOut], summary="我可查看的日间照料中心")
def centres(request):
    return list(selectors.centres_for(request.user))


@router.get("/centres/{int:centre_id}/places", response=list[PlaceOut], summary="每日名额与占用")
def places(request, centre_id: int):
    return selectors.places(selectors.centre_for(request.user, centre_id))


@router.get("/centres/{int:centre_id}/today", response=list[DaycareEnrolmentOut], summary="今日计划到站的长辈")
def today(request, centre_id: int):
    centre = selectors.centre_for(request.user, centre_id)
    return [_out(request.user, e, e.today) for e in selectors.today_board(centre)]


@router.get("/centres/{int:centre_id}/waiting", response=list[DaycareEnrolmentOut], summary="候补名单（按登记先后）")
def waiting(request, centre_id: int):
    centre = selectors.centre_for(request.user, centre_id)
    return [_out(request.user, e) for e in selectors.waiting_list(centre)[:200]]


@router.post("/centres/{int:centre_id}/enrolments", response={201: DaycareEnrolmentOut, **ERRORS}, summary="登记长辈（满额则候补）")
def enrol(request, centre_id: int, payload: DaycareEnrolIn):
    centre = selectors.centre_for(request.user, centre_id)
    elder = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.elder_id)
    enrolment = services.enrol(actor=request.user, centre=centre, elder=elder, days=payload.days, care_tags=payload.care_tags,
                               care_plan=payload.care_plan, health_notes=payload.health_notes)
    return Status(201, _out(request.user, enrolment))


@router.post("/applications", response={201: DaycareEnrolmentOut, **ERRORS},
             summary="家属或网格员代长辈申请托老（候补，待中心评估入托）")
def apply(request, payload: DaycareApplyIn):
    choices = dict(selectors.application_choices(request.user))
    elder = next((e for e in choices if e.pk == payload.elder_id), None)
    if elder is None:
        raise NotFound(_("您没有该长辈的日间照料代办授权。"))
    centre = Centre.objects.filter(pk=payload.centre_id).first()
    if centre is None:
        raise NotFound(_("找不到该中心。"))
    enrolment = services.apply_for(actor=request.user, centre=centre, elder=elder, days=payload.days, note=payload.note)
    return Status(201, _out(request.user, enrolment))


@router.get("/enrolments/mine", response=list[DaycareEnrolmentOut], summary="我家长辈（家属）")
def mine(request):
    today_rows = {a.enrolment_id: a for a in Attendance.objects.filter(
        enrolment__in=selectors.family_enrolments(request.user), day=clock.today())}
    return [_out(request.user, e, today_rows.get(e.pk)) for e in selectors.family_enrolments(request.user)]


@router.post("/enrolments/{int:enrolment_id}/actions/{action}", response={200: DaycareEnrolmentOut, **ERRORS}, summary="入托、暂停、恢复、结束")
def act(request, enrolment_id: int, action: str, payload: DaycareReasonIn):
    if action not in services.ENROLMENT_WORKFLOW.transitions:
        raise NotFound("没有这个操作。", code="unknown_action")
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    return _out(request.user, services.act(actor=request.user, enrolment=enrolment, action=action, reason=payload.reason))


@router.post("/enrolments/{int:enrolment_id}/check-in", response={201: DaycareAttendanceOut, **ERRORS}, summary="照护人员签到")
def check_in(request, enrolment_id: int):
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    return Status(201, services.check_in(actor=request.user, enrolment=enrolment))


@router.post("/check-in", response={201: DaycareAttendanceOut, **ERRORS}, summary="家属扫码签到（二维码中的签到码）")
def check_in_by_code(request, payload: DaycareCodeIn):
    enrolment = services.enrolment_from_code(payload.code)
    if not services.may_see(request.user, enrolment):
        raise NotFound("二维码无效。")
    return Status(201, services.check_in(actor=request.user, enrolment=enrolment))


@router.post("/attendances/{int:attendance_id}/check-out", response={200: DaycareAttendanceOut, **ERRORS}, summary="离站")
def check_out(request, attendance_id: int):
    attendance = Attendance.objects.filter(pk=attendance_id, enrolment__in=selectors.enrolments_for(request.user)).first()
    if attendance is None:
        raise NotFound("找不到该记录，或您无权查看。")
    return services.check_out(actor=request.user, attendance=attendance)


@router.get("/enrolments/{int:enrolment_id}/log", response=list[CareLogOut], summary="当日照护记录（家属与照护人员）")
def day_log(request, enrolment_id: int):
    return selectors.day_log(selectors.enrolment_for(request.user, enrolment_id))


@router.post("/enrolments/{int:enrolment_id}/log", response={201: CareLogOut, **ERRORS}, summary="写照护记录（用餐、活动、测量、意外）")
def log(request, enrolment_id: int, payload: CareLogIn):
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    return Status(201, services.log_care(actor=request.user, enrolment=enrolment, kind=payload.kind, text=payload.text,
                                         value=payload.value, unit=payload.unit))


@router.post("/enrolments/{int:enrolment_id}/health", response={200: HealthOut, **ERRORS}, summary="查看健康备注（仅照护人员，留痕）")
def health(request, enrolment_id: int, payload: DaycareReasonIn):
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    return {"health_notes": services.reveal_health(actor=request.user, enrolment=enrolment, reason=payload.reason)}


@router.get("/centres/{int:centre_id}/report", response=DaycareReportOut, summary="月度出勤与服务报表")
def report(request, centre_id: int, month: str = ""):
    import datetime

    centre = selectors.centre_for(request.user, centre_id)
    try:
        day = datetime.date.fromisoformat(f"{month}-01") if month else clock.today()
    except ValueError:
        from liulin.core.errors import Invalid

        raise Invalid("月份格式为 YYYY-MM。", field="month") from None
    found = selectors.monthly_report(centre, clock.bounded(day, field="month"))
    rows = [{"enrolment_id": r["enrolment"].pk, **{k: r[k] for k in ("planned", "came", "meals", "readings", "incidents")}}
            for r in found["rows"]]
    return {"month": found["start"], **found["totals"], "rows": rows}
