"""Activities API (/api/v1/activities): classes and events, fair enrolment, the waiting list,
check-in and teams. Every list is scoped (selectors); errors are {detail, code}."""

from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core.errors import NotFound
from liulin.core.permissions import get_or_404
from liulin.people.models import Resident
from liulin.territory.models import Facility

from . import selection as selection_services
from . import selectors, services
from .models import Activity, Course, Term
from .schemas import (
    ActivityIn,
    ActivityOut,
    ActivityReasonIn,
    CheckInIn,
    CheckInOut,
    EnrolIn,
    EnrolmentOut,
    FamilyLinkIn,
    FamilyLinkOut,
    NominateIn,
    NominationOut,
    ReviewIn,
    ScoreIn,
    SelectionBallotOut,
    SelectionOut,
    SelectionVoteIn,
    SignOutIn,
    TeamOut,
)
from .workflow import ACTIVITY_WORKFLOW, PERSON_ACTIONS

router = Router(tags=["activities"])


def _activity(request, activity_id):
    return selectors.activity_for(request.user, activity_id)


def _resident(request, resident_id, activity=None):
    """A resident the caller may enrol: one he acts for, or (counter staff) one in scope."""
    found = selectors.people_i_act_for(request.user).filter(pk=resident_id).first()
    if found is None:
        found = get_or_404(request.user, Resident.objects.select_related("household"), "people.view", pk=resident_id)
    return found


def _enrolment_out(enrolment, *, with_code=False):
    enrolment.position = services.waiting_position(enrolment)
    enrolment.checkin_code = services.checkin_code(enrolment) if with_code else None
    return enrolment


@router.get("/", response=list[ActivityOut], summary="班级与活动列表")
@paginate
def activity_list(request, kind: Activity.Kind | None = None, state: Activity.State | None = None):
    return selectors.activities_for(request.user, kind=kind, state=state)


@router.get("/teams", response=list[TeamOut], summary="文体队伍（成员数、党员数、训练时间）")
def team_list(request):
    teams = list(selectors.teams_for(request.user))
    practices = selectors.practices_of(teams)
    for team in teams:
        team.practices = [f"{p.weekday_label} {p.starts:%H:%M}-{p.ends:%H:%M} {p.facility.name}" for p in practices.get(team.pk, [])]
    return teams


@router.get("/enrolments/mine", response=list[EnrolmentOut], summary="我和家人的报名（含候补排位与签到码）")
def my_enrolments(request):
    return [_enrolment_out(e, with_code=True) for e in selectors.my_enrolments(request.user)[:200]]


@router.post("/enrolments/{int:enrolment_id}/actions/{action}", response=EnrolmentOut, summary="确认/放弃递补，取消报名或退出候补")
def enrolment_action(request, enrolment_id: int, action: str, payload: ActivityReasonIn):
    if action not in PERSON_ACTIONS:
        raise NotFound("没有这个操作。", code="unknown_action")
    enrolment = selectors.enrolment_for(request.user, enrolment_id)
    enrolment = services.act_on_enrolment(actor=request.user, enrolment=enrolment, action=action, reason=payload.reason)
    return _enrolment_out(enrolment)


@router.post("/attendances/{int:attendance_id}/sign-out", response=CheckInOut, summary="未成年人签退（接走的成年人姓名）")
def sign_out(request, attendance_id: int, payload: SignOutIn):
    attendance = services.sign_out(actor=request.user, attendance=selectors.attendance_for(request.user, attendance_id),
                                   adult=payload.adult)
    return _checkin_out(attendance, repeat=False)


@router.post("/family-links", response={201: FamilyLinkOut}, summary="核验监护人/家属关系")
def family_link(request, payload: FamilyLinkIn):
    resident = get_or_404(request.user, Resident.objects.select_related("household"), "people.view", pk=payload.resident_id)
    relative = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.relative_id)
    return Status(201, services.link_family(actor=request.user, resident=resident, relative=relative, kind=payload.kind))


