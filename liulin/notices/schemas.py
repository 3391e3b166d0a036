from datetime import date, datetime

from ninja import Field, Schema


class VersionOut(Schema):
    number: int
    title: str
    body: str
    reason: str
    created_at: datetime


class NoticeOut(Schema):
    id: int
    community_id: int
    kind: str
    state: str
    state_label: str
    published_at: datetime | None
    last_day: date | None
    ends_at: datetime | None
    finalised_at: datetime | None
    origin: str
    subject_url: str
    open_objections: int
    versions: list[VersionOut]

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.code

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_open_objections(obj):
        return getattr(obj, "open_objections", 0)

    @staticmethod
    def resolve_versions(obj):
        return sorted(obj.versions.all(), key=lambda v: -v.number)


class NoticeIn(Schema):
    community_id: int
    kind: str = Field(max_length=40)
    title: str = Field(max_length=80)
    body: str = Field(max_length=20000)


class NoticesActionIn(Schema):
    reason: str = Field("", max_length=200)


class CorrectionIn(Schema):
    title: str = Field(max_length=80)
    body: str = Field(max_length=20000)
    reason: str = Field(max_length=200)


class NoticesObjectionIn(Schema):
    text: str = Field(max_length=2000)
    item: str = Field("", max_length=40, description="where the notice lists items (GET /{id}/items), the one objected to")


class NoticesAnswerIn(Schema):
    text: str = Field(max_length=2000)
    upheld: bool | None = Field(None, description="required when the objection names an item")


class NoticesObjectionOut(Schema):
    id: int
    text: str
    item: str
    item_label: str
    raised_at: datetime
    answer_due: datetime
    answer: str
    upheld: bool | None
    answered_at: datetime | None


class NoticesItemOut(Schema):
    ref: str
    label: str


class NoticesReceiptOut(Schema):
    household_id: int
    channel: str
    delivered_at: datetime
    read_at: datetime | None


class NoticesPhotoOut(Schema):
    id: int
    url: str = Field(description="the photo, for a user who sees the notice as staff")
    uploaded_at: datetime

    @staticmethod
    def resolve_url(obj):
        from django.urls import reverse

        return reverse("attachments:file", args=[obj.pk])
