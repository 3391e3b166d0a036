import datetime

from ninja import Field, Schema


class VolunteerTeamOut(Schema):
    id: int
    name: str


class TeamMembershipOut(Schema):
    id: int
    team: VolunteerTeamOut
    state: str
    applied_at: datetime.datetime


class ApplicationOut(TeamMembershipOut):
    volunteer_name: str = Field(alias="volunteer.name")


class DecideIn(Schema):
    accept: bool
    reason: str = Field("", max_length=200)


class SummaryOut(Schema):
    volunteer_id: int
    confirmed_minutes: int = Field(description="已确认的服务时长（分钟），只增不减，不因兑换而减少")
    waiting_minutes: int = Field(description="待确认或有异议的时长（分钟）")
    stars: int = Field(description="星级：100/300/600/1000/1500 小时为一至五星")
    next_star_hours: int | None
    points: int = Field(description="可用积分（可兑换，会过期）")
    teams: list[TeamMembershipOut]


class PostOut(Schema):
    id: int
    name: str
    capacity: int
    taken: int


class PostIn(Schema):
    name: str = Field(max_length=32)
    capacity: int = Field(ge=1, le=1000)


class VolunteerActivityOut(Schema):
    id: int
    team: VolunteerTeamOut
    title: str
    kind: str
    content: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    for_minors: bool
    state: str
    posts: list[PostOut]


class VolunteerActivityIn(Schema):
    team_id: int
    title: str = Field(max_length=64)
    content: str = Field(max_length=2000)
    place: str = Field(max_length=64)
    kind: str = "community"
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    for_minors: bool = False
    points_per_hour: int | None = Field(None, ge=0, le=1000)
    posts: list[PostIn] = Field(min_length=1, max_length=20)


class SignUpIn(Schema):
    post_id: int


class SignUpOut(Schema):
    id: int
    activity_id: int
    post_id: int
    state: str
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None


class CheckOutOut(SignUpOut):
    record_id: int | None = Field(None, description="签退生成的服务记录；出勤不足最低比例时为空")


class CodeIn(Schema):
    direction: str = Field(pattern="^(in|out)$")


class CodeOut(Schema):
    code: str
    url: str


class ScanIn(Schema):
    code: str = Field(max_length=500)


class RecordOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str = Field(alias="volunteer.name")
    activity_id: int | None = Field(description="空：由其他应用确认后记入的服务（在职党员服务，source = partybuilding）")
    served_on: datetime.date
    content: str
    place: str
    minutes: int
    source: str
    reason: str
    state: str


class ManualRecordIn(Schema):
    activity_id: int
    volunteer_id: int
    minutes: int = Field(ge=1, le=720)
    reason: str = Field(max_length=200)


class RecordActionIn(Schema):
    action: str = Field(pattern="^(confirm|void|dispute|uphold|correct)$")
    reason: str = Field("", max_length=200)
    minutes: int | None = Field(None, ge=1, le=720)


class LedgerEntryOut(Schema):
    seq: int = Field(alias="posting.seq")
    at: datetime.datetime = Field(alias="posting.at")
    kind: str = Field(alias="posting.action")
    reason: str = Field(alias="posting.reason")
    amount: int


class MemberCodeOut(Schema):
    code: str


class GoodOut(Schema):
    id: int
    name: str
    price_points: int
    stock: int
    is_active: bool


class GoodIn(Schema):
    name: str = Field(max_length=32)
    price_points: int = Field(ge=1, le=1_000_000)


class RestockIn(Schema):
    quantity: int = Field(ge=1, le=100)
    key: str = Field(min_length=1, max_length=100, description="过账键：同一键只入库一次")


class RedeemIn(Schema):
    who: str = Field(max_length=500, description="居民出示的积分码、手机号或身份证号")
    good_id: int
    quantity: int = Field(1, ge=1, le=100)
    key: str = Field(min_length=1, max_length=100, description="过账键：同一键只兑换一次")


class RedemptionOut(Schema):
    id: int
    good_id: int
    quantity: int
    points: int
    state: str
    at: datetime.datetime
    reason: str


class ReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class DeedIn(Schema):
    volunteer_id: int
    points: int = Field(ge=1, le=1_000_000)
    reason: str = Field(max_length=200)
    key: str = Field(min_length=1, max_length=100)


class PostingOut(Schema):
    seq: int
    kind: str = Field(alias="action")
    hash: str


class CertificateIn(Schema):
    volunteer_id: int
    period_from: datetime.date
    period_to: datetime.date


class CertificateOut(Schema):
    number: str
    masked_name: str
    minutes: int
    content: str
    period_from: datetime.date
    period_to: datetime.date
    issuer: str
    issued_on: datetime.date


class IssuedCertificateOut(CertificateOut):
    verify_url: str


class TeamTotalOut(Schema):
    team: str = Field(alias="team__name")
    minutes: int
    records: int


class MonthTotalOut(Schema):
    month: datetime.date
    minutes: int


class VolunteerTotalOut(Schema):
    volunteer: int
    name: str = Field(alias="volunteer__name")
    minutes: int


class ReportOut(Schema):
    total_minutes: int
    per_team: list[TeamTotalOut]
    per_month: list[MonthTotalOut]
    per_volunteer: list[VolunteerTotalOut]


class ConsentIn(Schema):
    child_name: str = Field(max_length=32)
    child_birth_date: datetime.date
    guardian_name: str = Field(max_length=32)
    guardian_relation: str = Field(max_length=16)
    guardian_mobile: str = Field(max_length=11)


class ConsentOut(Schema):
    id: int
    child_name: str
    guardian_name: str
    guardian_relation: str
    recorded_at: datetime.datetime


class ChildInIn(Schema):
    consent_id: int
    adult_name: str = Field(max_length=32)


class ChildOutIn(Schema):
    adult_name: str = Field(max_length=32)


class ChildAttendanceOut(Schema):
    id: int
    consent_id: int
    signed_in_at: datetime.datetime
    signed_in_adult: str
    signed_out_at: datetime.datetime | None
    signed_out_adult: str


class VolunteerEnrolIn(Schema):
    resident_id: int
