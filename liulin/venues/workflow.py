"""The state tables of bookings and gym memberships, in one place (core.workflow).

Booking: 待审批 requested → 已确认 confirmed → 已签到 checked in; or rejected, cancelled, or
released as a no-show 15 minutes after the start. A freed time offered to the first on the
waiting list is a booking `held` for him until he accepts it or the hold lapses. Small rooms skip `requested`: a booking
is confirmed at once unless the resource requires approval. A booking holds its time while
requested, confirmed or checked in.

Membership: 待付款 awaiting payment → 有效 active → 已到期 expired (by the clock), or
cancelled before payment, or refunded (cancelled) while active; an active period may be
paused (暂停中: entry refused, the end moved forward) and resumes by itself or earlier.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import Booking, Membership

B = Booking.State
M = Membership.State
R = Role

MANAGERS = (R.VENUE_MANAGER, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)

BOOKING_WORKFLOW = Workflow(
    "venues",
    [
        transition("approve", _("批准"), [B.REQUESTED], B.CONFIRMED, MANAGERS),
        transition("reject", _("不批准"), [B.REQUESTED], B.REJECTED, MANAGERS, needs_reason=True),
        transition("cancel", _("取消预约"), [B.REQUESTED, B.HELD, B.CONFIRMED], B.CANCELLED, (R.RESIDENT, *MANAGERS)),
        transition("accept_offer", _("接受候补"), [B.HELD], B.CONFIRMED, (R.RESIDENT, *MANAGERS)),
        # Only the clock lets a hold lapse (services.waitlist.release_expired_holds).
        transition("lapse", _("保留过期"), [B.HELD], B.CANCELLED, ()),
        transition("check_in", _("签到"), [B.CONFIRMED], B.CHECKED_IN, (R.RESIDENT, *MANAGERS)),
        transition("mark_no_show", _("登记爽约"), [B.CONFIRMED], B.NO_SHOW, MANAGERS),
    ],
    state_label=lambda state: B(state).label,
)

MEMBERSHIP_WORKFLOW = Workflow(
    "venues",
    [
        transition("confirm_payment", _("确认收款"), [M.AWAITING_PAYMENT], M.ACTIVE, MANAGERS),
        transition("cancel_membership", _("取消办理"), [M.AWAITING_PAYMENT], M.CANCELLED, (R.RESIDENT, *MANAGERS)),
        transition("refund", _("退款"), [M.ACTIVE], M.CANCELLED, MANAGERS, needs_reason=True),
        transition("pause", _("暂停"), [M.ACTIVE], M.PAUSED, (R.RESIDENT, *MANAGERS)),
        transition("resume", _("恢复"), [M.PAUSED], M.ACTIVE, (R.RESIDENT, *MANAGERS)),
        # Only the clock expires a membership (services.gym.expire_memberships).
        transition("expire", _("到期"), [M.ACTIVE], M.EXPIRED, ()),
    ],
    state_label=lambda state: M(state).label,
)
