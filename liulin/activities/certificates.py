"""Completion certificates of the elderly university, as PDF.

A student whose class has finished, and who attended at least the term's
`certificate_attendance_percent` of its sessions (days anyone was checked in), may download
a certificate. It is drawn with Pillow (already a dependency) on an A4 landscape page in a
CJK font from the system (Debian's fonts-noto-cjk, `LIULIN_CERTIFICATE_FONT` to choose
another) and saved as a one-page PDF; nothing is stored.
"""

import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from liulin.core.errors import Conflict

from .models import Activity, Enrolment
from .services import attendance_share

FONT = getattr(settings, "LIULIN_CERTIFICATE_FONT", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
PAGE = (1754, 1240)  # A4 landscape at 150 dpi


def eligible(enrolment):
    """(may he have one, his attendance share in percent or None)."""
    activity = enrolment.activity
    share = attendance_share(enrolment)
    ok = (activity.kind == Activity.Kind.CLASS and activity.state == Activity.State.FINISHED
          and enrolment.state in (Enrolment.State.CONFIRMED, Enrolment.State.ATTENDED)
          and share is not None and share >= activity.term.certificate_attendance_percent)
    return ok, share


def certificate_pdf(enrolment, *, community_name):
    ok, share = eligible(enrolment)
    if not ok:
        term = enrolment.activity.term
        if term is None:
            raise Conflict(_("只有老年大学班级颁发结业证书。"), code="not_a_class")
        raise Conflict(_("班级结束且出勤达到 %(n)s%% 后才能领取结业证书。") % {"n": term.certificate_attendance_percent},
                       code="not_eligible")
    if not Path(FONT).exists():
        raise Conflict(_("服务器缺少中文字体，暂不能生成证书。"), code="no_font")
    activity = enrolment.activity
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle([40, 40, PAGE[0] - 40, PAGE[1] - 40], outline=(180, 20, 30), width=12)

    def centred(text, y, size):
        font = ImageFont.truetype(FONT, size)
        width = draw.textlength(text, font=font)
        draw.text(((PAGE[0] - width) / 2, y), text, font=font, fill=(40, 40, 40))

    centred("结业证书", 170, 120)
    centred(f"{enrolment.resident.name} 学员：", 400, 64)
    centred(f"于{activity.term.name}在{activity.title}（{activity.course.name}）学习期满，", 540, 52)
    centred(f"出勤率 {share}%，准予结业。", 630, 52)
    centred(community_name, 900, 48)
    centred(timezone.localdate(activity.ends_at).strftime("%Y年%m月%d日"), 980, 44)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150.0)
    return out.getvalue()
