"""志愿服务证明 (民政部令第67号 第十三条、第十四条): issued by the community on request from
the confirmed records of a period, free of charge; a public page verifies it by number and
code and shows only the masked name, hours, content, issuer and date."""

import secrets

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from liulin.core import audit, clock
from liulin.core.errors import Invalid
from liulin.core.masking import mask_name
from liulin.core.permissions import authorise

from ..models import Certificate, ServiceRecord


def issue_certificate(*, actor, volunteer, period_from, period_to):
    authorise(actor, "volunteering.certify", volunteer)
    clock.bounded(period_from, field="period_from")
    clock.bounded(period_to, field="period_to")
    if period_to < period_from:
        raise Invalid(_("结束日期须不早于开始日期。"), code="invalid_period", field="period_to")
    records = ServiceRecord.objects.filter(volunteer=volunteer, state=ServiceRecord.State.CONFIRMED,
                                           served_on__range=(period_from, period_to))
    minutes = records.aggregate(total=Sum("minutes"))["total"] or 0
    if not minutes:
        raise Invalid(_("该期间没有已确认的服务记录。"), code="no_records")
    kinds = list(dict.fromkeys(records.order_by("served_on").values_list("content", flat=True)))
    content = "、".join(kinds[:10]) + (_("等") if len(kinds) > 10 else "")
    community = volunteer.community
    resident = volunteer.resident
    with transaction.atomic():
        certificate = Certificate.objects.create(
            community=community, volunteer=volunteer, number=f"PENDING-{secrets.token_hex(8)}",
            code=secrets.token_urlsafe(12), masked_name=mask_name(volunteer.name),
            masked_id=resident.id_masked if resident is not None else "", minutes=minutes, content=content,
            period_from=period_from, period_to=period_to, issuer=_("%(community)s居民委员会") % {"community": community.name},
            issued_by=actor, issued_on=clock.today())
        certificate.number = f"{community.code}-{certificate.issued_on:%Y}-{certificate.pk:06d}"
        certificate.save(update_fields=["number"])
        audit.record(actor=actor, action="volunteering.certify", target=certificate, minutes=minutes)
    return certificate




def render_pdf(*, certificate, verify_url, qr_data_uri):
    """The certificate as a PDF (WeasyPrint, Debian's Noto CJK fonts), from the same facts as
    the page: masked identity, hours, content, issuer, number, date, the community's seal
    image when it has uploaded one, and the QR code to the public verification page."""
    import base64

    from liulin.core import pdf

    from ..models import Rules

    rules = Rules.objects.filter(community_id=certificate.community_id).first()
    seal = None
    if rules is not None and rules.seal:
        with rules.seal.open("rb") as image:
            kind = "png" if rules.seal.name.lower().endswith(".png") else "jpeg"
            seal = f"data:image/{kind};base64,{base64.b64encode(image.read()).decode()}"
    return pdf.render("volunteering/certificate_pdf.html", {
        "certificate": certificate, "verify_url": verify_url, "qr": qr_data_uri, "seal": seal})
