"""The state tables of 党建引领惠邻, one per aggregate, in one place (core.workflow).

Each action is granted as "partybuilding.<action>" to the roles named here; who may act on
which row is still the permission layer's (permissions.py: scopes by community, grid, partner
unit, household or user). Anything not in a table is refused with IllegalTransition (409).
Steps the system takes by itself (a need met when its project is confirmed, reopened when
its project is cancelled) are recorded on the chain with the role "system" and are not
offered to anyone.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role as R
from liulin.core.workflow import SeparatedDuties, Workflow, transition

from .models import Need, Project, Registration, ServiceRecord, Wish

STAFF = (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)
CONFIRMERS = (R.GRID_WORKER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY, R.RESIDENT)

N = Need.State
NEED = Workflow("partybuilding", [
    transition("need_claim", _("单位认领"), [N.OPEN], N.MATCHED, (R.PARTNER_CONTACT,)),
    transition("need_assign", _("社区派给资源"), [N.OPEN], N.MATCHED, STAFF),
    transition("need_withdraw", _("撤回需求"), [N.OPEN], N.WITHDRAWN, STAFF + (R.GRID_WORKER,), needs_reason=True),
], state_label=lambda s: N(s).label)

P = Project.State
PROJECT = Workflow("partybuilding", [
    transition("project_start", _("开始实施"), [P.PLANNED], P.IN_PROGRESS, (R.PARTNER_CONTACT,) + STAFF),
    transition("project_deliver", _("提交完成"), [P.IN_PROGRESS], P.DELIVERED, (R.PARTNER_CONTACT,) + STAFF, needs_reason=True),
    transition("project_confirm", _("确认完成"), [P.DELIVERED], P.COMPLETED, CONFIRMERS),
    transition("project_return", _("退回继续实施"), [P.DELIVERED], P.IN_PROGRESS, CONFIRMERS, needs_reason=True),
    transition("project_cancel", _("取消项目"), [P.PLANNED, P.IN_PROGRESS], P.CANCELLED, (R.PARTNER_CONTACT,) + STAFF, needs_reason=True),
], state_label=lambda s: P(s).label)
# The one who reports a project done never confirms it.
PROJECT_DUTIES = SeparatedDuties({"deliver": {"project_deliver"}, "confirm": {"project_confirm", "project_return"}},
                                 {"deliver": _("提交完成"), "confirm": _("确认")})

G = Registration.State
REGISTRATION = Workflow("partybuilding", [
    transition("registration_confirm", _("单位确认"), [G.PENDING], G.CONFIRMED, (R.PARTNER_CONTACT,)),
    transition("registration_reject", _("单位不予确认"), [G.PENDING], G.REJECTED, (R.PARTNER_CONTACT,), needs_reason=True),
    transition("registration_withdraw", _("退出报到"), [G.PENDING, G.CONFIRMED], G.WITHDRAWN, (R.RESIDENT,) + STAFF, needs_reason=True),
], state_label=lambda s: G(s).label)

S = ServiceRecord.State
SERVICE = Workflow("partybuilding", [
    transition("service_confirm", _("确认服务"), [S.LOGGED], S.CONFIRMED, CONFIRMERS),
    transition("service_reject", _("不予确认"), [S.LOGGED], S.REJECTED, CONFIRMERS, needs_reason=True),
], state_label=lambda s: S(s).label)

W = Wish.State
WISH = Workflow("partybuilding", [
    transition("wish_publish", _("审核发布"), [W.COLLECTED], W.PUBLISHED, STAFF),
    transition("wish_reject", _("审核不通过"), [W.COLLECTED], W.REJECTED, STAFF, needs_reason=True),
    # Stays published until the last place is taken, then claimed: the service decides.
    transition("wish_claim", _("认领心愿"), [W.PUBLISHED], None, (R.RESIDENT,)),
    transition("wish_deliver", _("送达心愿"), [W.CLAIMED], W.DELIVERED, (R.RESIDENT,), needs_reason=True),
    transition("wish_confirm", _("确认实现"), [W.DELIVERED], W.FULFILLED, CONFIRMERS),
    transition("wish_withdraw", _("撤回心愿"), [W.COLLECTED, W.PUBLISHED], W.WITHDRAWN, STAFF + (R.GRID_WORKER,), needs_reason=True),
], state_label=lambda s: W(s).label)

TABLES = (NEED, PROJECT, REGISTRATION, SERVICE, WISH)

# Actions that change no state, granted alike: record what a role may write.
NOTES = {
    "view": (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY, R.AUDITOR, R.GRID_WORKER, R.PARTNER_CONTACT, R.RESIDENT),
    # Partnerships, 五联 records and resources: the community's staff, and a partner contact for his own unit.
    "manage": (R.PARTNER_CONTACT,) + STAFF,
    "need_raise": STAFF + (R.GRID_WORKER, R.RESIDENT),
    "wish_collect": STAFF + (R.GRID_WORKER,),
    # A registered in-service member takes a task on a project (认领任务); recorded on its chain.
    "project_join": (R.RESIDENT,),
    "evaluate": STAFF,
    # Sending members' quarterly reports to their unit (reading them is "view").
    "report": (R.PARTNER_CONTACT,) + STAFF,
}
