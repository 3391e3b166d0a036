"""The work calendar moves to core (core.WorkCalendar, core.CalendarOverride).

Each whistle calendar is copied by name with its hours and default flag. Of its days, those
migration 0002 typed in by hand (2026 as announced, 2027 estimated) are left behind: the
statutory calendar now comes from the chinesecalendar package. Every other day - one an
administrator added or changed - becomes a core override, so a local decision survives.
Safe to re-run: calendars are matched by name and an existing override is kept as it is.
Reversing copies nothing back (the whistle tables are dropped by the next migration).
"""

import datetime
import importlib

from django.db import migrations


def _seeded_days():
    """{(date, is_workday, name)} exactly as migration 0002 wrote them."""
    seed = importlib.import_module("liulin.whistle.migrations.0002_default_categories_and_policies")
    days = set()
    for start, end, name in seed.HOLIDAYS:
        day = start
        while day <= end:
            days.add((day, False, name))
            day += datetime.timedelta(days=1)
    days.update((day, True, name) for day, name in seed.MAKEUP_WORKDAYS)
    return days


def copy_to_core(apps, schema_editor):
    OldCalendar = apps.get_model("whistle", "WorkCalendar")
    OldDay = apps.get_model("whistle", "CalendarDay")
    WorkCalendar = apps.get_model("core", "WorkCalendar")
    CalendarOverride = apps.get_model("core", "CalendarOverride")
    seeded = _seeded_days()
    has_default = WorkCalendar.objects.filter(is_default=True).exists()
    for old in OldCalendar.objects.order_by("-is_default", "pk"):
        calendar, created = WorkCalendar.objects.get_or_create(
            name=old.name,
            defaults={
                "morning_start": old.morning_start,
                "morning_end": old.morning_end,
                "afternoon_start": old.afternoon_start,
                "afternoon_end": old.afternoon_end,
                "is_default": old.is_default and not has_default,
            },
        )
        has_default = has_default or calendar.is_default
        for day in OldDay.objects.filter(calendar=old).order_by("date"):
            if (day.date, day.is_workday, day.name) in seeded:
                continue
            CalendarOverride.objects.get_or_create(
                calendar=calendar, date=day.date, defaults={"is_workday": day.is_workday, "name": day.name}
            )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_work_calendar_and_overrides"),
        ("whistle", "0020_ticket_publish_description_consent"),
    ]

    operations = [migrations.RunPython(copy_to_core, migrations.RunPython.noop)]
