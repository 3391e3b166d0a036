"""The printed reports (PDF through core.pdf) and their sending to the members' units."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from liulin.core import pdf
from liulin.core.notifications.models import Notification
from liulin.partybuilding import services
from liulin.partybuilding.models import Category

from .factories import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(monkeypatch):
    """The HTML each PDF was printed from (the PDF itself is still made): WeasyPrint draws
    CJK text as glyphs, so the figures are read from what it was given."""
    pages = []
    real = pdf.render

    def spy(template, context):
        pages.append(render_to_string(template, {"cjk_fonts": pdf.CJK_FONTS, **context}))
        return real(template, context)

    monkeypatch.setattr(pdf, "render", spy)
    return pages


def _served(world, minutes=120, description="陪诊"):
    record = services.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                  minutes=minutes, description=description, beneficiary=world.beneficiary.resident)
    services.service_step(actor=world.grid_worker, record=record, action="service_confirm")
    return record


def _is_pdf(response):
    return (response.status_code == 200 and response["Content-Type"] == "application/pdf"
            and response.content.startswith(b"%PDF") and len(response.content) > 1000 and response["Cache-Control"] == "no-store")


def test_the_members_quarterly_report_prints_as_a_pdf_with_his_figures(world, client, printed):
    _served(world)
    services.evaluate_member(actor=world.staff, registration=world.registration, year=2026, grade="excellent")
    url = reverse("partybuilding:member_report_pdf", args=[world.registration.pk, 2026, 1])
    client.force_login(world.contact)
    page = client.get(reverse("partybuilding:member_report", args=[world.registration.pk, 2026, 1])).content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert _is_pdf(response)
    assert "inline" in response["Content-Disposition"]
    [html] = printed
    assert world.registration.name in html and world.org.name in html and "陪诊" in html
    assert "<td>2.0</td>" in html and "<td>1</td>" in html and "2026-01-01 – 2026-03-31" in html and "优秀" in html
    # Another unit's contact cannot print it; nor is a quarter outside 1-4 a report.
    client.force_login(world.other_contact)
    assert client.get(url).status_code == 404
    client.force_login(world.contact)
    assert client.get(reverse("partybuilding:member_report_pdf", args=[world.registration.pk, 2026, 5])).status_code == 404
    # The member himself may print his own.
    client.force_login(world.member)
    assert _is_pdf(client.get(url))


def test_the_quarterly_notice_links_the_pdf_the_contact_can_open(world, client, printed):
    _served(world, minutes=90)
    assert services.send_quarterly_reports(actor=world.staff, org=world.org, year=2026, quarter=1) == 1
    notice = Notification.objects.get(user=world.contact, kind="partybuilding.report")
    assert notice.url == reverse("partybuilding:member_report_pdf", args=[world.registration.pk, 2026, 1])
    client.force_login(world.contact)
    assert _is_pdf(client.get(notice.url))
    assert "<td>1.5</td>" in printed[0]


def test_the_units_yearly_report_prints_as_a_pdf(world, client, printed):
    _served(world, minutes=150)
    partnership = world.org.partnerships.get()
    url = reverse("partybuilding:unit_report_pdf", args=[partnership.pk, 2026])
    client.force_login(world.contact)
    assert f'href="{url}"' in client.get(reverse("partybuilding:unit_report", args=[partnership.pk, 2026])).content.decode()
    assert _is_pdf(client.get(url))
    [html] = printed
    assert world.org.name in html and "<td>2.5</td>" in html and "组织联建" in html
    client.force_login(world.other_contact)
    assert client.get(url).status_code == 404
    client.force_login(world.staff)
    assert client.get(reverse("partybuilding:unit_report_pdf", args=[partnership.pk, 1999])).status_code == 404
