"""Default care-urgency rules: an elderly person living alone, of advanced age or disabled who
reports a broken lift, no water or no power is handled as an emergency (the emergency policy
counts calendar time, so a Saturday-night call is not left until Monday). Edited in admin.
Safe to re-run: an existing pair is left as it is; a missing tag or category is skipped."""

from django.db import migrations

CARE_TAGS = ["living-alone-elderly", "advanced-age", "disability"]
CATEGORIES = ["property-elevator", "utilities-water", "utilities-power"]


def seed_care_urgency_rules(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    Category = apps.get_model("whistle", "Category")
    CareUrgencyRule = apps.get_model("whistle", "CareUrgencyRule")
    for tag in CareTag.objects.filter(code__in=CARE_TAGS):
        for category in Category.objects.filter(code__in=CATEGORIES):
            CareUrgencyRule.objects.get_or_create(care_tag=tag, category=category, defaults={"urgency": "emergency"})


def remove_care_urgency_rules(apps, schema_editor):
    apps.get_model("whistle", "CareUrgencyRule").objects.filter(
        care_tag__code__in=CARE_TAGS, category__code__in=CATEGORIES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_seed_default_care_tags"),
        ("whistle", "0028_care_urgency_rules_landmarks_and_needs_location"),
    ]

    operations = [migrations.RunPython(seed_care_urgency_rules, remove_care_urgency_rules)]
