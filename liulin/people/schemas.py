"""API shapes of the resident registry. Phone and ID number only ever leave masked here;
the plain value is returned by the reveal endpoint alone, once, and logged."""

from datetime import date
from typing import Literal

from ninja import Field, Schema


class CareTagOut(Schema):
    code: str
    name: str


class ResidentOut(Schema):
    id: int
    name: str
    gender: str = Field(description="M 男 / F 女")
    birth_date: date
    age: int
    mobile_masked: str = Field(description="脱敏手机号，如 138****5678")
    id_masked: str = Field(description="脱敏身份证号，如 4301**********123X")
    household_id: int | None
    address: str
    relation: str
    care_tags: list[CareTagOut]
    is_party_member: bool
    party_branch: str | None

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
