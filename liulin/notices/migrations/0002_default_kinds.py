from django.db import migrations


def add(apps, schema_editor):
    from liulin.notices.defaults import ensure_kinds

    ensure_kinds(apps.get_model("notices", "NoticeKind"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
