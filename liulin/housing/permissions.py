"""Who sees and runs housing.

- Community staff and secretary: the rounds, applications and leases of their community.
- A resident: the open rounds of his community (selectors), and the applications and leases
  of his household.
- An auditor reads everything in his area.
"""

from liulin.core.attachments.selectors import register_owner
from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Apartment, Application, Defect, Document, Lease, RenewalRequest, Round
from .workflow import APPLICATION_WORKFLOW, LEASE_WORKFLOW, RENEWAL_WORKFLOW, ROUND_WORKFLOW

register_scope(Apartment, area_path="community__path")
register_scope(Round, area_path="community__path")
register_scope(Application, area_path="round__community__path", household="applicant__household")
register_scope(Document, area_path="application__round__community__path", household="application__applicant__household")
register_scope(Lease, area_path="apartment__community__path", household="tenant__household")
register_scope(RenewalRequest, area_path="lease__apartment__community__path", household="lease__tenant__household")
register_scope(Defect, area_path="inspection__lease__apartment__community__path", household="inspection__lease__tenant__household")

register_owner(Document, perm="housing.view")
register_owner(Defect, perm="housing.view")

ROUND_WORKFLOW.grant_roles()
APPLICATION_WORKFLOW.grant_roles()
LEASE_WORKFLOW.grant_roles()
RENEWAL_WORKFLOW.grant_roles()

for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR, Role.RESIDENT):
    grant(role, "housing.view")
for role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY):
    grant(role, "housing.create")
