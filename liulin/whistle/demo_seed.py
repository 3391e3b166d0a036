"""Demo work orders for the demo community (called by `manage.py seed_demo`)."""

from django.conf import settings

from liulin.orgs.models import Organisation

from .demo import seed_demo_tickets
from .models import Category, Landmark

# Which demo department handles (承办) or verifies (核单) each category. Categories are
# configuration, edited in the admin; the demo fills only what is still empty.
DEMO_HANDLERS = {
    "municipal": "望城区城市管理和综合执法局",
    "illegal-building": "望城区城市管理和综合执法局",
}
DEMO_VERIFIERS = {
    "property": "望城区住房和城乡建设局",
    "utilities-water": "望城区供水有限公司",
    "utilities-power": "国网长沙市望城区供电公司",
    "sanitation": "望城区城市管理和综合执法局",
    "municipal": "望城区住房和城乡建设局",
    "safety": "高塘岭街道应急管理办公室",
}


# Places callers name instead of an address (the facilities of demo/facts.py, and the road),
# so a hotline's "同心公园旁" is located: (name, aliases, grid index or None for the
# community only). The park lies at the community's centre, on the edge of 第二网格; the
# station and the gym stand beside and inside it; 中传路 runs through 第一、第二网格.
DEMO_LANDMARKS = [
    ("同心公园", "同心园 慢生活小游园 同心文化大舞台 文化广场", 1),
    ("雷锋驿站", "日间照料中心 居民议事吧", 1),
    ("同心体育馆", "体育馆 门球场 篮球场", 1),
    ("同心广场", "", 1),
    ("中南社区公共服务中心", "公共服务中心 服务大厅 雷锋超市", 1),
    ("初心讲堂", "", 0),
    ("中传路", "", None),
]


def seed_landmarks(community, grids):
    for name, aliases, grid_index in DEMO_LANDMARKS:
        grid = grids[grid_index] if grid_index is not None else None
        Landmark.objects.get_or_create(
            community=community, name=name, defaults={"aliases": aliases, "grid": grid, "is_demo": True}
        )


def _departments():
    return {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)}


def configure_categories(departments):
    for field, table in (("responsible_org", DEMO_HANDLERS), ("verify_org", DEMO_VERIFIERS)):
        for code, name in table.items():
            if name in departments:
                Category.objects.filter(code=code, **{f"{field}__isnull": True}).update(**{field: departments[name]})


def seed(demo):
    configure_categories(_departments())
    seed_landmarks(demo.community, demo.grids)
    seed_demo_tickets(demo.community, count=settings.LIULIN_DEMO_TICKETS)
