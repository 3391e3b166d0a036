"""议事 API schemas. A sign-in sheet is names only to those who run the meeting; elsewhere
counts. Ballots are never listed: results are counts, and only once a poll that hides them
has closed."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from .models import Capacity, PollKind, Rsvp

# The meeting kinds (models.Kind) spelled out: an enum named Kind is the organisations' already.
MeetingKind = Literal["building", "residents", "coordination"]


class AgendaIn(Schema):
    title: str = Field(max_length=80)
    owner: str = Field("", max_length=32)
    minutes: int = 15
    work_order_number: str = Field("", max_length=32)
    earlier_decision_id: int | None = None


class MeetingIn(Schema):
    kind: MeetingKind
    title: str = Field(max_length=80)
    community_id: int
    estate_id: int | None = None
    building_id: int | None = None
    venue_id: int | None = None
    place: str = Field("", max_length=64)
    starts_at: datetime
    ends_at: datetime
    quorum: int = Field(1, ge=1, le=10000)
    chair: str = Field("", max_length=32)
    agenda: list[AgendaIn] = Field(default_factory=list, max_length=30)
    invite_org_ids: list[int] = Field(default_factory=list, max_length=50)


class AgendaOut(Schema):
    position: int
    title: str
    owner: str
    minutes: int
    work_order_number: str
    earlier_decision_id: int | None


class InvitationOut(Schema):
    id: int
    org_id: int
    org_name: str
    rsvp: str
    representative: str

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    community_id: int
    estate_id: int | None
    building_id: int | None
    venue_id: int | None
    place: str
    starts_at: datetime
    ends_at: datetime
    quorum: int
    chair: str
    state: str
    state_label: str
    minutes_state: str

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class ActionItemOut(Schema):
    id: int
    decision_id: int
    meeting_id: int
    title: str
    owner_name: str
    owner_org_id: int | None
    due_date: date
    review_date: date
    acceptance: str
    state: str
    state_label: str
    work_order_number: str
    work_order_state: str
    result: str

    @staticmethod
    def resolve_owner_name(obj):
        return obj.owner.name

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class DecisionOut(Schema):
    id: int
    text: str
    poll_id: int | None
    voters_present: int
    decided_at: datetime
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_action_items(obj):
        return list(obj.action_items.all())


class PollOptionOut(Schema):
    id: int
    label: str


class PollOut(Schema):
    id: int
    question: str
    kind: str
    max_choices: int
    hide_results: bool
    state: str
    options: list[PollOptionOut]

    @staticmethod
    def resolve_options(obj):
        return list(obj.options.all())


class AttendeeOut(Schema):
    name: str
    capacity: str
    via: str
    signed_at: datetime


class MeetingDetailOut(MeetingOut):
    minutes: str
    minutes_hash: str
    voters_present: int
    observers_present: int
    agenda: list[AgendaOut] = Field(alias="agenda_rows")
    invitations: list[InvitationOut] = Field(alias="invitation_rows")
    polls: list[PollOut] = Field(alias="poll_rows")
    decisions: list[DecisionOut] = Field(alias="decision_rows")
    sign_in_sheet: list[AttendeeOut] | None = Field(None, description="只对会议组织者列出姓名")
    sign_in_code: str | None = Field(None, description="签到二维码中的口令，只给会议组织者")


class ActionIn(Schema):
    reason: str = Field("", max_length=500)


class InviteIn(Schema):
    org_id: int = Field(description="受邀单位（业委会、物业、企业、部门、共建单位）；每个单位只邀请一次")


class RsvpIn(Schema):
    rsvp: Rsvp
    representative: str = Field("", max_length=32)


class SignInIn(Schema):
    token: str = Field(max_length=64)


class SignInForIn(Schema):
    resident_id: int
    capacity: Capacity | None = None


class AttendanceOut(Schema):
    id: int
    meeting_id: int
    capacity: str
    via: str
    signed_at: datetime
    created: bool = False


class PollIn(Schema):
    question: str = Field(max_length=120)
    kind: PollKind = PollKind.STANCE
    options: list[str] = Field(default_factory=list, max_length=20)
    max_choices: int = Field(1, ge=1, le=20)
    hide_results: bool = True


class BallotIn(Schema):
    option_ids: list[int] = Field(min_length=1, max_length=20)


class BallotOut(Schema):
    id: int
    poll_id: int


class ResultsOut(Schema):
    options: list[tuple[str, int]]
    ballots: int


class ItemIn(Schema):
    title: str = Field(max_length=80)
    owner_user_id: int
    owner_org_id: int | None = None
    due_date: date
    review_date: date | None = None
    acceptance: str = Field(max_length=200)
    building_id: int | None = None


class DecisionIn(Schema):
    text: str = Field(max_length=2000)
    poll_id: int | None = None
    item: ItemIn


class ItemActionIn(Schema):
    reason: str = Field("", max_length=500)
    result: str = Field("", max_length=200)
    category: str | None = Field(None, max_length=48, description="转工单时的雷锋哨诉求类别代码")


class MinutesIn(Schema):
    text: str = Field(max_length=20000)


class AmendmentIn(Schema):
    text: str = Field(max_length=2000)


class AmendmentOut(Schema):
    id: int
    text: str
    at: datetime


# --- 四议两公开 -------------------------------------------------------------------------------


class VoteIn(Schema):
    due: int = Field(ge=1, le=100000)
    present: int = Field(ge=0, le=100000)
    in_favour: int = Field(ge=0, le=100000)
    against: int = Field(0, ge=0, le=100000)
    abstain: int = Field(0, ge=0, le=100000)
    held_on: date | None = None
    notes: str = Field("", max_length=200)


class MatterIn(Schema):
    community_id: int
    title: str = Field(max_length=80)
    description: str = Field(max_length=4000)
    vote: VoteIn = Field(description="党组织提议的表决")


class MatterActionIn(Schema):
    vote: VoteIn | None = Field(None, description="discuss、review、resolve 时必填")
    result: str = Field("", max_length=4000, description="publish_result 时必填")


class StageVoteOut(Schema):
    stage: str
    due: int
    present: int
    in_favour: int
    against: int
    abstain: int
    passed: bool
    held_on: date


class MatterOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    state: str
    state_label: str
    publicised_at: datetime | None
    notice_id: int | None = Field(None, description="决议公开的公示：GET /api/v1/notices/{notice_id}（公示期、异议与答复）")
    result: str
    result_published_at: datetime | None
    votes: list[StageVoteOut]

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_votes(obj):
        return list(obj.votes.all())


# --- 人民调解 ---------------------------------------------------------------------------------


class PartyIn(Schema):
    role: Literal["applicant", "respondent"]
    name: str = Field(max_length=64)


class CaseIn(Schema):
    community_id: int
    estate_id: int | None = None
    dispute_type: Literal["neighbour", "family", "property", "housing", "damages", "other"]
    source: Literal["application", "initiative", "referral"]
    work_order_number: str = Field("", max_length=32)
    summary: str = Field(max_length=4000)
    parties: list[PartyIn] = Field(min_length=2, max_length=20)


class AgreementIn(Schema):
    facts: str = Field(max_length=4000)
    terms: str = Field(max_length=4000)
    performance_manner: str = Field(max_length=200)
    performance_deadline: date


class CaseActionIn(Schema):
    reason: str = Field("", max_length=500)
    agreement: AgreementIn | None = Field(None, description="agree 时必填：人民调解法第二十九条所列事项")


class PartyOut(Schema):
    id: int
    role: str
    name: str
    signed_at: datetime | None


class StepOut(Schema):
    kind: str
    held_at: datetime
    notes: str
    performance: str


class CaseOut(Schema):
    id: int
    community_id: int
    estate_id: int | None
    dispute_type: str
    source: str
    work_order_number: str
    summary: str
    state: str
    state_label: str
    accepted_at: datetime
    due_at: datetime
    facts: str
    terms: str
    performance_manner: str
    performance_deadline: date | None
    signed_on: date | None
    performance: str
    parties: list[PartyOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_parties(obj):
        return list(obj.parties.all())

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class NotesIn(Schema):
    notes: str = Field(max_length=4000)


class FollowUpIn(Schema):
    notes: str = Field(max_length=4000)
    performance: Literal["performed", "partly", "not_performed"]


# --- 业主委员会 -------------------------------------------------------------------------------


class SeatIn(Schema):
    resident_id: int
    role: Literal["chair", "vice_chair", "member"] = "member"


class TermIn(Schema):
    committee_id: int
    number: int = Field(ge=1, le=100)
    elected_on: date
    starts_on: date
    ends_on: date
    seats: list[SeatIn] = Field(min_length=1, max_length=30, description="5、7、9 或 11 名委员，其中一名主任")


class FilingIn(Schema):
    filed_on: date
    reference: str = Field(max_length=64)


class SeatOut(Schema):
    id: int
    name: str
    role: str
    is_party_member: bool


class CommitteeDecisionOut(Schema):
    id: int
    text: str
    members: int
    in_favour: int
    against: int
    abstain: int
    state: str
    decided_on: date
    publish_by: date
    published_at: datetime | None
    notice_id: int | None = Field(None, description="公布的公告（公示栏）：GET /api/v1/notices/{notice_id}（公示期、业主异议与答复）")


class CommitteeMeetingOut(Schema):
    id: int
    held_at: datetime
    topic: str
    members: int
    present: int
    decisions: list[CommitteeDecisionOut]


class TermOut(Schema):
    id: int
    committee_id: int
    committee: str
    number: int
    elected_on: date
    starts_on: date
    ends_on: date
    members: int
    state: str
    filed_on: date | None
    filing_due: date
    filed_late: bool
    expiry_notice_on: date
    seats: list[SeatOut]

    @staticmethod
    def resolve_committee(obj):
        return obj.committee.name

    @staticmethod
    def resolve_filing_due(obj):
        from .committees import filing_due

        return filing_due(obj)

    @staticmethod
    def resolve_filed_late(obj):
        from .committees import filed_late

        return filed_late(obj)

    @staticmethod
    def resolve_expiry_notice_on(obj):
        from .committees import expiry_notice_on

        return expiry_notice_on(obj)


class MotionIn(Schema):
    text: str = Field(max_length=2000)
    votes: dict[int, Literal["for", "against", "abstain"]] = Field(description="出席委员的席位 id → 本人表决")


class CommitteeMeetingIn(Schema):
    topic: str = Field(max_length=200)
    held_at: datetime
    present: list[int] = Field(max_length=11, description="本人出席的席位 id（不得委托代理）")
    motions: list[MotionIn] = Field([], max_length=20)
