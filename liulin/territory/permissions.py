from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Area, Building, Estate, Facility, Grid, Household

register_scope(Area, area_path="path")
register_scope(Grid, area_path="community__path", grid="id")
register_scope(Estate, area_path="community__path", grid="buildings__grid")
register_scope(Building, area_path="community__path", grid="grid")
register_scope(Household, area_path="community__path", grid="grid", household="id")
register_scope(Facility, area_path="community__path")

TERRITORY_VIEWERS = [
    Role.HOTLINE_OPERATOR,
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.COMMUNITY_SECRETARY,
    Role.AUDITOR,
    Role.VENUE_MANAGER,
    Role.RESIDENT,
]
for role in TERRITORY_VIEWERS:
    grant(role, "territory.view")
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "territory.change")
