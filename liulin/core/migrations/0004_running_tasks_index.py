"""An index of the running tasks only: every worker looks for orphaned ones (core.workers)
every half lease, and the task table keeps every finished task until it is pruned. Partial,
so it holds the few running rows, on SQLite and PostgreSQL alike."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_worker_heartbeat"), ("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS core_tasks_running_idx ON django_tasks_database_dbtaskresult (started_at)"
            " WHERE status = 'RUNNING'",
            "DROP INDEX IF EXISTS core_tasks_running_idx",
        )
    ]
