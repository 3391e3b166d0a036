"""Who may do what in day care. Community staff manage a centre's enrolments; the centre's
care staff (its `staff` list, whatever their role) check elders in and out, write the care
log and read health notes; a family contact with an account acts for his own elder only;
auditors read counts, never health notes."""

from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Centre, Enrolment
from .workflow import ATTENDANCE_WORKFLOW, ENROLMENT_WORKFLOW, MANAGERS

register_scope(Centre, area_path="community__path")
register_scope(Enrolment, area_path="centre__community__path")

for role in MANAGERS:
    grant(role, "daycare.manage", "daycare.view")
grant(Role.AUDITOR, "daycare.view")
ENROLMENT_WORKFLOW.grant_roles()
ATTENDANCE_WORKFLOW.grant_roles()
