from datetime import datetime

from ninja import Field, Schema


class CounsellingSlotOut(Schema):
    id: int
    room_id: int
    room_name: str
    counsellor_name: str
    starts_at: datetime
    ends_at: datetime
    state: str
    held: bool = Field(False, description="someone holds it (shown to its counsellor only; false for residents' free slots)")


class CounsellingSlotIn(Schema):
    room_id: int
    start: datetime
    minutes: int = Field(50, ge=15, le=180)


class CounsellingAppointmentOut(Schema):
    """An appointment as its client or its counsellor sees it; nobody else sees one."""

    id: int
    slot_id: int
    room_name: str
    counsellor_name: str
    client_name: str = Field(description="the client's name: to the counsellor and the client himself")
    starts_at: datetime
    ends_at: datetime
    state: str
    state_label: str


class CounsellingActionIn(Schema):
    reason: str = Field("", max_length=200)


class CounsellingNoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)


class CounsellingNoteOut(Schema):
    id: int
    written_at: datetime
    text: str
