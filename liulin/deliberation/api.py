"""议事 API (/api/v1/deliberation): meetings, replies, sign-in, polls, decisions with their
action items, minutes. Reads through the selectors, writes through the services; errors
{detail, code}."""

from django.utils.translation import gettext
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from liulin.core.errors import NotFound
from liulin.core.permissions import NOT_FOUND, can, get_or_404
from liulin.core.schemas import ERRORS
from liulin.people.models import Resident
from liulin.territory.models import Area, Building, Estate, Facility

from . import committees, matters, mediation, selectors, services
from .models import Decision
from .schemas import (
    ActionIn,
    ActionItemOut,
    AgendaIn,
    AgendaOut,
    AmendmentIn,
    AmendmentOut,
    AttendanceOut,
    BallotIn,
    BallotOut,
    CaseActionIn,
    CaseIn,
    CaseOut,
    CommitteeDecisionOut,
    CommitteeMeetingIn,
    CommitteeMeetingOut,
    DecisionIn,
    DecisionOut,
    FilingIn,
    FollowUpIn,
    InvitationOut,
    InviteIn,
    ItemActionIn,
    MatterActionIn,
    MatterIn,
    MatterOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingKind,
    MeetingOut,
    MinutesIn,
    NotesIn,
    PartyOut,
    PollIn,
    PollOut,
    ResultsOut,
    RsvpIn,
    SignInForIn,
    SignInIn,
    StepOut,
    TermIn,
    TermOut,
)

router = Router(tags=["deliberation"])


def _one(queryset, pk):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext(NOT_FOUND))
    return found


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, summary="议事会议列表（按角色范围；居民看本小区和本社区的）")
@paginate
def meeting_list(request, kind: MeetingKind | None = None):
    return selectors.meetings_for(request.user, kind=kind)


@router.post("/meetings", response={201: MeetingOut, **ERRORS}, summary="召集议事（小楼议事须有小区，协调议事须邀请单位）")
def meeting_create(request, payload: MeetingIn):
    from liulin.orgs.models import Organisation

    community = _one(Area.objects.filter(kind=Area.Kind.COMMUNITY), payload.community_id)
    meeting = services.convene_meeting(
        actor=request.user, kind=payload.kind, title=payload.title, community=community,
        estate=_one(Estate.objects, payload.estate_id) if payload.estate_id else None,
        building=_one(Building.objects, payload.building_id) if payload.building_id else None,
        venue=_one(Facility.objects, payload.venue_id) if payload.venue_id else None,
        place=payload.place, starts_at=payload.starts_at, ends_at=payload.ends_at, quorum=payload.quorum, chair=payload.chair,
        agenda=[(a.title, a.owner, a.minutes, a.work_order_number, _earlier_decision(a.earlier_decision_id))
                for a in payload.agenda],
        invite=list(Organisation.objects.filter(pk__in=payload.invite_org_ids)),
    )
    return Status(201, meeting)


def _earlier_decision(decision_id):
    # Whether the actor sees its meeting is the service's check (404 alike).
    return _one(Decision.objects, decision_id) if decision_id else None


@router.post("/meetings/{int:meeting_id}/agenda", response={201: AgendaOut, **ERRORS},
             summary="增加议程（筹备中或已通知；可关联工单号或此前的决定）")
