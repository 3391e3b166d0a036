"""Demo 公示 for the demo community, labelled demo: a 低保 review notice on public notice
for its 7 days (stating only how many households, counted from the residents' care tags, so
no name or room appears anywhere), a finalised 四议两公开 decision, and the 居务公开
catalogue with one item overdue."""

import datetime

from liulin.core import clock

from . import services
from .defaults import ensure_kinds
from .models import CatalogueItem, Notice, NoticeKind, Schedule

SECRETARY = "19900000001"  # 社区书记 (demo/logins.py)
DIBAO_TAG = "minimum-living-allowance"


def seed(demo):
    community = demo.community
    # its own notices (other apps' demo matters publish theirs through core.publication)
    if Notice.objects.filter(community=community, is_demo=True, origin="").exists():
        return
    from liulin.territory.models import Household

    secretary = demo.users[SECRETARY]
    ensure_kinds(NoticeKind)
    kinds = {k.code: k for k in NoticeKind.objects.all()}
    today = clock.today()
    catalogue = CatalogueItem.objects.bulk_create([
        CatalogueItem(community=community, title="低保审核确认结果", kind=kinds["dibao"], schedule=Schedule.QUARTERLY,
                      since=today - datetime.timedelta(days=80), is_demo=True),
        CatalogueItem(community=community, title="社区财务收支", kind=kinds["affairs"], schedule=Schedule.QUARTERLY,
                      since=today - datetime.timedelta(days=120), is_demo=True),
        CatalogueItem(community=community, title="惠民政策落实情况", kind=kinds["affairs"], schedule=Schedule.HALF_YEARLY,
                      since=today - datetime.timedelta(days=30), is_demo=True),
    ])
    households = Household.objects.filter(community=community, members__care_tags__code=DIBAO_TAG).distinct().count()
    now = clock.now()
    dibao = services.create_notice(
        actor=secretary, community=community, kind=kinds["dibao"], catalogue_item=catalogue[0], is_demo=True,
        title="【演示】本季度低保审核确认公示",
        body=(f"经入户调查、民主评议，本季度本社区拟确认低保家庭 {households} 户。\n"
              "名单按规定在社区公示栏张贴，线上不显示姓名和门牌。\n"
              "对公示内容有异议的，请在公示期内登录后提出，社区将在 15 个工作日内答复。"),
        now=now - datetime.timedelta(days=2))
    services.act(actor=secretary, notice=dibao, action="publish", now=now - datetime.timedelta(days=2))
    decision = services.create_notice(
        actor=secretary, community=community, kind=kinds["four_two"], is_demo=True,
        title="【演示】同心家园加装电梯决议公开",
        body="居民会议表决通过同心家园“一栋一议”加装电梯方案，费用按楼层分摊，申请政府补贴。",
        now=now - datetime.timedelta(days=40))
    services.act(actor=secretary, notice=decision, action="publish", now=now - datetime.timedelta(days=40))
    decision.refresh_from_db()
    services.act(actor=secretary, notice=decision, action="finalise", now=decision.ends_at + datetime.timedelta(hours=9))
