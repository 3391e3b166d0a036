"""core.attachments: type from the bytes, the size cap, metadata gone, files through
default_storage, and access only through the owner's scope."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from liulin.accounts.tests.factories import make_user
from liulin.core.attachments import selectors, services
from liulin.core.attachments.models import Attachment
from liulin.core.errors import Invalid, NotFound, TooLarge
from liulin.core.roles import Role
from liulin.whistle.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage_in_tmp(settings, tmp_path):
    """Every file goes where the STORAGES setting says: here a folder of the test's own, not
    MEDIA_ROOT, so a write that bypassed default_storage would not be found."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "store")}},
    }
    return tmp_path / "store"


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def jpeg_with_gps(size=(40, 20), orientation=None):
    """A JPEG carrying a GPS position (and optionally an EXIF orientation), as phones write them."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (28.0, 18.0, 30.0), 3: "E", 4: (112.0, 54.0, 10.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def attach(owner=None, data=None, **kw):
    return services.attach(owner=owner or TicketFactory(), upload=upload(data or jpeg_with_gps()), stage="intake", actor=None, **kw)


def read(attachment):
    with default_storage.open(attachment.file, "rb") as handle:
        return handle.read()


def test_files_go_through_default_storage(storage_in_tmp, settings):
    ticket = TicketFactory()
    attachment = attach(ticket)
    assert stored_files(storage_in_tmp) == [storage_in_tmp / attachment.file]
    assert attachment.file.startswith("whistle/ticket/") and attachment.file.endswith(".jpg")
    assert not (settings.MEDIA_ROOT.exists() and stored_files(settings.MEDIA_ROOT))
    assert (attachment.owner, attachment.stage, attachment.kind) == (ticket, "intake", "image")
    assert attachment.size == len(read(attachment))


def test_gps_and_all_exif_are_removed():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo really has GPS
    data = read(attach(data=original))
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert "exif" not in stored.info and "icc_profile" not in stored.info
    assert b"PhoneMaker" not in data


def test_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; the upright picture is taller than wide.
    attachment = attach(data=jpeg_with_gps((40, 20), orientation=6))
    assert (attachment.width, attachment.height) == (20, 40)


def test_large_pictures_are_scaled_down():
    big = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(big, format="PNG")
    attachment = attach(data=big.getvalue())
    assert max(attachment.width, attachment.height) == services.MAX_SIDE
    assert attachment.content_type == "image/jpeg"


def test_transparent_png_and_webp_become_jpeg():
    for fmt, mode in (("PNG", "RGBA"), ("WEBP", "RGB")):
        data = io.BytesIO()
        Image.new(mode, (10, 10)).save(data, format=fmt)
        assert Image.open(io.BytesIO(read(attach(data=data.getvalue())))).format == "JPEG"


def test_a_jpg_that_is_really_text_is_refused_and_nothing_written(storage_in_tmp):
    fake = upload(b"<html><script>alert(1)</script></html>", "cat.jpg", "image/jpeg")
    with pytest.raises(Invalid) as error:
        services.attach(owner=TicketFactory(), upload=fake, stage="intake", actor=None, field="photos")
    assert (error.value.code, error.value.field) == ("not_an_image", "photos")
    assert not Attachment.objects.exists() and stored_files(storage_in_tmp) == []


def test_gif_and_truncated_jpeg_are_refused():
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    for data in (gif.getvalue(), jpeg_with_gps()[:200]):
        with pytest.raises(Invalid) as error:
            services.clean(upload(data, "a.jpg"))
        assert error.value.code == "not_an_image"


def test_documents_take_a_pdf_by_its_bytes_and_never_a_pdf_by_its_name():
    documents = {services.IMAGE, services.DOCUMENT}
    cleaned = services.clean(upload(PDF, "scan.bin", "application/octet-stream"), accept=documents)
    assert (cleaned.kind, cleaned.content_type, cleaned.data) == ("document", "application/pdf", PDF)
    with pytest.raises(Invalid) as error:
        services.clean(upload(b"#!/bin/sh\nrm -rf /\n", "minutes.pdf", "application/pdf"), accept=documents)
    assert error.value.code == "unsupported_file"
    with pytest.raises(Invalid):  # a photo field takes no PDF
        services.clean(upload(PDF, "a.pdf", "application/pdf"))


def test_size_cap_from_the_setting(settings, storage_in_tmp):
    settings.LIULIN_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(TooLarge) as error:
        attach(data=jpeg_with_gps((300, 300)) + b"\0" * 2000)
    assert error.value.code == "photo_too_large"
    assert not Attachment.objects.exists() and stored_files(storage_in_tmp) == []
    with pytest.raises(TooLarge) as error:
        services.clean(upload(PDF + b"\0" * 2000, "a.pdf"), accept={services.DOCUMENT})
    assert error.value.code == "file_too_large"


def test_cap_holds_even_when_the_declared_size_lies(settings):
    settings.LIULIN_ATTACHMENT_MAX_BYTES = 1000
    stream = io.BytesIO(jpeg_with_gps((300, 300)) + b"\0" * 2000)  # no .size attribute to trust
    with pytest.raises(TooLarge):
        services.clean(stream)


def test_only_those_who_see_the_owner_open_its_attachment():
    ticket = TicketFactory()
    attachment = attach(ticket)
    found, handle = selectors.open_for(ticket.requester_user, attachment)
    with handle:
        assert found == attachment and handle.read(2) == b"\xff\xd8"
    with pytest.raises(NotFound):
        selectors.open_for(make_user(Role.RESIDENT), attachment)


def test_an_owner_no_app_registered_is_seen_by_no_one():
    user = make_user(Role.RESIDENT)
    attachment = services.attach(owner=user, upload=upload(jpeg_with_gps()), stage="avatar", actor=user)
    with pytest.raises(NotFound):
        selectors.attachment_for(user, attachment.pk)


def test_the_view_serves_in_scope_and_404s_out_of_scope(client):
    ticket = TicketFactory()
    attachment = attach(ticket)
    url = reverse("attachments:file", args=[attachment.pk])
    client.force_login(ticket.requester_user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == read(attachment)
    client.force_login(make_user(Role.RESIDENT))
    assert client.get(url).status_code == 404
    assert client.get(reverse("attachments:file", args=[attachment.pk + 1000])).status_code == 404


def test_a_document_downloads_rather_than_opens_in_the_site(client):
    ticket = TicketFactory()
    document = services.attach(owner=ticket, upload=upload(PDF, "a.pdf"), stage="result", actor=None,
                               accept={services.IMAGE, services.DOCUMENT})
    client.force_login(ticket.requester_user)
    response = client.get(reverse("attachments:file", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
