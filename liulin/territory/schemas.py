from ninja import Schema


class AreaNodeOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    children: list["AreaNodeOut"] = []


AreaNodeOut.model_rebuild()


class AreaOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    parent_id: int | None
    path: str


class GridOut(Schema):
    id: int
    code: str
    name: str
    community_id: int
    community_name: str
    boundary: dict

    @staticmethod
    def resolve_community_name(obj):
        return obj.community.name


class EstateOut(Schema):
    id: int
    name: str
    address: str
    community_id: int


class BuildingOut(Schema):
    id: int
    name: str
    estate_id: int
    estate_name: str
    grid_id: int
    lon: float | None
    lat: float | None

    @staticmethod
    def resolve_estate_name(obj):
        return obj.estate.name


class HouseholdOut(Schema):
    id: int
    room: str
    address: str
    building_id: int
    grid_id: int
    community_id: int
