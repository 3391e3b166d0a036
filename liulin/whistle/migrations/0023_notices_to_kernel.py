"""Data: whistle's in-app notices move to the kernel's notifications, read state and time
kept. Their text stays as it was sent (Chinese, not re-translatable: `text` stays empty, so
the kernel shows `message`). Batched by id; the migration is one transaction, so a failed
run leaves nothing half copied and can simply run again."""

from django.db import migrations
from django.urls import reverse

BATCH = 2000


def forwards(apps, schema_editor):
    Old = apps.get_model("whistle", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ticket_type, _ = ContentType.objects.get_or_create(app_label="whistle", model="ticket")
    summons_url = reverse("whistle:summons")
    last = 0
    while True:
        batch = list(Old.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        New.objects.bulk_create([
            New(
                user_id=old.user_id,
                # Before the kernel, only summonses were told without a ticket.
                kind="whistle.ticket" if old.ticket_id else "whistle.summons",
                target_type=ticket_type if old.ticket_id else None,
                target_id=str(old.ticket_id) if old.ticket_id else "",
                url=reverse("whistle:ticket", args=[old.ticket_id]) if old.ticket_id else summons_url,
                message=old.message,
                at=old.at,
                read_at=old.read_at,
            )
            for old in batch
        ])
        last = batch[-1].pk


def backwards(apps, schema_editor):
    Old = apps.get_model("whistle", "Notification")
    New = apps.get_model("notifications", "Notification")
    rows = New.objects.filter(kind__startswith="whistle.").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).select_related("target_type")[:BATCH])
        if not batch:
            return
        Old.objects.bulk_create([
            Old(user_id=new.user_id, message=new.message, at=new.at, read_at=new.read_at,
                ticket_id=int(new.target_id) if new.target_type and new.target_type.model == "ticket" else None)
            for new in batch
        ])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("whistle", "0022_drop_work_calendar_moved_to_core"),
        ("notifications", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
