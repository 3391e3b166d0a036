"""The care statuses the meal subsidy rules name that the registry's defaults lack (失独,
重度残疾). Existing codes and names are left alone; nothing is removed on reversal."""

from django.db import migrations

TAGS = [("bereaved-parents", "失独老人", 60), ("severe-disability", "重度残疾", 61)]


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    for code, name, sort in TAGS:
        if not CareTag.objects.filter(code=code).exists() and not CareTag.objects.filter(name=name).exists():
            CareTag.objects.create(code=code, name=name, sort=sort)


class Migration(migrations.Migration):
    dependencies = [("canteen", "0001_meals_subsidies_orders_claims"), ("people", "0002_seed_default_care_tags")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
