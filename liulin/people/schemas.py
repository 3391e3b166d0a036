"""API shapes of the resident registry. Phone and ID number only ever leave masked here;
the plain value is returned by the reveal endpoint alone, once, and logged."""

from datetime import date
from typing import Literal

from ninja import Field, Schema

from .selectors import shown_birth_date


class CareTagOut(Schema):
    code: str
    name: str


class ResidentOut(Schema):
    id: int
    name: str
    gender: str = Field(description="M 男 / F 女")
    birth_date: date | None = Field(
        description="出生日期：仅对可查看该居民身份证号的角色返回，其余角色为 null（出生日期是身份证号的一部分），请用 age"
    )
    age: int
    mobile_masked: str = Field(description="脱敏手机号，如 138****5678")
    id_masked: str = Field(description="脱敏身份证号，只留地区前 4 位和校验位，如 4301*************X")
    household_id: int | None
    address: str
    relation: str
    care_tags: list[CareTagOut]
    is_party_member: bool
    party_branch: str | None

    @staticmethod
    def resolve_birth_date(obj):
        return shown_birth_date(obj)

    @staticmethod
    def resolve_care_tags(obj):
        return list(obj.care_tags.all())

    @staticmethod
    def resolve_party_branch(obj):
        return obj.party_branch.name if obj.party_branch_id else None


class RevealIn(Schema):
    field: Literal["mobile", "id_number"]
    reason: str = Field(min_length=2, max_length=200, description="查看原因，会记录在访问日志中")


class RevealOut(Schema):
    value: str


class IdCheckIn(Schema):
    id_number: str = Field(min_length=1, max_length=32, description="居民本人提供的身份证号")


class IdCheckOut(Schema):
    match: bool = Field(description="与登记的身份证号是否一致（不返回登记的号码）")
