"""The state tables of day care: an enrolment (waiting list to ended) and a day's attendance."""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import Attendance, Enrolment

E = Enrolment.State
A = Attendance.State
MANAGERS = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)

ENROLMENT_WORKFLOW = Workflow("daycare", [
    transition("admit", _("入托"), [E.WAITING], E.ACTIVE, MANAGERS),
    transition("suspend", _("暂停"), [E.ACTIVE], E.SUSPENDED, MANAGERS),
    transition("resume", _("恢复"), [E.SUSPENDED], E.ACTIVE, MANAGERS),
    # A family proxy (a resident) may withdraw the elder too.
    transition("end", _("结束托老"), [E.WAITING, E.ACTIVE, E.SUSPENDED], E.ENDED, (*MANAGERS, Role.RESIDENT), needs_reason=True),
], state_label=lambda state: E(state).label)

ATTENDANCE_WORKFLOW = Workflow("daycare", [
    transition("check_out", _("离站"), [A.PRESENT], A.LEFT, (*MANAGERS, Role.RESIDENT)),
], state_label=lambda state: A(state).label)
