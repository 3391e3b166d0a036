"""The state table of a satisfaction survey.

草稿 → 测评中 (open: owners answer) → 已截止 (close: no more answers) → 已公布 (publish: the
result is public and shown beside the company's 三率). Nothing goes back: a published result
stands, a mistake is a note beside it.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import SurveyState

STAFF = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)
READERS = (*STAFF, Role.GRID_WORKER, Role.AUDITOR, Role.PROPERTY_STAFF)

SURVEY = Workflow("property", [
    transition("open", _("开始测评"), [SurveyState.DRAFT], SurveyState.OPEN, STAFF),
    transition("close", _("截止测评"), [SurveyState.OPEN], SurveyState.CLOSED, STAFF),
    transition("publish", _("公布结果"), [SurveyState.CLOSED], SurveyState.PUBLISHED, STAFF),
], state_label=lambda state: SurveyState(state).label,
    notes={"view": READERS, "manage": STAFF})
