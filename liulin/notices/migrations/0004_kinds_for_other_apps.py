from django.db import migrations


def add(apps, schema_editor):
    from liulin.notices.defaults import ensure_kinds

    ensure_kinds(apps.get_model("notices", "NoticeKind"))


class Migration(migrations.Migration):
    """The kinds the housing round's qualification list and the selections publish under."""

    dependencies = [("notices", "0003_notices_published_by_other_apps")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
