from ninja import Schema


class RoleOut(Schema):
    role: str
    role_label: str
    scope_kind: str  # "area", "grid", "org" or "household"
    scope_id: int | None
    scope_name: str


class MeOut(Schema):
    id: int
    name: str
    mobile: str  # masked, as everywhere
    elder_mode: bool
    language: str
    roles: list[RoleOut]
