import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Invalid, NotFound, TooLarge
from liulin.core.roles import Role
from liulin.whistle import photos
from liulin.whistle.models import Photo
from liulin.whistle.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


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


def media_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_gps_and_all_exif_are_removed(settings):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo really has GPS
    photo = photos.store(ticket=TicketFactory(), uploaded_file=upload(original), actor=None)
    stored = Image.open(photos.absolute_path(photo.file))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert b"PhoneMaker" not in photos.absolute_path(photo.file).read_bytes()


def test_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; the upright picture is taller than wide.
    photo = photos.store(ticket=TicketFactory(), uploaded_file=upload(jpeg_with_gps((40, 20), orientation=6)), actor=None)
    assert (photo.width, photo.height) == (20, 40)


def test_large_pictures_are_scaled_down_and_stored_under_year_and_month():
    big = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(big, format="PNG")
    photo = photos.store(ticket=TicketFactory(), uploaded_file=upload(big.getvalue(), "scan.png", "image/png"), actor=None)
    assert max(photo.width, photo.height) == photos.MAX_SIDE
    assert photo.file.startswith("tickets/") and photo.file.endswith(".jpg")
    assert photo.size == photos.absolute_path(photo.file).stat().st_size


def test_transparent_png_and_webp_are_accepted():
    for fmt, mode in (("PNG", "RGBA"), ("WEBP", "RGB")):
        data = io.BytesIO()
        Image.new(mode, (10, 10)).save(data, format=fmt)
        photo = photos.store(ticket=TicketFactory(), uploaded_file=upload(data.getvalue(), f"a.{fmt.lower()}"), actor=None)
        assert Image.open(photos.absolute_path(photo.file)).format == "JPEG"


def test_html_named_jpg_is_refused_and_nothing_written(settings):
    ticket = TicketFactory()
    fake = upload(b"<html><script>alert(1)</script></html>", "cat.jpg", "image/jpeg")
    with pytest.raises(Invalid) as error:
        photos.store(ticket=ticket, uploaded_file=fake, actor=None)
    assert error.value.code == "not_an_image"
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def test_gif_is_not_accepted(settings):
    data = io.BytesIO()
    Image.new("RGB", (5, 5)).save(data, format="GIF")
    with pytest.raises(Invalid) as error:
        photos.store(ticket=TicketFactory(), uploaded_file=upload(data.getvalue(), "a.jpg"), actor=None)
    assert error.value.code == "not_an_image"


def test_truncated_jpeg_is_refused():
    with pytest.raises(Invalid) as error:
        photos.clean(upload(jpeg_with_gps()[:200]))
    assert error.value.code == "not_an_image"


def test_twenty_megabytes_is_too_large_and_nothing_written(settings):
    huge = upload(jpeg_with_gps() + b"\0" * (20 * 1024 * 1024))
    with pytest.raises(TooLarge) as error:
        photos.store(ticket=TicketFactory(), uploaded_file=huge, actor=None)
    assert error.value.code == "photo_too_large"
    assert Photo.objects.count() == 0
    assert media_files(settings) == []


def test_cap_holds_even_when_the_declared_size_lies(settings):
    settings.LIULIN_PHOTO_MAX_BYTES = 1000
    stream = io.BytesIO(jpeg_with_gps((300, 300)) + b"\0" * 2000)  # no .size attribute to trust
    with pytest.raises(TooLarge):
        photos.clean(stream)


def test_only_viewers_of_the_ticket_can_open_a_photo():
    ticket = TicketFactory()
    photo = photos.store(ticket=ticket, uploaded_file=upload(jpeg_with_gps()), actor=None)
    with photos.open_for(ticket.requester_user, photo) as handle:
        assert handle.read(2) == b"\xff\xd8"
    stranger = make_user(Role.RESIDENT)
    with pytest.raises(NotFound):
        photos.open_for(stranger, photo)
