"""Default care tags every community tracks. Safe to re-run: existing codes and names are left alone."""

from django.db import migrations

DEFAULT_CARE_TAGS = [
    ("living-alone-elderly", "独居老人"),
    ("empty-nest-elderly", "空巢老人"),
    ("advanced-age", "高龄"),
    ("disability", "残疾"),
    ("minimum-living-allowance", "低保"),
    ("extreme-poverty", "特困"),
    ("left-behind-child", "留守儿童"),
    ("child-in-difficulty", "困境儿童"),
    ("veteran", "退役军人"),
    ("serious-illness", "重病"),
    ("special-care-recipient", "优抚对象"),
]


def seed_care_tags(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    for sort, (code, name) in enumerate(DEFAULT_CARE_TAGS, start=1):
        # A tag an administrator already made under either key is kept as it is.
        if not CareTag.objects.filter(code=code).exists() and not CareTag.objects.filter(name=name).exists():
            CareTag.objects.create(code=code, name=name, sort=sort)


def remove_care_tags(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    CareTag.objects.filter(code__in=[code for code, _ in DEFAULT_CARE_TAGS], residents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(seed_care_tags, remove_care_tags)]
