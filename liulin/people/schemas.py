"""API shapes of the resident registry. Phone and ID number only ever leave masked here;
the plain value is returned by the reveal endpoint alone, once, and logged."""

from datetime import date, datetime
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


class PeopleProxyServiceOut(Schema):
    code: str
    label: str


class PeopleProxyIn(Schema):
    elder_id: int | None = Field(None, description="委托人（居民）；不填为本人。工作人员为无手机的老人登记时填写")
    proxy_mobile: str = Field(pattern=r"^1\d{10}$", description="代办人账号的手机号")
    relation: str = Field(max_length=16, description="child 子女 / spouse 配偶 / grandchild 孙子女 / sibling / relative / grid_worker 网格员 / other")
    services: list[str] = Field(max_length=20, description="可代办的服务代码，见 /people/proxy-services")
    valid_until: date = Field(description="有效期至（含当天）")
    consent_proof: str = Field("", max_length=200, description="授权凭证：工作人员登记时必填（书面授权书编号等）")


class PeopleProxyOut(Schema):
    id: int
    elder_id: int
    elder_name: str
    proxy_user_id: int | None
    proxy_name: str
    relation: str
    services: list[str]
    valid_until: date
    consent_proof: str
    granted_at: datetime
    revoked_at: datetime | None
    end_reason: str
    live: bool

    @staticmethod
    def resolve_elder_name(obj):
        return obj.elder.name

    @staticmethod
    def resolve_services(obj):
        return sorted(obj.service_codes)

    @staticmethod
    def resolve_live(obj):
        from liulin.core import calendar, clock

        return obj.live_on(calendar.local_date(clock.now()))


class PeopleProxyEventOut(Schema):
    id: int
    proxy_id: int
    elder_id: int
    elder_name: str
    actor_name: str
    at: datetime
    action: str = Field(description="grant 授权 / act 代办 / revoke 撤回 / end 更新或到期")
    service: str
    what: str
    summary: str
    target_type: str
    target_id: str

    @staticmethod
    def resolve_elder_id(obj):
        return obj.proxy.elder_id

    @staticmethod
    def resolve_elder_name(obj):
        return obj.proxy.elder.name

    @staticmethod
    def resolve_actor_name(obj):
        return obj.actor.name if obj.actor_id else ""

    @staticmethod
    def resolve_what(obj):
        return obj.data.get("what", "")

    @staticmethod
    def resolve_summary(obj):
        return obj.data.get("summary", "")
