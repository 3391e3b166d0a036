from django.db import migrations


def add(apps, schema_editor):
    from liulin.notices.defaults import ensure_kinds

    ensure_kinds(apps.get_model("notices", "NoticeKind"))


class Migration(migrations.Migration):
    """The kind an owners' vote is announced under, 15 days before voting opens."""

    dependencies = [("notices", "0004_kinds_for_other_apps")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
