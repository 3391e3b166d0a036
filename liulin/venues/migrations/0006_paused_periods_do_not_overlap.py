"""A paused membership period still holds its dates: the no-overlap guards of 0002 cover
'paused' too (PostgreSQL: the exclusion constraint's condition; SQLite: the triggers)."""

from django.db import migrations

OLD = ("awaiting_payment", "active")
NEW = ("awaiting_payment", "active", "paused")


def _states(states):
    return ", ".join(f"'{s}'" for s in states)


def _sqlite_triggers(states):
    live = _states(states)
    return [
        f"""
        CREATE TRIGGER venues_membership_no_overlap_insert BEFORE INSERT ON venues_membership
        WHEN NEW.state IN ({live}) AND EXISTS (
            SELECT 1 FROM venues_membership m WHERE m.member_id = NEW.member_id AND m.resource_id = NEW.resource_id
            AND m.state IN ({live}) AND m.starts_on < NEW.ends_on AND NEW.starts_on < m.ends_on)
        BEGIN SELECT RAISE(ABORT, 'venues_membership_no_overlap'); END
        """,
        f"""
        CREATE TRIGGER venues_membership_no_overlap_update BEFORE UPDATE ON venues_membership
        WHEN NEW.state IN ({live}) AND EXISTS (
            SELECT 1 FROM venues_membership m WHERE m.id <> NEW.id AND m.member_id = NEW.member_id
            AND m.resource_id = NEW.resource_id AND m.state IN ({live})
            AND m.starts_on < NEW.ends_on AND NEW.starts_on < m.ends_on)
        BEGIN SELECT RAISE(ABORT, 'venues_membership_no_overlap'); END
        """,
    ]


def _exclusion(states):
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
    from django.db.models import Func, Q

    class DateRange(Func):
        function = "DATERANGE"
        output_field = DateRangeField()

    return ExclusionConstraint(
        name="venues_membership_no_overlap",
        expressions=[
            ("member", RangeOperators.EQUAL),
            ("resource", RangeOperators.EQUAL),
            (DateRange("starts_on", "ends_on", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(state__in=states),
    )


def _swap(apps, schema_editor, old, new):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        model = apps.get_model("venues", "Membership")
        schema_editor.remove_constraint(model, _exclusion(old))
        schema_editor.add_constraint(model, _exclusion(new))
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS venues_membership_no_overlap_insert")
        schema_editor.execute("DROP TRIGGER IF EXISTS venues_membership_no_overlap_update")
        for statement in _sqlite_triggers(new):
            schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("venues", "0005_membership_pause")]

    operations = [migrations.RunPython(forwards, backwards)]
