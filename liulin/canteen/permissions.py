"""Who sees and runs the canteen.

- The operator's staff (a partner contact of the canteen's operating organisation) and the
  community's staff and secretary: the counter, the delivery queue, menus and prices of their
  canteen (scoped by operator org or community path).
- Community staff and secretary: care statuses with proof, family consents, the monthly claim.
- An auditor reads everything in his area.
- A resident: the orders of his household, and those he placed (for an elder who consented).
"""

from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Canteen, Claim, Order
from .workflow import ORDER_WORKFLOW

register_scope(Canteen, area_path="community__path", org="operator")
register_scope(Order, area_path="canteen__community__path", org="canteen__operator", household="resident__household", user="ordered_by")
register_scope(Claim, area_path="canteen__community__path", org="canteen__operator")

ORDER_WORKFLOW.grant_roles()

for role in (Role.PARTNER_CONTACT, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "canteen.counter", "canteen.view", "canteen.menu")
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "canteen.claim", "canteen.eligibility")
grant(Role.AUDITOR, "canteen.view", "canteen.claim_view")
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "canteen.claim_view")
grant(Role.RESIDENT, "canteen.order_view")
for role in (Role.PARTNER_CONTACT, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR):
    grant(role, "canteen.order_view")
# "canteen.eligibility" (care statuses, consents) is asked of the community (territory.Area).
