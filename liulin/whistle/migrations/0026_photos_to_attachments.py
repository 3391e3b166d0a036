"""Data: whistle's photos move to the kernel's attachments, each keeping its id (so the links
to /whistle/t/<ticket>/photo/<id>/ still find it), file name, size, uploader, time and stage.
The files stay where they are in the default storage; only rows are copied. Batched by id,
and safe to run again (rows already copied are skipped). On PostgreSQL the attachments' id
sequence is moved past the copied ids."""

from django.core.management.color import no_style
from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    Photo = apps.get_model("whistle", "Photo")
    Attachment = apps.get_model("attachments", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ticket_type, _ = ContentType.objects.get_or_create(app_label="whistle", model="ticket")
    last = 0
    while True:
        batch = list(Photo.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        copied = set(Attachment.objects.filter(pk__in=[p.pk for p in batch]).values_list("pk", flat=True))
        Attachment.objects.bulk_create([
            Attachment(
                id=photo.pk,
                owner_type=ticket_type,
                owner_id=photo.ticket_id,
                stage=photo.stage,
                kind="image",
                file=photo.file,
                content_type="image/jpeg",  # every stored photo was re-encoded as a JPEG
                size=photo.size,
                width=photo.width,
                height=photo.height,
                uploaded_by_id=photo.uploaded_by_id,
                uploaded_at=photo.uploaded_at,
            )
            for photo in batch
            if photo.pk not in copied
        ])
        last = batch[-1].pk
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [Attachment]):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    Photo = apps.get_model("whistle", "Photo")
    Attachment = apps.get_model("attachments", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ticket_type = ContentType.objects.filter(app_label="whistle", model="ticket").first()
    if ticket_type is None:
        return
    rows = Attachment.objects.filter(owner_type=ticket_type, kind="image").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        Photo.objects.bulk_create([
            Photo(id=a.pk, ticket_id=a.owner_id, file=a.file, width=a.width or 0, height=a.height or 0, size=a.size,
                  uploaded_by_id=a.uploaded_by_id, uploaded_at=a.uploaded_at, stage=a.stage)
            for a in batch
        ])
        last = batch[-1].pk
    rows.delete()
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Photo]):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("whistle", "0025_rename_whistle_to_whistlecall"),
        ("attachments", "0001_attachment"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
