"""The database cache's table (settings.CACHES), made with the database like every other
table, so `migrate` (and so `make run` and the test database) needs no manual step. With
Redis configured there is nothing to create; switching back later needs
`manage.py createcachetable` (docs/deployment.md)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
