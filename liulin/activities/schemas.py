from datetime import date, datetime, time

from ninja import Field, Schema


class ActivitySlotOut(Schema):
    weekday: int
    starts: time
    ends: time


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    state_label: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    reserved: int
    taken: int
    open_places: int
    waiting_count: int
    facility_id: int | None
    facility_name: str | None
    course: str | None
    term: str | None
    organiser: str | None
    min_age: int | None
    max_age: int | None
    hold_hours: int
    cancel_cutoff_hours: int
    slots: list[ActivitySlotOut]
    draw_public_value: str
    draw_applicants_hash: str
    draw_seed: str
    drawn_at: datetime | None

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_facility_name(obj):
        return obj.facility.name if obj.facility_id else None

    @staticmethod
    def resolve_course(obj):
        return obj.course.name if obj.course_id else None

    @staticmethod
    def resolve_term(obj):
        return obj.term.name if obj.term_id else None

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser.name if obj.organiser_id else None

    @staticmethod
    def resolve_slots(obj):
        return list(obj.slots.all())


class SlotIn(Schema):
    weekday: int = Field(ge=0, le=6)
    starts: time
    ends: time


class ActivityIn(Schema):
    kind: str = Field(pattern="^(class|event)$")
    title: str = Field(max_length=80)
    description: str = Field("", max_length=4000)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=100000)
    reserved: int = Field(0, ge=0, le=100000)
    hold_hours: int = Field(48, ge=1, le=720)
    cancel_cutoff_hours: int = Field(24, ge=0, le=720)
    min_age: int | None = Field(None, ge=0, le=130)
    max_age: int | None = Field(None, ge=0, le=130)
    facility_id: int | None = None
    organiser_id: int | None = None
    course_id: int | None = None
    term_id: int | None = None
    slots: list[SlotIn] = []


class ActivityReasonIn(Schema):
    reason: str = Field("", max_length=200)
    public_value: str = Field("", max_length=200, description="开始报名申请时：抽签前公布的数值，抽签种子由它与申请名单生成")


class EnrolIn(Schema):
    resident_id: int
    consent_by_id: int | None = None
    safety_pledge: bool = False
    id_number: str = Field("", max_length=18, description="到柜台代办时，核对本人身份证号")


class EnrolmentOut(Schema):
    id: int
    activity_id: int
    activity_title: str
    resident_id: int
    resident_name: str
    state: str
    state_label: str
    channel: str
    ticket: int
    position: int | None = Field(None, description="候补中时的排位，1 为第一位")
    offer_expires_at: datetime | None
    consent_at: datetime | None
    late_cancel: bool
    checkin_code: str | None = Field(None, description="签到二维码的内容；仅本人及家属可见")
    tier: int
    draw_rank: int | None

    @staticmethod
    def resolve_activity_title(obj):
        return obj.activity.title

    @staticmethod
    def resolve_resident_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class CheckInIn(Schema):
    code: str = Field("", max_length=200)
    id_number: str = Field("", max_length=18)
    enrolment_id: int | None = None
    adult: str = Field("", max_length=32, description="未成年人的接送成年人姓名")


class CheckInOut(Schema):
    attendance_id: int
    enrolment_id: int
    name: str
    repeat: bool = Field(description="此前已签到：不再重复入场")
    at: datetime
    by: str
    method: str


class SignOutIn(Schema):
    adult: str = Field(max_length=32)


class FamilyLinkIn(Schema):
    resident_id: int
    relative_id: int
    kind: str = Field(pattern="^(guardian|family)$")


class FamilyLinkOut(Schema):
    id: int
    resident_id: int
    relative_id: int
    kind: str
    verified_at: datetime


class TeamOut(Schema):
    id: int
    name: str
    member_count: int
    party_member_count: int
    practices: list[str]


class SelectionOut(Schema):
    id: int
    title: str
    state: str
    state_label: str
    choices_per_ballot: int
    public_weight: int
    jury_weight: int
    winners: int
    notice_id: int | None = Field(None, description="排名的公示：GET /api/v1/notices/{notice_id}（公示期、异议与答复）")
    result: list[dict] = Field(description="公示或公布的名单：家庭称呼、票数、评委均分、总分、名次（不含姓名）")

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class NominationOut(Schema):
    id: int
    family_name: str
    story: str
    state: str


class NominateIn(Schema):
    family_name: str = Field(max_length=40)
    story: str = Field(max_length=2000)
    household_id: int | None = Field(None, description="社区工作人员推荐其他家庭时填写；居民默认推荐本户")


class SelectionVoteIn(Schema):
    nomination_ids: list[int] = Field(max_length=50)


class ReviewIn(Schema):
    accept: bool
    reason: str = Field("", max_length=200)


class ScoreIn(Schema):
    score: int = Field(ge=0, le=100)


class SelectionBallotOut(Schema):
    id: int
    day: date
