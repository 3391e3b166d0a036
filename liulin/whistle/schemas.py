"""API shapes of 雷锋哨 work orders. The contact phone only ever leaves masked; a resident's
view of the timeline has no internal notes and no staff names."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from liulin.core.schemas import ErrorOut

from .models import Satisfaction, Urgency

UrgencyIn = Literal[tuple(Urgency.values)]
RatingIn = Literal[tuple(v for v in Satisfaction.values if v != Satisfaction.NOT_RATED)]


class Ref(Schema):
    id: int
    name: str


class CategoryRef(Schema):
    id: int
    code: str
    name: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    full_name: str
    responsible_kind: str
    is_leaf: bool


class TicketOut(Schema):
    id: int
    number: str = Field(description="工单号")
    channel: str
    category: CategoryRef
    urgency: str
    state: str
    state_label: str
    tier: int = Field(description="1 网格 2 社区 3 吹哨")
    grid: Ref
    community: Ref
    handling_org: Ref | None
    created_at: datetime
    updated_at: datetime
    accept_due: datetime | None
    resolve_due: datetime | None
    accept_overdue: bool
    resolve_overdue: bool
    urge_count: int
    cosign_count: int


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="下一页的游标；为空表示没有更多")


class EventOut(Schema):
    seq: int
    at: datetime
    action: str = Field(description="操作代码（程序用）；显示请用 label")
    label: str = Field(description="操作的中文名称，按查看者（工作人员或居民）措辞")
    from_state: str
    to_state: str
    reason: str
    actor: str = Field(description="居民看到的是角色或单位，看不到工作人员姓名")
    internal: bool


class PhotoOut(Schema):
    id: int
    stage: str = Field(description="intake 诉求照片；result 办结照片")
    url: str = Field(description="经权限检查的文件地址")


class MergedChildOut(Schema):
    id: int
    number: str
    created_at: datetime
    channel: str


class TicketDetailOut(TicketOut):
    description: str
    address: str
    lon: float | None
    lat: float | None
    contact_name: str
    contact_phone_masked: str
    forwarded_to: str
    parent_id: int | None
    reopen_count: int
    solved: bool | None
    satisfaction: str
    allowed_actions: list[str] = Field(description="当前用户此刻可执行的流转操作")
    timeline: list[EventOut]
    photos: list[PhotoOut] = Field(default=[], description="诉求照片（intake）与办结照片（result）")
    merged_count: int = Field(0, description="合并到本工单的重复诉求数")
    merged_children: list[MergedChildOut] = Field(default=[], description="合并到本工单、当前用户可查看的重复诉求")
    shown_state: str = Field("", description="诉求人看到的状态：已合并的重复诉求随主工单显示办结、已核实或已结案")
    shown_state_label: str = ""


class LikelyDuplicateOut(Schema):
    """An open ticket likely the same problem, as a resident may see it before filing: what
    the public page shows of it, and whether he already said "me too"."""

    id: int = Field(description="附议用：POST /tickets/{id}/cosign")
    number: str
    category: str
    place: str = Field(description="楼栋或网格，不含门牌")
    created_at: datetime
    state: str
    state_label: str
    cosign_count: int
    distance_m: float | None = Field(description="距离（米）；仅按同一楼栋匹配时为空")
    score: float = Field(description="相似度得分 0–1（距离、时间、类别、文字加权，见 docs/duplicates.md）")
    description: str = Field(description="诉求内容：仅在诉求人同意公开时给出，且已隐去个人信息")
    cosigned: bool = Field(description="当前用户已附议")


class TicketFiledOut(TicketOut):
    """The answer to a filing: what the caller is told on the phone. The full detail (timeline,
    actions) is one GET away; building it here would cost the hotline half its throughput."""

    description: str
    address: str
    contact_phone_masked: str


class TicketIn(Schema):
    category: str = Field(max_length=48, description="类别代码（如 property-elevator）或编号")
    description: str = Field(min_length=1, max_length=4000)
    urgency: UrgencyIn = "normal"
    household_id: int | None = None
    building_id: int | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    address: str = Field("", max_length=128)
    requester_id: int | None = Field(None, description="诉求人居民档案编号（接线员、网格员代为下单时）")
    contact_name: str = Field("", max_length=32)
    contact_phone: str = Field("", max_length=20)
    publish_description: bool | None = Field(
        None,
        description="诉求人是否同意公开诉求内容（公开时隐去姓名、电话、证件号、门牌）；不填按来源默认：网格巡查上报的公共场所问题公开，其余不公开",
    )
    client_request_id: str | None = Field(
        None, min_length=1, max_length=64, description="客户端生成的请求编号：重试时返回第一次创建的工单（200），不会重复创建"
    )


class TicketQueuedIn(TicketIn):
    client_request_id: str = Field(
        min_length=1, max_length=64, description="客户端生成的请求编号（必填）：重试返回同一条排队记录，不会重复受理"
    )


class IntakeTicketOut(Schema):
    id: int
    number: str
    state: str


class IntakeOut(Schema):
    """A request in the intake queue: queued, then filed (with its ticket) or rejected (with
    the error a direct filing would have answered)."""

    id: int
    client_request_id: str
    status: Literal["queued", "filed", "rejected"]
    received_at: datetime
    processed_at: datetime | None
    ticket: IntakeTicketOut | None = Field(description="生成的工单（status 为 filed 时）")
    error: ErrorOut | None = Field(description="未受理的原因（status 为 rejected 时）")


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class ResolveIn(ReasonIn):
    photos: list[str] = Field(
        default=[], max_length=6,
        description="办结照片，每张为 base64 编码的 JPEG/PNG/WebP（与下单照片同样检查、去除元数据）；任一张不合格则整个办结不生效",
    )


class OrgReasonIn(ReasonIn):
    org_id: int = Field(description="承办单位编号")


class ReopenIn(ReasonIn):
    org_id: int | None = Field(None, description="改派的承办单位（不填则原单位重办）")


class ForwardIn(ReasonIn):
    forwarded_to: str = Field(min_length=1, max_length=100, description="转交单位名称")


class MergeIn(ReasonIn):
    parent_id: int = Field(description="合并到的主工单编号")


class CallbackIn(Schema):
    solved: bool
    satisfaction: RatingIn
    comment: str = Field("", max_length=1000)
    method: Literal["phone", "self"] = "phone"
    reopen: bool = Field(False, description="不满意或未解决时申请重办")


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=2000)
    internal: bool = Field(False, description="内部备注，居民看不到")


class KpiRowOut(Schema):
    """One group's 三率 and counts (docs/kpi.md has the formulas). Rates are fractions
    0–1, null where nothing was counted."""

    key: str | None
    label: str
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None
    on_time_rate: float | None
    avg_accept_minutes: float | None
    avg_resolve_minutes: float | None
    closed_total: int
    excluded_total: int
    tier_shares: dict[str, float | None]
    counts: dict[str, int]
