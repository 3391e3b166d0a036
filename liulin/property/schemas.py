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


class PropertyInspectionItemOut(Schema):
    id: int
    scope_item: str
    passed: bool
    note: str
    work_order_number: str
    work_order_state: str


class PropertyInspectionOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    company_name: str
    at: datetime
    notes: str
    items: list[PropertyInspectionItemOut] = []
