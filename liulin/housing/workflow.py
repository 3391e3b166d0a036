"""The four state tables of housing.

A round: 受理申请 open → 资格审核 reviewing → 资格公示 publicity (the qualified list on 公示 in
the notices app, kind housing_qualification, through core.publication) → 名单确定 final (the applicant list's hash is published)
→ 已抽签 drawn (the public value entered, the ranks published). A re-run of the draw keeps
the earlier result and needs a reason.

An application: submitted → approved (qualified), rejected with a reason, or sent back for
documents (returned) and resubmitted. An objection to the 公示 names a qualified application;
one found upheld must be rejected (by a reviewer, with a reason) before the list is fixed. The draw ranks the qualified (waiting); offers go down the waiting
list in rank order (offered), each answered by a deadline (accepted / declined / expired);
signing the lease houses the applicant. Steps with no roles are the platform's.

A lease: pending → active (signed) → ended (moved out), renewed (a new lease follows in the
renewal window, eligibility re-checked), terminated with a reason; or cancelled unsigned.

A renewal request: the tenant asks, in his lease's renewal window, with his answers to the
round's rules (requested); the manager renews the lease (the request becomes renewed, a
platform step of the lease's `renew`) or refuses with a reason; the tenant may withdraw.

Separation of duties: whoever filed or resubmitted an application (at the counter) does not
review it; whoever fixed and published the applicant list does not enter the public value
and draw.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import IllegalTransition, SeparatedDuties, Workflow, transition  # noqa: F401

from .models import Application, Lease, RenewalRequest, Round

R = Role
RS = Round.State
AS = Application.State
LS = Lease.State
RRS = RenewalRequest.State

MANAGERS = (R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)
APPLICANT = (R.RESIDENT,)
PLATFORM = ()

ROUND_WORKFLOW = Workflow(
    "housing",
    [
        transition("close", _("截止受理"), [RS.OPEN], RS.REVIEWING, MANAGERS),
        transition("publish", _("公示合格名单"), [RS.REVIEWING], RS.PUBLICITY, MANAGERS),
        transition("finalise", _("确定名单并公布哈希"), [RS.PUBLICITY], RS.FINAL, MANAGERS),
        transition("draw", _("公开摇号"), [RS.FINAL], RS.DRAWN, MANAGERS),
        transition("rerun", _("重新摇号"), [RS.DRAWN], RS.DRAWN, (R.COMMUNITY_SECRETARY,), needs_reason=True),
    ],
    state_label=lambda state: RS(state).label,
    notes={"manage": MANAGERS},
)

APPLICATION_WORKFLOW = Workflow(
    "housing",
    [
        transition("approve", _("审核通过"), [AS.SUBMITTED], AS.QUALIFIED, MANAGERS),
        transition("reject", _("不予通过"), [AS.SUBMITTED, AS.QUALIFIED], AS.REJECTED, MANAGERS, needs_reason=True),
        transition("send_back", _("退回补充材料"), [AS.SUBMITTED], AS.RETURNED, MANAGERS, needs_reason=True),
        transition("resubmit", _("补充后重新提交"), [AS.RETURNED], AS.SUBMITTED, APPLICANT + MANAGERS),
        transition("withdraw", _("撤回申请"), [AS.SUBMITTED, AS.RETURNED, AS.QUALIFIED, AS.WAITING], AS.WITHDRAWN, APPLICANT),
        transition("accept", _("接受选房"), [AS.OFFERED], AS.ACCEPTED, APPLICANT),
        transition("decline", _("放弃选房"), [AS.OFFERED], AS.DECLINED, APPLICANT),
        transition("rank", _("摇号排序"), [AS.QUALIFIED], AS.WAITING, PLATFORM),
        transition("offer", _("通知选房"), [AS.WAITING], AS.OFFERED, PLATFORM),
        transition("expire", _("答复逾期"), [AS.OFFERED], AS.EXPIRED, PLATFORM),
        transition("house", _("签约入住"), [AS.ACCEPTED], AS.HOUSED, PLATFORM),
    ],
    state_label=lambda state: AS(state).label,
    notes={"submit": APPLICANT + MANAGERS},
)

LEASE_WORKFLOW = Workflow(
    "housing",
    [
        transition("sign", _("签约"), [LS.PENDING], LS.ACTIVE, APPLICANT + MANAGERS),
        transition("cancel", _("取消合同"), [LS.PENDING], LS.CANCELLED, MANAGERS, needs_reason=True),
        transition("renew", _("续租"), [LS.ACTIVE], LS.RENEWED, MANAGERS),
        transition("end", _("退租"), [LS.ACTIVE], LS.ENDED, MANAGERS),
        transition("terminate", _("解除合同"), [LS.ACTIVE], LS.TERMINATED, MANAGERS, needs_reason=True),
    ],
    state_label=lambda state: LS(state).label,
    notes={"inspect": MANAGERS, "invoice": MANAGERS, "pay": MANAGERS},
)

RENEWAL_WORKFLOW = Workflow(
    "housing",
    [
        transition("refuse_renewal", _("不予续租"), [RRS.REQUESTED], RRS.REFUSED, MANAGERS, needs_reason=True),
        transition("withdraw_renewal", _("撤回续租申请"), [RRS.REQUESTED], RRS.WITHDRAWN, APPLICANT),
        transition("renewed", _("续租办结"), [RRS.REQUESTED], RRS.RENEWED, PLATFORM),
    ],
    state_label=lambda state: RRS(state).label,
    notes={"request_renewal": APPLICANT},
)

PERSON_ACTIONS = ("resubmit", "withdraw", "accept", "decline")

APPLICATION_DUTIES = SeparatedDuties(
    {"intake": {"submit", "resubmit"}, "review": {"approve", "reject", "send_back"}},
    labels={"intake": _("受理"), "review": _("审核")},
)
ROUND_DUTIES = SeparatedDuties(
    {"list": {"finalise"}, "draw": {"draw", "rerun"}},
    labels={"list": _("确定名单"), "draw": _("摇号")},
)