def agenda_add(request, meeting_id: int, payload: AgendaIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    item = services.add_agenda_item(actor=request.user, meeting=meeting, title=payload.title, owner=payload.owner,
                                    minutes=payload.minutes, work_order_number=payload.work_order_number,
                                    earlier_decision=_earlier_decision(payload.earlier_decision_id))
    return Status(201, item)


@router.get("/meetings/{int:meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="议事会议详情：议程、受邀单位、表决、决定与落实、纪要")
def meeting_detail(request, meeting_id: int):
    meeting = selectors.meeting_for(request.user, meeting_id)
    staff = can(request.user, "deliberation.convene", meeting)
    counts = selectors.attendance_counts(meeting)
    meeting.voters_present, meeting.observers_present = counts["voters"], counts["observers"]
    meeting.agenda_rows = list(meeting.agenda.all())
    meeting.invitation_rows = list(meeting.invitations.select_related("org"))
    meeting.poll_rows = list(selectors.polls_of(meeting))
    meeting.decision_rows = list(selectors.decisions_of(meeting))
    meeting.sign_in_sheet = list(selectors.attendances(meeting)) if staff else None
    meeting.sign_in_code = meeting.sign_in_token if staff else None
    return meeting


@router.post("/meetings/{int:meeting_id}/actions/{action}", response={200: MeetingOut, **ERRORS},
             summary="会议流转：notify 发通知、open 开会、adjourn 散会、cancel 取消（须原因）")
def meeting_act(request, meeting_id: int, action: str, payload: ActionIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    return services.act(actor=request.user, meeting=meeting, action=action, reason=payload.reason)


@router.post("/meetings/{int:meeting_id}/invitations", response={201: InvitationOut, **ERRORS},
             summary="开会前增加受邀单位（会议组织者；已发通知的即时通知该单位；每个单位一次，重复 409）")
def invitation_create(request, meeting_id: int, payload: InviteIn):
    from liulin.orgs.models import Organisation

    meeting = selectors.meeting_for(request.user, meeting_id)
    invitation = services.invite(actor=request.user, meeting=meeting, org=_one(Organisation.objects, payload.org_id))
    return Status(201, invitation)


@router.post("/meetings/{int:meeting_id}/invitations/{int:invitation_id}/rsvp", response={200: InvitationOut, **ERRORS},
             summary="受邀单位回复是否参加及出席代表")
def invitation_rsvp(request, meeting_id: int, invitation_id: int, payload: RsvpIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    invitation = selectors.invitation_of(meeting, invitation_id)
    return services.respond(actor=request.user, invitation=invitation, rsvp=payload.rsvp, representative=payload.representative)


@router.post("/meetings/{int:meeting_id}/sign-in", response={200: AttendanceOut, 201: AttendanceOut, **ERRORS},
             summary="扫码签到（本人；重复签到返回已有签到）")
def sign_in(request, meeting_id: int, payload: SignInIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    attendance, created = services.sign_in(actor=request.user, meeting=meeting, token=payload.token)
    attendance.created = created
    return Status(201 if created else 200, attendance)


@router.post("/meetings/{int:meeting_id}/sign-in-for", response={200: AttendanceOut, 201: AttendanceOut, **ERRORS},
             summary="工作人员为没有手机的居民代签到")
def sign_in_for(request, meeting_id: int, payload: SignInForIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    resident = get_or_404(request.user, Resident.objects.all(), "people.view", pk=payload.resident_id)
    attendance, created = services.sign_in_for(actor=request.user, meeting=meeting, resident=resident, capacity=payload.capacity)
    attendance.created = created
    return Status(201 if created else 200, attendance)


@router.post("/meetings/{int:meeting_id}/polls", response={201: PollOut, **ERRORS}, summary="发起表决（须到会人数达到法定人数）")
def poll_open(request, meeting_id: int, payload: PollIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    poll = services.open_poll(actor=request.user, meeting=meeting, question=payload.question, kind=payload.kind,
                              options=payload.options, max_choices=payload.max_choices, hide_results=payload.hide_results)
    return Status(201, poll)


@router.post("/polls/{int:poll_id}/ballots", response={201: BallotOut, **ERRORS}, summary="投票（签到的表决人，每人一票）")
def poll_vote(request, poll_id: int, payload: BallotIn):
    poll = selectors.poll_for(request.user, poll_id)
    return Status(201, services.cast_ballot(actor=request.user, poll=poll, option_ids=payload.option_ids))


@router.post("/polls/{int:poll_id}/close", response={200: PollOut, **ERRORS}, summary="结束表决")
def poll_close(request, poll_id: int):
    poll = selectors.poll_for(request.user, poll_id)
    return services.close_poll(actor=request.user, poll=poll)


@router.get("/polls/{int:poll_id}/results", response={200: ResultsOut, **ERRORS}, summary="表决结果（不公开结果的表决结束前 409）")
def poll_results(request, poll_id: int):
    poll = selectors.poll_for(request.user, poll_id)
    return selectors.results(request.user, poll)


@router.post("/meetings/{int:meeting_id}/decisions", response={201: DecisionOut, **ERRORS},
             summary="记录决定及其落实事项（须到会人数达到法定人数）")
def decision_create(request, meeting_id: int, payload: DecisionIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    item = payload.item
    owner = selectors.possible_owners(meeting).filter(pk=item.owner_user_id).first()
    if owner is None:
        raise NotFound(gettext(NOT_FOUND))
    fields = {
        "title": item.title, "owner": owner, "due_date": item.due_date, "review_date": item.review_date,
        "acceptance": item.acceptance,
        "owner_org": _one(selectors.parties(meeting), item.owner_org_id) if item.owner_org_id else None,
        "building": _one(Building.objects, item.building_id) if item.building_id else None,
    }
    poll = _one(meeting.polls, payload.poll_id) if payload.poll_id else None
    return Status(201, services.record_decision(actor=request.user, meeting=meeting, text=payload.text, poll=poll, item=fields))


@router.get("/action-items/overdue", response={200: list[ActionItemOut], **ERRORS}, summary="逾期未落实的事项")
@paginate
def overdue_items(request):
    return selectors.overdue_items(request.user)


@router.post("/action-items/{int:item_id}/actions/{action}", response={200: ActionItemOut, **ERRORS},
             summary="落实事项流转：file_order 一键转雷锋哨工单、complete 确认办结、drop 撤销（须原因）")
def item_act(request, item_id: int, action: str, payload: ItemActionIn):
    item = selectors.action_item_for(request.user, item_id)
    services.act_on_item(actor=request.user, item=item, action=action, reason=payload.reason, result=payload.result,
                         category=payload.category)
    return selectors.action_item_for(request.user, item_id)


@router.post("/meetings/{int:meeting_id}/minutes", response={200: MeetingOut, **ERRORS}, summary="写纪要草稿")
def minutes_write(request, meeting_id: int, payload: MinutesIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    return services.write_minutes(actor=request.user, meeting=meeting, text=payload.text)


@router.post("/meetings/{int:meeting_id}/minutes/{action}", response={200: MeetingOut, **ERRORS},
             summary="纪要流转：open_amendments 征求修改、finalise 定稿（指纹入链）")
def minutes_act(request, meeting_id: int, action: str):
    meeting = selectors.meeting_for(request.user, meeting_id)
    return services.act_on_minutes(actor=request.user, meeting=meeting, action=action)


@router.post("/meetings/{int:meeting_id}/amendments", response={201: AmendmentOut, **ERRORS}, summary="参会者提出纪要修改意见")
def amendment_create(request, meeting_id: int, payload: AmendmentIn):
    meeting = selectors.meeting_for(request.user, meeting_id)
    return Status(201, services.amend_minutes(actor=request.user, meeting=meeting, text=payload.text))


# --- 四议两公开 -------------------------------------------------------------------------------


def _vote(payload):
    return matters.Vote(**payload.dict()) if payload is not None else None


@router.get("/matters", response={200: list[MatterOut], **ERRORS}, summary="四议两公开事项（居民只见已公开的）")
@paginate
def matter_list(request):
    return matters.matters_for(request.user).prefetch_related("votes")


@router.post("/matters", response={201: MatterOut, **ERRORS}, summary="党组织提议（附表决）")
def matter_create(request, payload: MatterIn):
    community = _one(Area.objects.filter(kind=Area.Kind.COMMUNITY), payload.community_id)
    matter = matters.propose(actor=request.user, community=community, title=payload.title, description=payload.description,
                             vote=_vote(payload.vote))
    return Status(201, matter)


@router.get("/matters/{int:matter_id}", response={200: MatterOut, **ERRORS}, summary="四议两公开事项详情：各环节表决；决议公开的公示（期限、异议）在 /api/v1/notices/{notice_id}")
def matter_detail(request, matter_id: int):
    return matters.matter_for(request.user, matter_id)


@router.post("/matters/{int:matter_id}/actions/{action}", response={200: MatterOut, **ERRORS},
             summary="discuss 两委商议、review 党员大会审议、resolve 居民会议决议（附表决）；publicise 决议公开；implement 组织实施；publish_result 结果公开")
def matter_act(request, matter_id: int, action: str, payload: MatterActionIn):
    matter = matters.matter_for(request.user, matter_id)
    matters.act(actor=request.user, matter=matter, action=action, vote=_vote(payload.vote), result=payload.result)
    return matters.matter_for(request.user, matter_id)


# --- 人民调解 ---------------------------------------------------------------------------------


@router.get("/mediation", response={200: list[CaseOut], **ERRORS}, summary="人民调解案件（调解员与审计可见）")
@paginate
def case_list(request):
    return mediation.cases_for(request.user).prefetch_related("parties", "steps")


@router.post("/mediation", response={201: CaseOut, **ERRORS}, summary="受理调解案件（调解期限一个月）")
def case_create(request, payload: CaseIn):
    community = _one(Area.objects.filter(kind=Area.Kind.COMMUNITY), payload.community_id)
    case = mediation.accept_case(
        actor=request.user, community=community, estate=_one(Estate.objects, payload.estate_id) if payload.estate_id else None,
        dispute_type=payload.dispute_type, source=payload.source, work_order_number=payload.work_order_number,
        summary=payload.summary, parties=[(p.role, p.name, None) for p in payload.parties])
    return Status(201, case)


@router.get("/mediation/{int:case_id}", response={200: CaseOut, **ERRORS}, summary="调解案件详情")
def case_detail(request, case_id: int):
    return mediation.case_for(request.user, case_id)


@router.post("/mediation/{int:case_id}/actions/{action}", response={200: CaseOut, **ERRORS},
             summary="begin 开始调解、agree 达成协议、sign_off 签署生效、close 结案、fail 调解不成、withdraw 撤回")
def case_act(request, case_id: int, action: str, payload: CaseActionIn):
    case = mediation.case_for(request.user, case_id)
    mediation.act(actor=request.user, case=case, action=action, reason=payload.reason,
                  agreement=payload.agreement.dict() if payload.agreement else None)
    return mediation.case_for(request.user, case_id)


@router.post("/mediation/{int:case_id}/sessions", response={201: StepOut, **ERRORS}, summary="记录调解")
def case_session(request, case_id: int, payload: NotesIn):
    case = mediation.case_for(request.user, case_id)
    return Status(201, mediation.record_session(actor=request.user, case=case, notes=payload.notes))


@router.post("/mediation/{int:case_id}/parties/{int:party_id}/signature", response={200: PartyOut, **ERRORS},
             summary="记录当事人签字")
def case_signature(request, case_id: int, party_id: int):
    case = mediation.case_for(request.user, case_id)
    party = _one(case.parties, party_id)
    return mediation.record_signature(actor=request.user, case=case, party=party)


@router.post("/mediation/{int:case_id}/follow-ups", response={201: StepOut, **ERRORS}, summary="回访履行情况")
def case_follow_up(request, case_id: int, payload: FollowUpIn):
    case = mediation.case_for(request.user, case_id)
    return Status(201, mediation.follow_up(actor=request.user, case=case, notes=payload.notes, performance=payload.performance))


# --- 业主委员会 -------------------------------------------------------------------------------


@router.get("/committee-terms", response={200: list[TermOut], **ERRORS}, summary="业主委员会任期（社区、审计、本会委员可见）")
@paginate
def term_list(request):
    return committees.terms_for(request.user).prefetch_related("seats")


@router.post("/committee-terms", response={201: TermOut, **ERRORS}, summary="登记一届业主委员会（5—11 人单数，任期不超过 5 年）")
def term_create(request, payload: TermIn):
    from liulin.orgs.models import Organisation

    committee = _one(Organisation.objects.filter(kind=Organisation.Kind.OWNERS_COMMITTEE), payload.committee_id)
    residents = {r.pk: r for r in Resident.objects.filter(pk__in=[s.resident_id for s in payload.seats])
                 .select_related("household__building")}
    if len(residents) != len({s.resident_id for s in payload.seats}):
        raise NotFound(gettext(NOT_FOUND))
    term = committees.register_term(actor=request.user, committee=committee, number=payload.number,
                                    elected_on=payload.elected_on, starts_on=payload.starts_on, ends_on=payload.ends_on,
                                    seats=[(residents[s.resident_id], s.role) for s in payload.seats])
    return Status(201, term)


@router.get("/committee-terms/{int:term_id}", response={200: TermOut, **ERRORS}, summary="任期详情")
def term_detail(request, term_id: int):
    return committees.term_for(request.user, term_id)


@router.post("/committee-terms/{int:term_id}/filing", response={200: TermOut, **ERRORS},
             summary="记录备案（选举后 30 日内，逾期照登并标明逾期）")
def term_file(request, term_id: int, payload: FilingIn):
    term = committees.term_for(request.user, term_id)
    committees.file_term(actor=request.user, term=term, filed_on=payload.filed_on, reference=payload.reference)
    return committees.term_for(request.user, term_id)


@router.get("/committee-terms/{int:term_id}/meetings", response={200: list[CommitteeMeetingOut], **ERRORS},
            summary="业主委员会会议与决定")
@paginate
def term_meetings(request, term_id: int):
    return committees.term_for(request.user, term_id).meetings.prefetch_related("decisions").order_by("-held_at", "-pk")


@router.post("/committee-terms/{int:term_id}/meetings", response={201: CommitteeMeetingOut, **ERRORS},
             summary="记录委员会会议（过半数委员本人出席；决定须全体委员过半数同意）")
def term_meeting_create(request, term_id: int, payload: CommitteeMeetingIn):
    term = committees.term_for(request.user, term_id)
    meeting = committees.hold_meeting(actor=request.user, term=term, topic=payload.topic, held_at=payload.held_at,
                                      present=payload.present, motions=[(m.text, m.votes) for m in payload.motions])
    return Status(201, meeting)


@router.post("/committee-decisions/{int:decision_id}/publish", response={200: CommitteeDecisionOut, **ERRORS},
             summary="公布决定（作出之日起 3 日内）")
def committee_decision_publish(request, decision_id: int):
    decision = _one(committees.decisions_for(request.user), decision_id)
    return committees.publish_decision(actor=request.user, decision=decision)
