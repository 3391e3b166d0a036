"""The state table of a notice.

草稿 → 公示中 (publish) → 已办结 (finalise: only after the period has run out with every
objection answered). A draft may be discarded; a published notice cannot be withdrawn or
ended early — a mistake is corrected by a new version (a step beside the table, which
restarts the period), objections are filed and answered beside it too.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import State

STAFF = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)

NOTICE = Workflow("notices", [
    transition("publish", _("发布公示"), [State.DRAFT], State.PUBLISHED, STAFF),
    transition("discard", _("作废草稿"), [State.DRAFT], State.DISCARDED, STAFF, needs_reason=True),
    transition("finalise", _("公示期满办结"), [State.PUBLISHED], State.FINALISED, STAFF),
], state_label=lambda state: State(state).label,
    notes={"create": STAFF, "correct": STAFF, "answer": STAFF, "record_posting": STAFF, "view": (*STAFF, Role.GRID_WORKER, Role.AUDITOR),
           "manage_catalogue": STAFF})
