"""Demo work orders for the demo community (called by `manage.py seed_demo`)."""

from django.conf import settings

from liulin.orgs.models import Organisation

from .demo import seed_demo_tickets
from .models import Category

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


def _departments():
    return {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)}


def configure_categories(departments):
    for field, table in (("responsible_org", DEMO_HANDLERS), ("verify_org", DEMO_VERIFIERS)):
        for code, name in table.items():
            if name in departments:
                Category.objects.filter(code=code, **{f"{field}__isnull": True}).update(**{field: departments[name]})


def seed(demo):
    configure_categories(_departments())
    seed_demo_tickets(demo.community, count=settings.LIULIN_DEMO_TICKETS)
