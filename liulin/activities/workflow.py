"""The two state tables of activities, in one place.

An activity (class or event): 筹备中 draft → 报名中 open → 报名截止 closed → 已结束 finished,
or 已取消 cancelled with a reason. A class may first let its returning students renew
(老学员续报中 renewal), then take applications (申请中 applying), and fill its places by a
public lottery (draw) before first-come places and the waiting list (open). Finishing an event turns each confirmed place into
已参加 attended (checked in) or 爽约 no-show, which the no-show policy remembers.

An enrolment: 已报名 confirmed, or 候补中 waiting when no place is free (or the person may
only wait, by the no-show policy). When a place frees, the first in line is offered it
(候补递补待确认 offered) and it is held for the activity's `hold_hours`; nobody else can take
it meanwhile. He accepts (confirmed), declines, or lets it lapse (expired), and the place
passes to the next. Steps with no roles are taken by the platform itself (a freed place,
a lapsed offer, the end of an event), never by a person.

Check-in (签到) is a step recorded beside the table (`notes`): it changes no state, and a
class is checked in on every day it meets.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import IllegalTransition, Workflow, transition  # noqa: F401 (re-exported)

from .models import Activity, Enrolment, Selection

A = Activity.State
E = Enrolment.State
R = Role

# Who runs an activity: community staff for their community, a teacher for his school's
# classes, a team leader for his team's events (scoped by organiser, permissions.py).
ORGANISERS = (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY, R.TEACHER, R.VOLUNTEER_LEADER)
# Who acts for the enrolled person: himself or his family (residents), or the counter.
FOR_THE_PERSON = (R.RESIDENT, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)
PLATFORM = ()

ACTIVITY_WORKFLOW = Workflow(
    "activities",
    [
        transition("open_renewal", _("开始老学员续报"), [A.DRAFT], A.RENEWAL, ORGANISERS),
        transition("open_applications", _("开始报名申请"), [A.DRAFT, A.RENEWAL], A.APPLYING, ORGANISERS),
        transition("draw", _("公开抽签"), [A.APPLYING], A.OPEN, ORGANISERS),
        transition("open", _("开放报名"), [A.DRAFT, A.RENEWAL, A.CLOSED], A.OPEN, ORGANISERS),
        transition("close", _("截止报名"), [A.OPEN], A.CLOSED, ORGANISERS),
        transition("finish", _("结束"), [A.OPEN, A.CLOSED], A.FINISHED, ORGANISERS),
        transition("cancel_activity", _("取消活动"), [A.DRAFT, A.RENEWAL, A.APPLYING, A.OPEN, A.CLOSED], A.CANCELLED,
                   ORGANISERS, needs_reason=True),
    ],
    state_label=lambda state: A(state).label,
    notes={"check_in": ORGANISERS, "manage": ORGANISERS},
)

ENROLMENT_WORKFLOW = Workflow(
    "activities",
    [
        transition("accept", _("确认递补"), [E.OFFERED], E.CONFIRMED, FOR_THE_PERSON),
        transition("decline", _("放弃递补"), [E.OFFERED], E.DECLINED, FOR_THE_PERSON),
        transition("cancel", _("取消报名"), [E.APPLIED, E.CONFIRMED, E.WAITING], E.CANCELLED, FOR_THE_PERSON),
        transition("allot", _("抽中"), [E.APPLIED], E.CONFIRMED, PLATFORM),
        transition("draw_wait", _("未抽中，进入候补"), [E.APPLIED], E.WAITING, PLATFORM),
        transition("offer", _("递补"), [E.WAITING], E.OFFERED, PLATFORM),
        transition("expire", _("递补逾期"), [E.OFFERED], E.EXPIRED, PLATFORM),
        transition("mark_attended", _("记为已参加"), [E.CONFIRMED], E.ATTENDED, PLATFORM),
        transition("mark_no_show", _("记为爽约"), [E.CONFIRMED], E.NO_SHOW, PLATFORM),
        transition("withdraw", _("活动取消退出"), [E.APPLIED, E.CONFIRMED, E.WAITING, E.OFFERED], E.CANCELLED, PLATFORM),
    ],
    state_label=lambda state: E(state).label,
)

# A person's own steps, taken through `services.act_on_enrolment`.
PERSON_ACTIONS = ("accept", "decline", "cancel")
HOLDS_PLACE = frozenset({E.CONFIRMED, E.OFFERED})

S = Selection.State
JURY = (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)

# 好家风: 推荐中 → 资格审核 → 群众投票 → 公示中 (score computed from the ballots and jury) → 已公布.
# The 公示 and its objections are the notices app's (core.publication): the community's staff
# answer them in the 公示栏, and `publish` waits for its period and every answer.
SELECTION_WORKFLOW = Workflow(
    "activities",
    [
        transition("start_review", _("截止推荐，开始审核"), [S.NOMINATING], S.REVIEWING, JURY),
        transition("start_voting", _("开始投票"), [S.REVIEWING], S.VOTING, JURY),
        transition("start_publicity", _("计分并公示"), [S.VOTING], S.PUBLICITY, JURY),
        transition("publish", _("公布结果"), [S.PUBLICITY], S.PUBLISHED, (R.COMMUNITY_SECRETARY,)),
    ],
    state_label=lambda state: S(state).label,
    notes={"review": JURY, "score": JURY},
)
