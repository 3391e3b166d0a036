"""The state table of a meal order (core.workflow).

已下单 ordered → 已取餐 served (at the counter), or → 配送中 out → 已送达 delivered (a delivery),
or cancelled before it is served or sent out. The diner, his authorised family member and the
counter may cancel; only the canteen serves and delivers.
"""

from django.utils.translation import gettext_lazy as _

from liulin.core.roles import Role
from liulin.core.workflow import Workflow, transition

from .models import Order

S = Order.State
R = Role
CANTEEN = (R.PARTNER_CONTACT, R.COMMUNITY_STAFF, R.COMMUNITY_SECRETARY)

ORDER_WORKFLOW = Workflow(
    "canteen",
    [
        transition("serve", _("取餐"), [S.ORDERED], S.SERVED, CANTEEN),
        transition("dispatch", _("出发送餐"), [S.ORDERED], S.OUT, CANTEEN),
        transition("deliver", _("确认送达"), [S.OUT], S.DELIVERED, CANTEEN),
        transition("cancel", _("取消"), [S.ORDERED], S.CANCELLED, (R.RESIDENT, *CANTEEN)),
    ],
    state_label=lambda state: S(state).label,
)
