"""Who sees what in 党建引领惠邻, and the grants the state tables imply.

A community's staff see everything of their community; a grid worker his grid's needs and
wishes; a partner unit's contact the lists of the communities his unit partners with, but
only his own unit's agreement, resources, projects, members and service records; a
resident (an in-service member is one where he lives) his own registration, his services,
the wishes he claimed and the needs and wishes raised for his household.
"""

from liulin.core.permissions import grant, register_scope

from . import models as m
from .workflow import NOTES, TABLES

PARTNER_COMMUNITY = "community__partnerships__org"

register_scope(m.Partnership, area_path="community__path", org="org")
register_scope(m.LinkActivity, area_path="partnership__community__path", org="partnership__org")
register_scope(m.Resource, area_path="community__path", org="org")
register_scope(m.Need, area_path="community__path", grid="grid", org=PARTNER_COMMUNITY, household="beneficiary__household",
               user="raised_by")
register_scope(m.Project, area_path="community__path", grid="need__grid", org="org", household="need__beneficiary__household",
               user="members__registration__user")
register_scope(m.Registration, area_path="community__path", org="org", user="user")
register_scope(m.ServiceRecord, area_path="community__path", org="org", household="beneficiary__household",
               grid="beneficiary__household__grid",
               user="registration__user")
register_scope(m.Wish, area_path="community__path", grid="grid", org=PARTNER_COMMUNITY, household="beneficiary__household",
               user="claims__registration__user")
register_scope(m.Evaluation, area_path="registration__community__path", org="registration__org", user="registration__user")

for table in TABLES:
    table.grant_roles()
for action, roles in NOTES.items():
    for role in roles:
        grant(role, f"partybuilding.{action}")
