from datetime import date, datetime, time

from ninja import Field, Schema


class ResourceOut(Schema):
    id: int
    name: str
    parent_id: int | None
    kind: str
    bookable: bool
    requires_approval: bool
    capacity: int | None
    slot_minutes: int
    buffer_minutes: int
    max_days_ahead: int
    price_fen: int

    @staticmethod
    def resolve_kind(obj):
        return obj.facility.kind


class SlotOut(Schema):
    start: datetime
    end: datetime
    state: str = Field(description="free, taken, blocked (a blackout) or past")


class DayOut(Schema):
    resource_id: int
    date: date
    slots: list[SlotOut]


class BookingIn(Schema):
    resource_id: int
    start: datetime
    end: datetime
    purpose: str = Field("", max_length=200)
    headcount: int | None = Field(None, ge=1, le=100_000)
    safety_plan: str = Field("", max_length=5000)
    for_resident_id: int | None = Field(
        None, description="an elder (people.Resident) without an account, for whom the caller books under her consent "
                          "(people.proxies, service venues); an elder with an account is booked for under her account")


class BookingOut(Schema):
    """A booking without its booker's name: `mine` says whether the caller made it."""

    id: int
    resource_id: int
    resource_name: str
    starts_at: datetime
    ends_at: datetime
    state: str
    state_label: str
    purpose: str
    headcount: int | None
    price_fen: int
    checked_in_at: datetime | None
    hold_until: datetime | None
    mine: bool
    for_resident: int | None = Field(description="the elder without an account it was booked for by its booker, or null")

    @staticmethod
    def resolve_resource_name(obj):
        return obj.resource.name

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_for_resident(obj):
        return obj.for_resident_id

    @staticmethod
    def resolve_mine(obj, context):
        return obj.booker_id == context["request"].user.pk


class VenueActionIn(Schema):
    reason: str = Field("", max_length=500)
    receipt_no: str = Field("", max_length=32)
    days: int | None = Field(None, ge=1, le=366, description="pause: how many days")


class PlanOut(Schema):
    id: int
    resource_id: int
    name: str
    months: int
    price_fen: int
    hourly_capacity: int | None


class MembershipIn(Schema):
    plan_id: int


class MembershipOut(Schema):
    id: int
    plan_id: int
    resource_id: int
    starts_on: date
    ends_on: date
    state: str
    state_label: str
    price_fen: int
    receipt_no: str
    paused_until: date | None
    mine: bool

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_mine(obj, context):
        return obj.member_id == context["request"].user.pk


class EntryOut(Schema):
    resource_id: int
    inside: int
    capacity: int | None


class SeriesIn(Schema):
    resource_id: int
    team_id: int
    starts: time
    ends: time
    first_day: date
    last_day: date
    every_days: int = Field(7, ge=1, le=366)
    skip: list[date] = Field(default_factory=list, max_length=400)


class OccurrenceOut(Schema):
    day: date
    start: datetime
    end: datetime
    ok: bool
    problem: str
    code: str


class SeriesOut(Schema):
    id: int
    resource_id: int
    team_id: int
    first_day: date
    last_day: date
    skipped: list[str]
    booking_ids: list[int]

    @staticmethod
    def resolve_booking_ids(obj):
        return list(obj.bookings.order_by("starts_at").values_list("pk", flat=True))


class WaitIn(Schema):
    resource_id: int
    start: datetime
    end: datetime


class WaitOut(Schema):
    id: int
    resource_id: int
    team_id: int | None
    starts_at: datetime
    ends_at: datetime
    state: str


class PaymentOut(Schema):
    """A payment as its member and the counter see it (the provider's reference is no secret)."""

    id: int
    membership_id: int
    provider: str
    reference: str
    amount_fen: int
    state: str
    confirmed_at: datetime | None


class ReconciliationOut(Schema):
    day: date
    count: int
    total_fen: int
    sum_of_payments_fen: int
    memberships_fen: int
    by_provider: dict[str, int]
    balanced: bool
