from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class CentreOut(Schema):
    id: int
    name: str
    address: str


class PlaceOut(Schema):
    weekday: int
    capacity: int
    taken: int


class DaycareAttendanceOut(Schema):
    id: int
    day: date
    state: str
    method: str
    checked_in_at: datetime
    checked_out_at: datetime | None


class DaycareEnrolmentOut(Schema):
    id: int
    centre_id: int
    state: str
    days: list[int]
    elder_name: str = Field(description="空：调用者无权看到长辈姓名（如审计）")
    today: DaycareAttendanceOut | None = None


class DaycareEnrolIn(Schema):
    elder_id: int
    days: list[int]
    care_tags: str = Field("", max_length=200)
    care_plan: str = Field("", max_length=2000)
    health_notes: str = Field("", max_length=2000)


class DaycareApplyIn(Schema):
    centre_id: int
    elder_id: int = Field(description="委托人：授权您代办日间照料的长辈")
    days: list[int] = Field(description="每周照料日，0 为周一")
    note: str = Field("", max_length=200, description="给中心的说明（如行动不便、饮食）")


class DaycareReasonIn(Schema):
    reason: str = Field("", max_length=200)


class DaycareCodeIn(Schema):
    code: str = Field(..., max_length=200)


class CareLogIn(Schema):
    kind: str = Field(..., max_length=10)
    text: str = Field(..., max_length=200)
    value: Decimal | None = Field(None, max_digits=7, decimal_places=2)
    unit: str = Field("", max_length=12)


class CareLogOut(Schema):
    id: int
    day: date
    at: datetime
    kind: str
    text: str
    value: Decimal | None
    unit: str


class HealthOut(Schema):
    health_notes: str


class ReportRowOut(Schema):
    enrolment_id: int
    planned: int
    came: int
    meals: int
    readings: int
    incidents: int


class DaycareReportOut(Schema):
    month: date
    elders: int
    planned: int
    came: int
    meals: int
    readings: int
    incidents: int
    calls: int
    rows: list[ReportRowOut]
