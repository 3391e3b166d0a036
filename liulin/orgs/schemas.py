from datetime import date

from ninja import Schema


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community_id: int | None
    estate_id: int | None
    member_count: int
    party_member_count: int

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class MemberOut(Schema):
    """A member as the roll shows him: name, title, party flag. No phone number, ever."""

    id: int
    name: str
    title: str
    is_party_member: bool
    joined_on: date
    resident_id: int | None


class OrganisationDetailOut(OrganisationOut):
    description: str
    estate_name: str | None
    members: list[MemberOut]

    @staticmethod
    def resolve_estate_name(obj):
        return obj.estate.name if obj.estate_id else None


class MemberIn(Schema):
    resident_id: int | None = None
    name: str = ""
    title: str = "成员"
    is_party_member: bool | None = None
