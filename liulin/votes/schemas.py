from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from .rules import format_area


class VoteOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    committee_id: int
    title: str
    matter: int
    matter_label: str
    state: str
    state_label: str
    opens_at: datetime
    closes_at: datetime
    channel_rule: str
    non_voter_rule: str
    announcement_id: int | None = Field(None, description="表决公告：GET /api/v1/notices/{announcement_id}（其按户送达回执即表决的送达）")
    notice_id: int | None = Field(None, description="结果公示：GET /api/v1/notices/{notice_id}（公示期、异议与答复；名册上的业主提出异议）")
    passed: bool | None

    @staticmethod
    def resolve_estate_name(obj):
        return obj.estate.name

    @staticmethod
    def resolve_matter_label(obj):
        return obj.get_matter_display()

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class MyUnitOut(Schema):
    label: str
    area_cm2: int
    choice: str | None = None
    channel: str | None = None


class VoteDetailOut(VoteOut):
    description: str
    total_area_cm2: int
    total_owners: int
    actions: list[str] = Field(description="表中当前可执行、且调用者有权执行的动作")
    my_units: list[MyUnitOut] = Field(description="调用者作为业主在本次名册上的房屋及其已投的票")


class OwnersVoteIn(Schema):
    committee_id: int
    title: str = Field(max_length=120)
    matter: int = Field(ge=1, le=9, description="民法典第二百七十八条第一款第几项")
    description: str = Field("", max_length=5000)
    opens_at: datetime
    closes_at: datetime


class ActIn(Schema):
    reason: str = Field("", max_length=500)


class OwnerBallotIn(Schema):
    choice: Literal["yes", "no", "abstain"]


class CounterIn(OwnerBallotIn):
    owner_id: int
    id_checked: bool = Field(description="已核验业主身份证件")


class PaperIn(OwnerBallotIn):
    owner_id: int
    receipt_code: str = Field(max_length=20, description="票根上的回执码")


class ServiceIn(Schema):
    owner_id: int
    how: str = Field(max_length=32, description="送达方式，如 签收回执、短信送达")


class ReceiptOut(Schema):
    receipt_code: str = Field(description="回执码：只显示这一次，请业主保存")


class PaperOut(Schema):
    status: Literal["first", "matched", "mismatch", "resolved"]


class ReceiptCheckIn(Schema):
    code: str = Field(max_length=20)


class ReceiptUnitOut(Schema):
    label: str
    area_cm2: int
    choice: str
    channel: str


class ReceiptCheckOut(Schema):
    receipt_hash: str
    found: bool
    in_published_log: bool
    counted: bool = Field(description="表决已计票，且该票计入结果")
    units: list[ReceiptUnitOut]


class VoteFiguresOut(Schema):
    total_area_cm2: int
    total_owners: int
    voted_area_cm2: int
    voted_owners: int
    yes_area_cm2: int
    yes_owners: int
    no_area_cm2: int
    no_owners: int
    abstain_area_cm2: int
    abstain_owners: int
    quorate: bool
    passed: bool
    voted_area_m2: str

    @staticmethod
    def from_tally(figures, decision):
        return VoteFiguresOut(
            total_area_cm2=figures.total_area, total_owners=figures.total_owners, voted_area_cm2=figures.voted_area,
            voted_owners=figures.voted_owners, yes_area_cm2=figures.yes_area, yes_owners=figures.yes_owners,
            no_area_cm2=figures.no_area, no_owners=figures.no_owners, abstain_area_cm2=figures.abstain_area,
            abstain_owners=figures.abstain_owners, quorate=decision.quorate, passed=decision.passed,
            voted_area_m2=format_area(figures.voted_area),
        )


class ResultOut(Schema):
    strict: VoteFiguresOut = Field(description="严格按民法典第二百七十八条：只计实际参与表决的业主")
    rules: VoteFiguresOut = Field(description="按本小区议事规则计入已送达而未表决的业主")
    silent_served_area_cm2: int
    silent_served_owners: int


class RollEntryOut(Schema):
    owner_id: int
    label: str
    area_cm2: int
    owner_name: str = Field(description="脱敏姓名")


class ProxyOut(Schema):
    id: int
    owner_id: int
    owner_name: str = Field(description="脱敏姓名")
    holder_id: int
    granted_at: datetime

    @staticmethod
    def resolve_owner_name(obj):
        from liulin.core.masking import mask_name

        return mask_name(obj.owner.name)


class ProxyBallotIn(OwnerBallotIn):
    owner_id: int


class RegisterErrorOut(Schema):
    row: int
    column: str
    message: str


class RegisterPlanOut(Schema):
    committed: bool
    units: int
    total_area_cm2: int
    owners: int = Field(description="按人数规则计的业主数")
    new_units: int
    changed_units: int
    unchanged_units: int
    untouched_units: int = Field(description="名册中有、表格中没有的房屋（保持不变）")
    new_owners: int
    owners_by_kind: dict[str, int] = Field(description="表格中按类型的业主人数：person 业主、co_owners 共有人、developer 建设单位")
    changed_owners: int = Field(description="表格改了姓名或类型的已有业主")
    reassigned_units: int = Field(description="表格交给另一位业主的已有房屋")
    after_units: int = Field(description="导入后名册的房屋数")
    after_area_cm2: int = Field(description="导入后名册的总面积（平方厘米）")
    after_owners: int = Field(description="导入后名册的业主人数（按人数规则）")
    errors: list[RegisterErrorOut]