@router.get("/selections", response=list[SelectionOut], summary="好家风评比列表")
def selection_list(request):
    return list(selectors.selections_for(request.user)[:50])


@router.get("/selections/{int:selection_id}", response=SelectionOut,
            summary="好家风评比详情；公示（期限、异议与答复）在 /api/v1/notices/{notice_id}")
def selection_detail(request, selection_id: int):
    return selectors.selection_for(request.user, selection_id)


@router.get("/selections/{int:selection_id}/nominations", response=list[NominationOut], summary="候选家庭（审核通过的）")
def selection_candidates(request, selection_id: int):
    return list(selectors.candidates(selectors.selection_for(request.user, selection_id)))


@router.post("/selections/{int:selection_id}/nominations", response={201: NominationOut}, summary="推荐好家风家庭")
def selection_nominate(request, selection_id: int, payload: NominateIn):
    from liulin.territory.models import Household

    selection = selectors.selection_for(request.user, selection_id)
    if payload.household_id is not None:
        household = get_or_404(request.user, Household.objects.all(), "territory.view", pk=payload.household_id)
    else:
        resident = getattr(request.user, "resident", None)
        if resident is None or not resident.household_id:
            raise NotFound("您没有登记的家庭。", code="no_household")
        household = resident.household
    return Status(201, selection_services.nominate(actor=request.user, selection=selection, household=household,
                                                   family_name=payload.family_name, story=payload.story))


@router.post("/selections/{int:selection_id}/vote", response={201: SelectionBallotOut}, summary="实名投票（每人每天一票）")
def selection_vote(request, selection_id: int, payload: SelectionVoteIn):
    selection = selectors.selection_for(request.user, selection_id)
    chosen = list(selectors.candidates(selection, all_states=True).filter(pk__in=payload.nomination_ids))
    if len(chosen) != len(set(payload.nomination_ids)):
        raise NotFound("找不到所选的家庭。", code="not_a_candidate")
    return Status(201, selection_services.vote(actor=request.user, selection=selection, nominations=chosen))


@router.post("/selections/{int:selection_id}/actions/{action}", response=SelectionOut, summary="推进评比：审核、投票、公示、公布")
def selection_action(request, selection_id: int, action: str):
    from .workflow import SELECTION_WORKFLOW

    if action not in SELECTION_WORKFLOW.transitions:
        raise NotFound("没有这个操作。", code="unknown_action")
    return selection_services.act_on_selection(actor=request.user, selection=selectors.selection_for(request.user, selection_id),
                                               action=action)


@router.post("/selections/nominations/{int:nomination_id}/review", response=NominationOut, summary="资格审核")
def selection_review(request, nomination_id: int, payload: ReviewIn):
    return selection_services.review(actor=request.user, nomination=selectors.nomination_for(request.user, nomination_id),
                                     accept=payload.accept, reason=payload.reason)


@router.post("/selections/nominations/{int:nomination_id}/score", response={201: None}, summary="评委评分（0–100）")
def selection_score(request, nomination_id: int, payload: ScoreIn):
    selection_services.score(actor=request.user, nomination=selectors.nomination_for(request.user, nomination_id), value=payload.score)
    return Status(201, None)


