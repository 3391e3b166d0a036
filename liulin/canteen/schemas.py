import datetime

from ninja import Field, Schema


class CanteenOut(Schema):
    id: int
    name: str
    delivery_fee_fen: int


class MenuOut(Schema):
    day: datetime.date
    period_id: int
    period: str
    dishes: list[str]


class QuoteOut(Schema):
    group: str
    age: int
    price_fen: int
    subsidy_fen: int
    rule_version: int | None
    status: str
    delivery: str


class OrderIn(Schema):
    period_id: int
    day: datetime.date
    resident_id: int | None = Field(None, description="手机预订为本人时可省略；家属代订、窗口点餐（居民码）时必填")
    channel: str = Field(pattern="^(counter|phone|family)$")
    id_number: str = Field("", max_length=18, description="窗口点餐：刷身份证")
    identified_by: str = Field("", max_length=16, description="窗口点餐：id_card / resident_code / staff_search")
    delivery: bool = False
    group: str | None = Field(None, pattern="^(staff|outdoor|senior|other)$")


class OrderOut(Schema):
    id: int
    day: datetime.date
    period: str
    resident_name: str
    group: str
    channel: str
    identified_by: str
    price_fen: int
    subsidy_fen: int
    delivery_fee_fen: int
    paid_fen: int
    subsidised: bool
    rule_version: int | None
    delivery: bool
    state: str
    state_label: str

    @staticmethod
    def resolve_period(obj):
        return obj.period.name

    @staticmethod
    def resolve_resident_name(obj):
        from liulin.core.masking import mask_name

        return mask_name(obj.resident.name)

    @staticmethod
    def resolve_rule_version(obj):
        return obj.rule_table.version if obj.rule_table_id else None

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class CanteenClaimIn(Schema):
    month: datetime.date


class ClaimOut(Schema):
    id: int
    month: datetime.date
    lines: int
    price_total_fen: int
    subsidy_total_fen: int
    sha256: str


class AlertOut(Schema):
    kind: str
    order_id: int
    day: datetime.date
    text: str


class CanteenConsentIn(Schema):
    elder_id: int
    family_id: int
    relation: str = Field("", max_length=16)


class StatusIn(Schema):
    resident_id: int
    tag: str = Field(max_length=32)
    proof: str = Field(max_length=120)
    valid_from: datetime.date
    expires_on: datetime.date


class IdOut(Schema):
    id: int
