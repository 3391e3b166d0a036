from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Membership, Organisation

register_scope(Organisation, area_path="community__path", org="id")
register_scope(Membership, area_path="org__community__path", org="org")

for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.HOTLINE_OPERATOR, Role.GRID_WORKER):
    grant(role, "orgs.view")
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "orgs.change")
# People who run an organisation see and keep its own roll.
for role in (Role.PROPERTY_STAFF, Role.COMMITTEE_MEMBER, Role.PARTNER_CONTACT, Role.DEPARTMENT_OFFICER,
             Role.VOLUNTEER_LEADER, Role.TEACHER):
    grant(role, "orgs.view")
for role in (Role.VOLUNTEER_LEADER, Role.TEACHER):
    grant(role, "orgs.change")
