"""A vote's life, in one table.

草拟 draft → 公告 noticed (at least the estate's notice days, never fewer than 15, before
voting opens) → 投票中 open (at its opening time) → 已截止 closed (at its deadline, by the
scheduled sweep) → 已计票 counted → 已公示 published (with an objection period). A draft or a
noticed vote can be cancelled with a reason. Anything not in the table is refused
(IllegalTransition, 409).

Ballots are steps beside the table (`NOTES`): owners cast online, staff enter counter and
paper ballots. Separation of duties on paper: the two copies of one sheet are typed by two
different people (a unique constraint), and a disagreement is settled by a third who typed
neither.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import State

S, R = State, Role

MANAGERS = (R.COMMITTEE_MEMBER,)
CLERKS = (R.COMMITTEE_MEMBER, R.COMMUNITY_STAFF)

TRANSITIONS = [
    transition("publish_notice", _("发布公告"), [S.DRAFT], S.NOTICED, MANAGERS),
    transition("open", _("开始投票"), [S.NOTICED], S.OPEN, MANAGERS),
    transition("close", _("截止投票"), [S.OPEN], S.CLOSED, MANAGERS),
    transition("count", _("计票"), [S.CLOSED], S.COUNTED, MANAGERS),
    transition("publish_result", _("公示结果"), [S.COUNTED], S.PUBLISHED, MANAGERS),
    transition("cancel", _("撤销"), [S.DRAFT, S.NOTICED], S.CANCELLED, MANAGERS, needs_reason=True),
]

NOTES = {
    "enter_counter": CLERKS,
    "enter_paper": CLERKS,
    "resolve_paper": CLERKS,
    "record_service": CLERKS,
    "register_proxy": CLERKS,
}

WORKFLOW = Workflow("votes", TRANSITIONS, state_label=lambda state: State(state).label, notes=NOTES)
