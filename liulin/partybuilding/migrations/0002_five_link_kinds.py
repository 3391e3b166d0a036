"""The five 五联 dimensions the article names, as rows a community may rename or extend."""

from django.db import migrations

KINDS = [
    ("organisation", "组织联建", 1),
    ("activity", "活动联办", 2),
    ("talent", "人才联育", 3),
    ("resource", "资源联用", 4),
    ("problem", "难题联解", 5),
]


def add_kinds(apps, schema_editor):
    LinkKind = apps.get_model("partybuilding", "LinkKind")
    for code, name, order in KINDS:
        LinkKind.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
