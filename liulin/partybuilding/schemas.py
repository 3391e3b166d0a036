"""Schemas of the party-building API. No names of beneficiaries, no rooms, no phone numbers:
a wish shows its public label; a need its category and state."""

from datetime import date, datetime

from ninja import Field, Schema


class StepIn(Schema):
    action: str
    reason: str = ""


class NeedIn(Schema):
    community_id: int
    title: str
    category: str = "care"
    description: str = ""


class ClaimIn(Schema):
    owner_name: str
    plan: str = ""
    starts_on: date
    ends_on: date
    volunteers_needed: int = 0


class AssignIn(ClaimIn):
    resource_id: int


class NeedOut(Schema):
    id: int
    community_id: int
    title: str
    category: str
    source: str
    source_ticket_id: int | None
    state: str
    created_at: datetime


class ProjectOut(Schema):
    id: int
    need_id: int
    org_id: int
    org_name: str
    resource_id: int | None
    origin: str
    owner_name: str
    starts_on: date
    ends_on: date
    state: str
    volunteers_needed: int
    volunteers: int

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name


class WishIn(Schema):
    community_id: int
    title: str
    kind: str
    beneficiary_label: str
    description: str = ""
    capacity: int = 1


class WishOut(Schema):
    id: int
    community_id: int
    title: str
    kind: str
    beneficiary_label: str
    capacity: int
    claimed: int
    state: str
    story: str
    published_at: datetime | None
    fulfilled_at: datetime | None


class StoryIn(Schema):
    story: str = ""


class RegistrationIn(Schema):
    org_id: int
    posts: list[str]


class RegistrationOut(Schema):
    id: int
    name: str
    community_id: int
    org_id: int
    posts: list[str]
    state: str
    registered_at: datetime


class EvaluationIn(Schema):
    registration_id: int
    year: int = Field(ge=2000, le=2999)
    grade: str = Field(description="excellent 优秀、good 合格、poor 不合格")
    comment: str = Field("", max_length=2000)


class EvaluationOut(Schema):
    id: int
    registration_id: int
    name: str = Field(alias="registration.name")
    org_id: int = Field(alias="registration.org_id")
    org_name: str = Field(alias="registration.org.name")
    year: int
    grade: str
    comment: str
    evaluated_at: datetime


class ServiceOut(Schema):
    id: int
    registration_id: int
    org_id: int
    category: str
    served_on: date
    minutes: int
    state: str


class HoursRow(Schema):
    name: str
    org_name: str = ""
    hours: float
    count: int


class CountRow(Schema):
    name: str
    count: int


class MonthRow(Schema):
    month: str
    count: int


class FiguresOut(Schema):
    needs_open: int
    needs_matched: int
    needs_met: int
    wishes_total: int
    wishes_fulfilled: int
    wishes_waiting: int
    hours_by_unit: list[HoursRow]
    hours_by_member: list[HoursRow]
    activities_by_kind: list[CountRow]
    activities_by_month: list[MonthRow]
