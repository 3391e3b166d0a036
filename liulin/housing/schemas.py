"""Schemas of the housing API; every class is named Housing... so no other app's schema
shares its OpenAPI component."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class HousingRuleOut(Schema):
    key: str
    label: str
    kind: str = Field(description="yes 须满足 / no 须不满足 / max 不超过 / min 不少于")
    limit: int | None
    document: str = Field(description="所需证明材料；空则无须材料")


class HousingTierOut(Schema):
    code: str
    label: str
    group: int = Field(description="摇号优先组，小者在前")


class HousingRoundOut(Schema):
    id: int
    community_id: int
    title: str
    state: str
    notice_id: int | None = Field(None, description="资格公示：GET /api/v1/notices/{notice_id}（公示期、异议与答复）")
    list_hash: str = Field(description="名单确定时公布的申请人名单 SHA-256")
    list_published_at: datetime | None
    offer_days: int


class HousingRoundDetailOut(HousingRoundOut):
    rules: list[HousingRuleOut]
    tiers: list[HousingTierOut]


class HousingRuleIn(Schema):
    key: str = Field(..., max_length=32, description="代码：小写英文字母开头，只含小写字母、数字和下划线；申请人按此作答")
    label: str = Field(..., max_length=100, description="条件，如“本市无自有住房”")
    kind: str = Field(..., max_length=8, description="yes 须满足 / no 须不满足 / max 不超过 / min 不少于")
    limit: int | None = Field(None, description="max、min 时必填，不小于 0 的整数（代码以 _fen 结尾的金额以分计）")
    document: str = Field("", max_length=100, description="所需证明材料；空则无须材料")


class HousingTierIn(Schema):
    code: str = Field(..., max_length=32, description="代码，规则同条件代码")
    label: str = Field(..., max_length=100)
    group: int = Field(..., description="摇号优先组 0-99，小者在前")


class HousingRoundIn(Schema):
    community_id: int | None = Field(None, description="社区编号；只负责一个社区时可省略")
    title: str = Field(..., max_length=100)
    offer_days: int = Field(7, description="选房答复期限（天），1-60")
    rules: list[HousingRuleIn] = Field(..., max_length=30)
    tiers: list[HousingTierIn] = Field(..., max_length=10)


class HousingRoundActionIn(Schema):
    reason: str = Field("", max_length=500)
    public_value: str = Field("", max_length=200, description="摇号、重新摇号时必填：外部公开、无人能控制的随机值")


class HousingApplyIn(Schema):
    tier: str = Field(..., max_length=32)
    answers: dict[str, Any] = Field(description="按批次规则的代码作答：布尔或整数（金额以分计）")
    applicant_id: int | None = Field(None, description="工作人员窗口代办时的申请人居民编号；本人申请留空")


class HousingDocumentOut(Schema):
    rule_key: str
    document: str
    provided: bool


class HousingApplicationOut(Schema):
    id: int
    round_id: int
    applicant_id: int
    state: str
    tier: str
    answers: dict[str, Any]
    reason: str
    submitted_at: datetime
    rank: int | None
    offered_apartment: str | None = Field(description="通知选房的房号")
    offer_deadline: datetime | None
    documents: list[HousingDocumentOut]


class HousingReasonIn(Schema):
    reason: str = Field("", max_length=500)


class HousingLeaseActionIn(Schema):
    reason: str = Field("", max_length=500)
    answers: dict[str, Any] | None = Field(None, description="续租时资格复核的申报情况")
    term_months: int | None = Field(None, ge=1, le=60)


class HousingOfferOut(Schema):
    application_id: int
    apartment: str
    deadline: datetime | None


class HousingRankOut(Schema):
    rank: int
    application_id: int
    applicant_id: int
    group: int
    lot: str


class HousingDrawOut(Schema):
    round_id: int
    algorithm: str
    public_value: str
    list_hash: str
    seed: str
    drawn_at: datetime
    rerun_reason: str
    ranks: list[HousingRankOut]


class HousingLeaseOut(Schema):
    id: int
    apartment_id: int
    apartment: str
    application_id: int
    tenant_id: int
    previous_id: int | None = Field(description="续租前的合同")
    state: str
    starts_on: date
    term_months: int
    ends_on: date
    rent_fen: int
    deposit_fen: int
    reason: str
    renewal_opens_on: date = Field(description="续租期起始日（到期前 90 天）；续租期内可申请续租")
    in_renewal_window: bool


class HousingRenewalRequestIn(Schema):
    answers: dict[str, Any] = Field(description="按批次规则的代码作答目前的情况：布尔或整数（金额以分计）")
    term_months: int | None = Field(None, ge=1, le=60, description="续租期限（月），默认 36")


class HousingRenewalRequestOut(Schema):
    id: int
    lease_id: int
    state: str = Field(description="requested 待办理 / renewed 已续租 / refused 不予续租 / withdrawn 已撤回")
    answers: dict[str, Any]
    term_months: int
    reason: str
    requested_at: datetime
    decided_at: datetime | None


class HousingInvoiceOut(Schema):
    id: int
    lease_id: int
    month: date
    amount_fen: int
    paid_at: datetime | None


class HousingArrearsOut(Schema):
    lease_id: int
    apartment: str
    months: int


class HousingInspectionIn(Schema):
    kind: str = Field(..., max_length=16, description="move_in 入住验房 / move_out 退租验房")
    notes: str = Field("", max_length=500)
    defects: list[str] = Field(default_factory=list, max_length=50, description="发现的问题，每项转为一张雷锋哨维修工单")
    category: str | None = Field(None, max_length=64, description="维修工单类别（有问题时必填）")


class HousingDefectOut(Schema):
    id: int
    description: str
    work_order_number: str
    work_order_state: str


class HousingInspectionOut(Schema):
    id: int
    lease_id: int
    kind: str
    at: datetime
    notes: str
    defects: list[HousingDefectOut]
