"""The state tables of 议事: the meeting, its minutes, and a decision's action item.

Meeting:  筹备中 --notify--> 已通知 --open--> 进行中 --adjourn--> 已召开;  cancel before it opens.
Minutes:  草稿 --open_amendments--> 征求修改 (only those who signed in may amend) --finalise--> 定稿
          (its hash is chained in the meeting's events); only after the meeting was held.
Action item: 待落实 --file_order--> 已转工单 --order_done--> 已办结 (the work order's own
          outcome, reported through core.workorders) or --order_failed--> 待落实 again;
          待落实 --complete--> 已办结 when done without an order; --drop--> 已撤销 with a reason.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import CaseState, DecisionState, ItemState, MatterState, MinutesState, State, TermState

STAFF = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)

MEETING = Workflow("deliberation", [
    transition("notify", _("发出通知"), [State.DRAFT], State.NOTICED, STAFF),
    transition("open", _("开会"), [State.NOTICED], State.IN_SESSION, STAFF),
    transition("adjourn", _("散会"), [State.IN_SESSION], State.HELD, STAFF),
    transition("cancel", _("取消会议"), [State.DRAFT, State.NOTICED], State.CANCELLED, STAFF, needs_reason=True),
], state_label=lambda state: State(state).label, notes={
    "view": STAFF + (Role.AUDITOR, Role.COMMITTEE_MEMBER, Role.PROPERTY_STAFF, Role.PARTNER_CONTACT, Role.DEPARTMENT_OFFICER,
                     Role.GRID_WORKER),
    "convene": STAFF,
    "rsvp": (Role.COMMITTEE_MEMBER, Role.PROPERTY_STAFF, Role.PARTNER_CONTACT, Role.DEPARTMENT_OFFICER) + STAFF,
    "sign_in_others": STAFF + (Role.GRID_WORKER,),
    "poll": STAFF,
    "decide": STAFF,
})

# Sign-in is open from the notice until the meeting ends.
# Before the meeting opens: the agenda, the invited parties and their replies may still change.
BEFORE_OPENING = frozenset({State.DRAFT, State.NOTICED})
SIGN_IN_STATES = frozenset({State.NOTICED, State.IN_SESSION})
# Polls are opened and ballots cast, and decisions made, only in session.
SESSION_STATES = frozenset({State.IN_SESSION})

MINUTES = Workflow("deliberation_minutes", [
    transition("open_amendments", _("征求修改"), [MinutesState.DRAFT], MinutesState.AMENDING, STAFF),
    transition("finalise", _("纪要定稿"), [MinutesState.AMENDING], MinutesState.FINAL, STAFF),
], state_label=lambda state: MinutesState(state).label)

ITEM = Workflow("deliberation_item", [
    transition("file_order", _("转为雷锋哨工单"), [ItemState.OPEN], ItemState.ORDERED, STAFF),
    transition("complete", _("确认办结"), [ItemState.OPEN], ItemState.DONE, STAFF),
    transition("drop", _("撤销事项"), [ItemState.OPEN, ItemState.ORDERED], ItemState.DROPPED, STAFF, needs_reason=True),
    # Reported by the work order itself (core.workorders), never taken by a person.
    transition("order_done", _("工单办结"), [ItemState.ORDERED], ItemState.DONE, ()),
    transition("order_failed", _("工单未办成"), [ItemState.ORDERED], ItemState.OPEN, ()),
], state_label=lambda state: ItemState(state).label)


# 四议两公开: each vote stage leads to the next stage when its vote passes, else to 未通过
# (target None: the service decides from the vote). The 公示 and its objections are
# the notices app's (core.publication); `implement` waits for its period and answers.
MATTER = Workflow("deliberation_matter", [
    transition("discuss", _("两委商议"), [MatterState.PROPOSED], None, STAFF),
    transition("review", _("党员大会审议"), [MatterState.DISCUSSED], None, STAFF),
    transition("resolve", _("居民(代表)会议决议"), [MatterState.REVIEWED], None, STAFF),
    transition("publicise", _("决议公开"), [MatterState.RESOLVED], MatterState.PUBLICISED, STAFF),
    transition("implement", _("组织实施"), [MatterState.PUBLICISED], MatterState.IMPLEMENTING, STAFF),
    transition("publish_result", _("实施结果公开"), [MatterState.IMPLEMENTING], MatterState.CLOSED, STAFF),
], state_label=lambda state: MatterState(state).label, notes={"propose": STAFF})

NEXT_STAGE = {"discuss": MatterState.DISCUSSED, "review": MatterState.REVIEWED, "resolve": MatterState.RESOLVED}


# 人民调解: mediators are community staff, and the owners' committee members of the case's
# estate (estate party secretaries chair the committees and mediate, article 多元共治安邻).
MEDIATORS = STAFF + (Role.COMMITTEE_MEMBER,)
CASE = Workflow("deliberation_case", [
    transition("begin", _("开始调解"), [CaseState.ACCEPTED], CaseState.MEDIATING, MEDIATORS),
    transition("agree", _("达成协议"), [CaseState.MEDIATING], CaseState.AGREED, MEDIATORS),
    transition("sign_off", _("协议签署生效"), [CaseState.AGREED], CaseState.SIGNED, MEDIATORS),
    transition("close", _("结案"), [CaseState.SIGNED], CaseState.CLOSED, MEDIATORS),
    transition("fail", _("调解不成"), [CaseState.ACCEPTED, CaseState.MEDIATING, CaseState.AGREED], CaseState.FAILED, MEDIATORS,
               needs_reason=True),
    transition("withdraw", _("当事人撤回"), [CaseState.ACCEPTED, CaseState.MEDIATING], CaseState.WITHDRAWN, MEDIATORS,
               needs_reason=True),
], state_label=lambda state: CaseState(state).label, notes={
    "view_case": MEDIATORS + (Role.AUDITOR,), "accept": MEDIATORS, "session": MEDIATORS, "sign": MEDIATORS,
    "follow_up": MEDIATORS,
})


# 业主委员会: staff register a term and record its 备案; the committee's members record
# their meetings and decisions and publish them; auditors read.
COMMITTEE_RECORDERS = STAFF + (Role.COMMITTEE_MEMBER,)
TERM = Workflow("deliberation_term", [
    transition("file", _("备案"), [TermState.ELECTED], TermState.FILED, STAFF),
], state_label=lambda state: TermState(state).label, notes={
    "view_term": COMMITTEE_RECORDERS + (Role.AUDITOR,), "register": STAFF, "meet": COMMITTEE_RECORDERS,
})
DECISION = Workflow("deliberation_committee_decision", [
    transition("publish", _("公布决定"), [DecisionState.RECORDED], DecisionState.PUBLISHED, COMMITTEE_RECORDERS),
], state_label=lambda state: DecisionState(state).label)