@router.post("/", response={201: ActivityOut}, summary="新建班级或活动（筹备中）")
def activity_create(request, payload: ActivityIn):
    from liulin.core.permissions import get_or_404 as scoped_get
    from liulin.orgs.models import Organisation
    from liulin.territory.models import Area

    facility = scoped_get(request.user, Facility.objects.all(), "territory.view", pk=payload.facility_id) if payload.facility_id else None
    organiser = scoped_get(request.user, Organisation.objects.all(), "orgs.view", pk=payload.organiser_id) if payload.organiser_id else None
    course = Course.objects.filter(pk=payload.course_id).first() if payload.course_id else None
    term = Term.objects.filter(pk=payload.term_id).first() if payload.term_id else None
    community = facility.community if facility else (organiser.community if organiser and organiser.community_id else None)
    if community is None:
        areas = [a.area for a in request.user.role_assignments.filter(active=True, area__kind=Area.Kind.COMMUNITY).select_related("area")]
        community = areas[0] if areas else None
    if community is None:
        raise NotFound("请指定场地或主办组织，以确定所属社区。", code="no_community")
    for found, name in ((course, "course"), (term, "term")):
        if found is not None and found.community_id != community.pk:
            raise NotFound("找不到该课程或学期。", code=f"no_{name}")
    activity = services.create_activity(
        actor=request.user, community=community, kind=payload.kind, title=payload.title, description=payload.description,
        starts_at=payload.starts_at, ends_at=payload.ends_at, capacity=payload.capacity, reserved=payload.reserved,
        hold_hours=payload.hold_hours, cancel_cutoff_hours=payload.cancel_cutoff_hours, min_age=payload.min_age,
        max_age=payload.max_age, facility=facility, organiser=organiser, course=course, term=term,
        slots=[(s.weekday, s.starts, s.ends) for s in payload.slots],
    )
    return Status(201, selectors.activity_for(request.user, activity.pk))


@router.get("/{int:activity_id}", response=ActivityOut, summary="班级或活动详情")
def activity_detail(request, activity_id: int):
    return _activity(request, activity_id)


@router.post("/{int:activity_id}/actions/{action}", response=ActivityOut, summary="开放、截止、结束或取消")
def activity_action(request, activity_id: int, action: str, payload: ActivityReasonIn):
    if action not in ACTIVITY_WORKFLOW.transitions:
        raise NotFound("没有这个操作。", code="unknown_action")
    activity = services.act_on_activity(actor=request.user, activity=_activity(request, activity_id), action=action,
                                        reason=payload.reason, public_value=payload.public_value)
    return selectors.activity_for(request.user, activity.pk)


@router.post("/{int:activity_id}/enrol", response={201: EnrolmentOut}, summary="报名（本人、家属代报或柜台代办）")
def enrol(request, activity_id: int, payload: EnrolIn):
    activity = selectors.activity_for(request.user, activity_id, figures=False)
    resident = _resident(request, payload.resident_id, activity)
    consent_by = _resident(request, payload.consent_by_id) if payload.consent_by_id else None
    enrolment = services.enrol(actor=request.user, activity=activity, resident=resident, consent_by=consent_by,
                               safety_pledge=payload.safety_pledge, id_number=payload.id_number)
    return Status(201, _enrolment_out(enrolment, with_code=services.acts_for(request.user, resident) is not None))


@router.get("/{int:activity_id}/enrolments", response=list[EnrolmentOut], summary="报名名单（组织者）")
def roster(request, activity_id: int):
    activity = _activity(request, activity_id)
    return [_enrolment_out(e) for e in selectors.roster(request.user, activity)[:1000]]


def _checkin_out(attendance, *, repeat):
    return {
        "attendance_id": attendance.pk, "enrolment_id": attendance.enrolment_id, "name": attendance.enrolment.resident.name,
        "repeat": repeat, "at": timezone.localtime(attendance.at), "by": attendance.by.name, "method": attendance.method,
    }


@router.post("/{int:activity_id}/check-in", response=CheckInOut, summary="签到：扫码、签到码、身份证号或点名")
def check_in(request, activity_id: int, payload: CheckInIn):
    activity = _activity(request, activity_id)
    enrolment = None
    if payload.enrolment_id:
        enrolment = selectors.roster(request.user, activity).filter(pk=payload.enrolment_id).first()
        if enrolment is None:
            raise NotFound("本活动没有这位报名人。", code="not_enrolled")
    attendance, repeat = services.check_in(actor=request.user, activity=activity, code=payload.code,
                                           id_number=payload.id_number, enrolment=enrolment, adult=payload.adult)
    return _checkin_out(attendance, repeat=repeat)
