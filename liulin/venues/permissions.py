"""Who may do what with venues. Bookings reach their community through their resource; a
resident reaches the bookings he made (`user`). Resources are read by residents of the
community through `selectors.resources_for`, which knows the resident's household."""

from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Booking, Membership, Resource
from .workflow import BOOKING_WORKFLOW, MEMBERSHIP_WORKFLOW

register_scope(Resource, area_path="community__path")
register_scope(Booking, area_path="resource__community__path", user="booker")
register_scope(Membership, area_path="plan__resource__community__path", user="member")

MANAGERS = (Role.VENUE_MANAGER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)

for role in (*MANAGERS, Role.AUDITOR, Role.RESIDENT):
    grant(role, "venues.view")
for role in MANAGERS:
    # Book on behalf of the community (events, courses), see every booking and membership of it.
    grant(role, "venues.manage")
BOOKING_WORKFLOW.grant_roles()
MEMBERSHIP_WORKFLOW.grant_roles()
