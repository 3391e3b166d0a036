from datetime import date, datetime

from ninja import Field, Schema


class PropertyScopeItemOut(Schema):
    id: int
    dimension: str
    name: str
    standard: str


class PropertyContractOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    company_id: int
    company_name: str
    starts_on: date
    ends_on: date
    fee_fen: int = Field(description="物业费，分/平方米·月")
    signed_by: str
    scope_items: list[PropertyScopeItemOut] = []


class PropertyDimensionResultOut(Schema):
    code: str
    label: str
    answered: int
    satisfied: int
    permille: int | None = Field(description="满意率，千分数（整数）；无答卷时为空")


class PropertyResultOut(Schema):
    target_pct: int
    responses: int
    households: int
    meets_target: bool
    overall: PropertyDimensionResultOut
    dimensions: list[PropertyDimensionResultOut]


class PropertySurveyOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    company_id: int
    company_name: str
    year: int
    scale: str
    target_pct: int
    state: str
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    dimensions: list[dict] = Field(description="[{code, label}]")
    answered: bool = Field(description="我家是否已参加")
    result: PropertyResultOut | None = Field(None, description="结果：工作人员随时可见，居民在公布后可见")


class PropertyAnswerIn(Schema):
    scores: dict[str, int] = Field(description="{维度代码: 分数}，五级 1–5 或 满意 1 / 不满意 0")
    comment: str = ""


class PropertyResponseOut(Schema):
    id: int
    survey_id: int
    answered_at: datetime


class PropertyPhotoOut(Schema):
    id: int
    url: str = Field(description="经权限检查的文件地址")


class PropertyInspectionItemOut(Schema):
    id: int
    scope_item: str
    passed: bool
    note: str
    work_order_number: str
    work_order_state: str
    photos: list[PropertyPhotoOut] = []


class PropertyInspectionOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    company_name: str
    at: datetime
    notes: str
    items: list[PropertyInspectionItemOut] = []


class PropertyInspectionListOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    company_name: str
    at: datetime
    failed: int = Field(description="不合格事项数")


class PropertyScopeItemIn(Schema):
    dimension: str = Field("", max_length=16, description="对应测评维度代码，如 cleaning")
    name: str = Field(description="服务事项（60 字以内）")
    standard: str = Field("", description="服务标准（200 字以内）")


class PropertyContractIn(Schema):
    estate_id: int
    company_id: int = Field(description="物业公司（本社区的，或不属任何社区的）")
    starts_on: date
    ends_on: date
    fee_fen: int = Field(description="物业费，分/平方米·月")
    signed_by: str = Field("", description="签约方，如业主委员会")
    scope_items: list[PropertyScopeItemIn] | None = Field(
        None, max_length=100, description="服务事项及标准；不填则用常见的六项")


class PropertySurveyIn(Schema):
    estate_id: int
    year: int = Field(description="年度，2000–2100；须有当年在期的物业服务合同")
    scale: str = Field("five", description="five 五级评分；yes_no 满意/不满意")
    target_pct: int = Field(80, description="满意率目标（%），1–100")


class PropertySupervisorIn(Schema):
    estate_id: int
    mobile: str = Field(description="居民账号的手机号（须是本小区居民）")


class PropertySupervisorOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    user_id: int
    user_name: str
    appointed_at: datetime
    ended_at: datetime | None


class PropertyCheckIn(Schema):
    scope_item_id: int
    passed: bool
    note: str = Field("", description="问题说明；不合格时必填")
    photos: list[str] = Field(default=[], max_length=10,
                              description="照片，每张为 base64 编码的 JPEG/PNG/WebP（可带 data: 前缀），重新编码并去除定位信息")


class PropertyInspectionIn(Schema):
    estate_id: int
    checks: list[PropertyCheckIn] = Field(max_length=200, description="合同在期的每一项服务事项各一条")
    category: str | None = Field(None, description="工单类别代码；有不合格事项时必填")
    notes: str = ""
