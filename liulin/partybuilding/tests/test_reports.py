"""The printed reports (PDF through core.pdf) and their sending to the members' units."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core import pdf
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.core.tasks import periodic_jobs
from liulin.partybuilding import services
from liulin.partybuilding.models import Category, ReportDispatch

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


# --- the quarter's reports sent by themselves ----------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(*day, hour=9):
    return datetime.datetime(*day, hour, tzinfo=SHANGHAI)


def _run_the_job():
    periodic_jobs()["partybuilding.send_quarterly_reports"].run()


def _reports_to(user):
    return list(Notification.objects.filter(user=user, kind="partybuilding.report").order_by("id").values_list("url", flat=True))


def test_the_quarter_just_ended_is_sent_to_every_unit_once(world, time_machine):
    q1 = reverse("partybuilding:member_report_pdf", args=[world.registration.pk, 2026, 1])
    time_machine.move_to(_at(2026, 3, 31, hour=23), tick=False)  # the quarter is not over yet
    _run_the_job()
    assert not ReportDispatch.objects.exists() and _reports_to(world.contact) == []

    time_machine.move_to(_at(2026, 4, 1, hour=0), tick=False)
    _run_the_job()
    assert _reports_to(world.contact) == [q1]
    assert {(d.org_id, d.year, d.quarter, d.members, d.automatic, d.sent_by_id) for d in ReportDispatch.objects.all()} == {
        (world.org.pk, 2026, 1, 1, True, None), (world.other_org.pk, 2026, 1, 0, True, None)}
    # Run again, later that day and on the last day of the window: nothing new.
    for moment in (_at(2026, 4, 1, hour=15), _at(2026, 4, 7, hour=23)):
        time_machine.move_to(moment, tick=False)
        _run_the_job()
    assert _reports_to(world.contact) == [q1] and ReportDispatch.objects.count() == 2
    # A unit that joins after the job ran is sent its quarter on the next run, inside the window.
    from .factories import member, partner_unit

    late = partner_unit(world.community, "后报到单位党支部")
    late_contact = make_user(Role.PARTNER_CONTACT, late)
    _late_member, late_registration = member(world.grid, late)
    _run_the_job()
    assert _reports_to(late_contact) == [reverse("partybuilding:member_report_pdf", args=[late_registration.pk, 2026, 1])]

    # Past the window (7 days by default), nothing is sent; nor mid-quarter.
    Notification.objects.all().delete()
    for moment in (_at(2026, 4, 8), _at(2026, 5, 15)):
        time_machine.move_to(moment, tick=False)
        _run_the_job()
    assert not Notification.objects.exists() and ReportDispatch.objects.filter(quarter=2).count() == 0


def test_a_unit_whose_quarter_staff_already_sent_is_left_alone(world, time_machine, settings):
    settings.LIULIN_QUARTER_REPORT_DAYS = 3
    time_machine.move_to(_at(2026, 6, 20), tick=False)  # sent during the quarter: not its final report
    services.send_quarterly_reports(actor=world.staff, org=world.org, year=2026, quarter=2)
    time_machine.move_to(_at(2026, 7, 1, hour=10), tick=False)
    services.send_quarterly_reports(actor=world.staff, org=world.other_org, year=2026, quarter=2)
    time_machine.move_to(_at(2026, 7, 2), tick=False)
    _run_the_job()
    sent = {(d.org_id, d.automatic) for d in ReportDispatch.objects.filter(year=2026, quarter=2)}
    assert sent == {(world.org.pk, False), (world.org.pk, True), (world.other_org.pk, False)}
    assert ReportDispatch.objects.get(org=world.other_org).sent_by == world.staff
    time_machine.move_to(_at(2026, 7, 4), tick=False)  # the third day is the last with LIULIN_QUARTER_REPORT_DAYS = 3
    assert services.send_due_quarterly_reports() == 0


def test_the_fourth_quarter_is_sent_in_the_new_year_and_a_second_node_sends_nothing(world, time_machine):
    time_machine.move_to(_at(2027, 1, 2), tick=False)
    assert services.send_due_quarterly_reports() == 2
    assert _reports_to(world.contact) == [reverse("partybuilding:member_report_pdf", args=[world.registration.pk, 2026, 4])]
    # Another node that read the units before this one wrote its rows loses on the constraint.
    from liulin.partybuilding.services.members import dispatch_automatic

    assert dispatch_automatic(org=world.org, year=2026, quarter=4) is False
    assert len(_reports_to(world.contact)) == 1
