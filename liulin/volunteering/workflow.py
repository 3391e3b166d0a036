"""The state table of a service record (志愿服务记录), in one place.

记录 pending → 确认 confirmed; a volunteer disputes (异议) a pending or confirmed record; the
organiser decides: upholds it (维持) or corrects its minutes (更正), both with a reason; a
pending record found wrong is voided (作废) with a reason. Anything else is refused
(`IllegalTransition`, 409).

Separation of duties: nobody confirms or decides on his own hours (services.records), and
whoever added hours by hand does not confirm them too (`SEPARATED_DUTIES`, read from the
record's chain).
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import SeparatedDuties, Workflow, transition

from .models import ServiceRecord

S = ServiceRecord.State
R = Role
ORGANISERS = (R.VOLUNTEER_LEADER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)

TRANSITIONS = [
    transition("confirm", _("确认时长"), [S.PENDING], S.CONFIRMED, ORGANISERS),
    transition("void", _("作废"), [S.PENDING], S.VOIDED, ORGANISERS, needs_reason=True),
    # The volunteer himself, whatever other roles he holds: checked by ownership in the service.
    transition("dispute", _("提出异议"), [S.PENDING, S.CONFIRMED], S.DISPUTED, (R.RESIDENT,), needs_reason=True),
    transition("uphold", _("维持原记录"), [S.DISPUTED], S.CONFIRMED, ORGANISERS, needs_reason=True),
    transition("correct", _("更正时长"), [S.DISPUTED], S.CONFIRMED, ORGANISERS, needs_reason=True),
]

WORKFLOW = Workflow("volunteering", TRANSITIONS, state_label=lambda state: S(state).label)

SEPARATED_DUTIES = SeparatedDuties(
    {"record": {"record_manual"}, "confirm": {"confirm"}},
    {"record": _("补录"), "confirm": _("确认")},
)
