"""Move-in and move-out inspections: a defect keeps its photos and becomes a 雷锋哨 work order."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liulin.core.attachments.selectors import for_owner
from liulin.core.errors import Conflict, Invalid
from liulin.housing import services
from liulin.housing.models import Defect, Inspection, Lease
from liulin.whistle.models import Ticket
from liulin.whistle.tests.factories import CategoryFactory

from .factories import Town

pytestmark = pytest.mark.django_db


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_a_move_out_defect_becomes_a_work_order_with_its_photo(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                         "OPTIONS": {"location": str(tmp_path)}}}
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE)
    category = CategoryFactory()
    with pytest.raises(Invalid):  # a defect needs a category for its work order
        services.record_inspection(actor=town.staff, lease=lease, kind="move_out", defects=[("卫生间漏水", [])])
    inspection = services.record_inspection(actor=town.staff, lease=lease, kind="move_out", category=category.code,
                                            defects=[("卫生间漏水", [_photo()])])
    defect = Defect.objects.get(inspection=inspection)
    assert defect.work_order_number and Ticket.objects.filter(pk=defect.work_order_id, channel="housing").exists()
    assert for_owner(defect, "defect").count() == 1
    with pytest.raises(Conflict):
        services.record_inspection(actor=town.staff, lease=lease, kind="move_out")
    assert Inspection.objects.filter(lease=lease).count() == 1
