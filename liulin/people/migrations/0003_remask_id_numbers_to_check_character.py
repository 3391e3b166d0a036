"""Re-mask the stored ID numbers: 4301**********123X becomes 4301*************X.

The old mask kept the 3-digit sequence beside the check character; with the birth date
(digits 7-14) that left one number. The new form is built from the old one alone, so this
needs no key and never decrypts. Going back is a no-op: the digits dropped are not kept.
"""

from django.db import migrations

BATCH = 2000


def _remask(masked):
    return f"{masked[:4]}{'*' * (len(masked) - 5)}{masked[-1]}"


def remask_id_numbers(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    rows = Resident.objects.exclude(id_masked="").only("pk", "id_masked").order_by("pk")
    changed = []
    for resident in rows.iterator(chunk_size=BATCH):
        new = _remask(resident.id_masked)
        if new != resident.id_masked:
            resident.id_masked = new
            changed.append(resident)
        if len(changed) >= BATCH:
            Resident.objects.bulk_update(changed, ["id_masked"])
            changed = []
    if changed:
        Resident.objects.bulk_update(changed, ["id_masked"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_seed_default_care_tags"),
    ]

    operations = [
        migrations.RunPython(remask_id_numbers, migrations.RunPython.noop, elidable=False),
    ]
