"""No overlap, enforced by the database on both engines.

PostgreSQL: exclusion constraints (btree_gist, for `=` on integer columns inside a GiST
index): two occupancies of one resource may not overlap in time, nor two live membership
periods of one person at one gym. SQLite has no exclusion constraints: triggers abort an
insert or update that would overlap (and SQLite's IMMEDIATE transactions run one writer at
a time, so the trigger's look at the table is not raced). Half-open intervals on both:
touching is not overlapping.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

LIVE_STATES = ("awaiting_payment", "active")

SQLITE_FORWARD = [
    # Occupancies: [starts_at, ends_at) per resource. Datetimes are stored as ISO text in UTC,
    # which compares in time order.
    """
    CREATE TRIGGER venues_occupancy_no_overlap_insert BEFORE INSERT ON venues_occupancy
    WHEN EXISTS (SELECT 1 FROM venues_occupancy o WHERE o.resource_id = NEW.resource_id
                 AND o.starts_at < NEW.ends_at AND NEW.starts_at < o.ends_at)
    BEGIN SELECT RAISE(ABORT, 'venues_occupancy_no_overlap'); END
    """,
    """
    CREATE TRIGGER venues_occupancy_no_overlap_update BEFORE UPDATE ON venues_occupancy
    WHEN EXISTS (SELECT 1 FROM venues_occupancy o WHERE o.id <> NEW.id AND o.resource_id = NEW.resource_id
                 AND o.starts_at < NEW.ends_at AND NEW.starts_at < o.ends_at)
    BEGIN SELECT RAISE(ABORT, 'venues_occupancy_no_overlap'); END
    """,
    # Membership periods: [starts_on, ends_on) per member and gym, among live states.
    """
    CREATE TRIGGER venues_membership_no_overlap_insert BEFORE INSERT ON venues_membership
    WHEN NEW.state IN ('awaiting_payment', 'active') AND EXISTS (
        SELECT 1 FROM venues_membership m WHERE m.member_id = NEW.member_id AND m.resource_id = NEW.resource_id
        AND m.state IN ('awaiting_payment', 'active') AND m.starts_on < NEW.ends_on AND NEW.starts_on < m.ends_on)
    BEGIN SELECT RAISE(ABORT, 'venues_membership_no_overlap'); END
    """,
    """
    CREATE TRIGGER venues_membership_no_overlap_update BEFORE UPDATE ON venues_membership
    WHEN NEW.state IN ('awaiting_payment', 'active') AND EXISTS (
        SELECT 1 FROM venues_membership m WHERE m.id <> NEW.id AND m.member_id = NEW.member_id
        AND m.resource_id = NEW.resource_id AND m.state IN ('awaiting_payment', 'active')
        AND m.starts_on < NEW.ends_on AND NEW.starts_on < m.ends_on)
    BEGIN SELECT RAISE(ABORT, 'venues_membership_no_overlap'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS venues_occupancy_no_overlap_insert",
    "DROP TRIGGER IF EXISTS venues_occupancy_no_overlap_update",
    "DROP TRIGGER IF EXISTS venues_membership_no_overlap_insert",
    "DROP TRIGGER IF EXISTS venues_membership_no_overlap_update",
]


def _exclusions():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField, RangeBoundary, RangeOperators
    from django.db.models import Func, Q

    class TsTzRange(Func):
        function = "TSTZRANGE"
        output_field = DateTimeRangeField()

    class DateRange(Func):
        function = "DATERANGE"
        output_field = DateRangeField()

    occupancy = ExclusionConstraint(
        name="venues_occupancy_no_overlap",
        expressions=[("resource", RangeOperators.EQUAL), (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS)],
    )
    membership = ExclusionConstraint(
        name="venues_membership_no_overlap",
        expressions=[
            ("member", RangeOperators.EQUAL),
            ("resource", RangeOperators.EQUAL),
            (DateRange("starts_on", "ends_on", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(state__in=LIVE_STATES),
    )
    return {"Occupancy": occupancy, "Membership": membership}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for model_name, constraint in _exclusions().items():
            schema_editor.add_constraint(apps.get_model("venues", model_name), constraint)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"venues needs an overlap guard for {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for model_name, constraint in _exclusions().items():
            schema_editor.remove_constraint(apps.get_model("venues", model_name), constraint)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_resources_bookings_memberships")]

    operations = [
        BtreeGistExtension(),  # does nothing on other databases
        migrations.RunPython(forwards, backwards),
    ]
