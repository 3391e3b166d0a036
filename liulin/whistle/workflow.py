"""The work-order state table, in one place.

下单 submitted → 派单 dispatched → 接单 accepted → 处理中 in progress → 办结 resolved →
核单 verified → 回访 closed; plus return, reassign, suspend/resume, reopen and the honest end
states. Each action names the states it may start from, the state it leads to and the roles
that may take it. Anything not in this table is refused (`IllegalTransition`, a 409
domain error). The machinery (table, grants, refusal, separation of duties) is the kernel's
(core.workflow); the table and the duties are whistle's.

Roles are checked through the permission layer (core.permissions): each action here is
granted as the permission "whistle.<action>" to its roles (whistle/permissions.py), so a
role must also hold the ticket in its scope (its grid, its community, its organisation, or
- for a resident - his own request).
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import IllegalTransition, SeparatedDuties, Transition, Workflow, transition  # noqa: F401 (re-exported)

from .models import State

S = State
R = Role

OPEN_STATES = frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED})
# Work on it has started and not finished: the handler's clock runs (unless suspended).
HANDLING_STATES = frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS})
TERMINAL_STATES = frozenset({S.CLOSED, S.FORWARDED, S.MERGED, S.WITHDRAWN, S.UNRESOLVABLE})
# Closed with a verdict vs. excluded from the rates (counted separately, never hidden).
EXCLUDED_END_STATES = frozenset({S.FORWARDED, S.MERGED, S.WITHDRAWN})

DISPATCHERS = (R.HOTLINE_OPERATOR, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)
SUPERVISORS = (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)
HANDLERS = (R.PROPERTY_STAFF, R.DEPARTMENT_OFFICER, R.GRID_WORKER, R.COMMUNITY_STAFF)
VERIFIERS = (R.DEPARTMENT_OFFICER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)


_t = transition

TRANSITIONS = {
    t.action: t
    for t in [
        _t("dispatch", _("派单"), [S.SUBMITTED], S.DISPATCHED, DISPATCHERS),
        _t("reassign", _("转派"), [S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS], S.DISPATCHED, DISPATCHERS, needs_reason=True),
        _t("return", _("退单"), [S.DISPATCHED, S.ACCEPTED], S.SUBMITTED, HANDLERS, needs_reason=True),
        _t("accept", _("接单"), [S.DISPATCHED], S.ACCEPTED, HANDLERS),
        _t("start", _("开始处理"), [S.ACCEPTED], S.IN_PROGRESS, HANDLERS),
        _t("resolve", _("办结"), [S.ACCEPTED, S.IN_PROGRESS], S.RESOLVED, HANDLERS, needs_reason=True),
        _t("request_suspension", _("申请挂起"), [S.ACCEPTED, S.IN_PROGRESS], None, HANDLERS, needs_reason=True),
        _t("suspend", _("批准挂起"), [S.ACCEPTED, S.IN_PROGRESS], S.SUSPENDED, SUPERVISORS, needs_reason=True),
        _t("resume", _("恢复办理"), [S.SUSPENDED], None, SUPERVISORS + (R.PROPERTY_STAFF, R.DEPARTMENT_OFFICER)),
        _t("verify", _("核单通过"), [S.RESOLVED], S.VERIFIED, VERIFIERS),
        _t("reject", _("核单退回"), [S.RESOLVED], S.IN_PROGRESS, VERIFIERS, needs_reason=True),
        _t("callback", _("回访"), [S.VERIFIED], S.CLOSED, (R.HOTLINE_OPERATOR, R.COMMUNITY_STAFF, R.RESIDENT)),
        _t("reopen", _("重办"), [S.CLOSED], S.DISPATCHED, DISPATCHERS, needs_reason=True),
        _t("forward", _("非职责转出"), [S.SUBMITTED, S.DISPATCHED], S.FORWARDED, DISPATCHERS, needs_reason=True),
        _t("merge", _("合并重复"), [S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS], S.MERGED, DISPATCHERS),
        _t(
            "withdraw",
            _("撤单"),
            [S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED],
            S.WITHDRAWN,
            (R.RESIDENT, R.HOTLINE_OPERATOR),
            needs_reason=True,
        ),
        _t(
            "close_unresolvable",
            _("无法办理结案"),
            [S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED],
            S.UNRESOLVABLE,
            (R.COMMUNITY_SECRETARY,),
            needs_reason=True,
        ),
    ]
}

# Separation of duties (docs/kpi.md, "Who may act"); the permission layer enforces the two
# unit rules (whistle/permissions.py), `transitions.act` the rule on persons.
# The work itself: only members of the unit the ticket is dispatched to.
UNIT_WORK = frozenset({"return", "accept", "start", "resolve", "request_suspension"})
# Steps that judge the unit's work, stop its clock or end its round early: never by a member
# of the unit that holds the ticket.
CHECKS_ON_UNIT = frozenset({"reassign", "suspend", "verify", "reject", "callback", "forward", "merge", "close_unresolvable"})
# One person takes at most one of these duties on one ticket, over its whole life.
DUTIES = {
    "handle": frozenset({"accept", "start", "resolve"}),
    "verify": frozenset({"verify", "reject"}),
    "callback": frozenset({"callback"}),
}
DUTY_LABELS = {"handle": _("办理"), "verify": _("核单"), "callback": _("回访")}
SEPARATED_DUTIES = SeparatedDuties(DUTIES, DUTY_LABELS)
DUTY_OF = SEPARATED_DUTIES.of
duty_conflict = SEPARATED_DUTIES.conflict

# Actions that change no state but are recorded on the ticket's chain.
NOTES = {
    "comment": (DISPATCHERS + HANDLERS + VERIFIERS + (R.RESIDENT,)),
    "internal_note": (DISPATCHERS + HANDLERS + VERIFIERS),
    "urge": (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY, R.COMMITTEE_MEMBER, R.PARTNER_CONTACT),
    "escalate": SUPERVISORS,
    "whistle": SUPERVISORS,
}


WORKFLOW = Workflow("whistle", TRANSITIONS.values(), state_label=lambda state: State(state).label, notes=NOTES)
transition_for = WORKFLOW.transition_for
available_actions = WORKFLOW.available_actions
TRANSITIONS = WORKFLOW.transitions


# --- how each recorded step reads on a timeline -----------------------------------------
# One table for every action a ticket's chain may hold: the transitions (their own label for
# staff), the notes above, and the steps the system or other flows record. Each has a label
# for staff and one for the resident, so no action code ever reaches a page or the API.
STAFF, RESIDENT = "staff", "resident"
_ = gettext_lazy
_RESIDENT_TRANSITION_LABELS = {
    "dispatch": _("已派给承办单位"),
    "reassign": _("已改派承办单位"),
    "return": _("承办单位退回，重新派单"),
    "accept": _("承办单位已接单"),
    "start": _("开始处理"),
    "resolve": _("已办结"),
    "request_suspension": _("申请暂缓办理"),
    "suspend": _("暂缓办理"),
    "resume": _("恢复办理"),
    "verify": _("核查通过"),
    "reject": _("核查未通过，继续办理"),
    "callback": _("回访"),
    "reopen": _("重新办理"),
    "forward": _("转交其他单位"),
    "merge": _("与同类诉求合并办理"),
    "withdraw": _("撤单"),
    "close_unresolvable": _("无法办理，已结案"),
}
_OTHER_EVENT_LABELS = {
    # action: (staff, resident)
    "file": (_("下单"), _("提交诉求")),
    "comment": (_("留言"), _("留言")),
    "internal_note": (_("内部备注"), _("内部备注")),
    "urge": (_("催办"), _("已催办")),
    "escalate": (_("升级"), _("升级办理")),
    "whistle": (_("吹哨"), _("社区吹哨，召集部门")),
    "report_in": (_("部门报到"), _("部门到场报到")),
    "summons_actions": (_("部门处置情况"), _("部门处置情况")),
    "summons_verified": (_("部门核单"), _("部门确认处置结果")),
    "cosign": (_("附议（我也遇到）"), _("附议（我也遇到）")),
    "remind": (_("到期提醒"), _("到期提醒")),
    "overdue": (_("超时"), _("已超时，督促办理")),
}
EVENT_LABELS = {
    **{action: (t.label, _RESIDENT_TRANSITION_LABELS.get(action, t.label)) for action, t in TRANSITIONS.items()},
    **_OTHER_EVENT_LABELS,
}
# A merged duplicate records its parent's steps as "parent_<action>" (transitions._merged_children_follow).
PARENT_PREFIX = "parent_"
EVENT_LABELS.update(
    {
        f"{PARENT_PREFIX}{action}": (format_lazy(_("主工单：{}"), staff), format_lazy(_("合并办理的诉求：{}"), resident))
        for action, (staff, resident) in list(EVENT_LABELS.items())
    }
)
UNKNOWN_EVENT_LABEL = _("处理记录")


def event_label(action, audience=STAFF):
    """The words for `action` on a timeline seen by `audience` (STAFF or RESIDENT)."""
    labels = EVENT_LABELS.get(action)
    if labels is None:
        return UNKNOWN_EVENT_LABEL
    return labels[0] if audience == STAFF else labels[1]
