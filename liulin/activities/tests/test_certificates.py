"""Completion certificates: a finished class, attendance past the term's share, a PDF."""

import datetime

import pytest
import time_machine
from django.test import Client

from liulin.activities import services
from liulin.activities.certificates import certificate_pdf, eligible
from liulin.core import clock
from liulin.core.errors import Conflict

from .factories import Town

pytestmark = pytest.mark.django_db


def test_a_certificate_past_the_share_and_none_below_it():
    town = Town()
    klass = town.klass(term=town.term(certificate_attendance_percent=80), course="民族手工")
    keen, patchy = town.resident(name="刘秀兰"), town.resident()
    e_keen = services.enrol(actor=keen.user, activity=klass, resident=keen)
    e_patchy = services.enrol(actor=patchy.user, activity=klass, resident=patchy)
    for week in range(5):
        with time_machine.travel(clock.now() + datetime.timedelta(days=7 * week)):
            if week < 4:
                services.check_in(actor=town.staff, activity=klass, enrolment=e_keen)
            if week in (0, 4):
                services.check_in(actor=town.staff, activity=klass, enrolment=e_patchy)
    with pytest.raises(Conflict):  # not before the class has finished
        certificate_pdf(e_keen, community_name="中南社区")
    services.act_on_activity(actor=town.staff, activity=klass, action="finish")
    e_keen.refresh_from_db()
    e_patchy.refresh_from_db()
    assert eligible(e_keen) == (True, 80) and eligible(e_patchy) == (False, 40)
    pdf = certificate_pdf(e_keen, community_name="中南社区")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    with pytest.raises(Conflict) as refused:
        certificate_pdf(e_patchy, community_name="中南社区")
    assert refused.value.code == "not_eligible"

    c = Client()
    c.force_login(keen.user)
    response = c.get(f"/activities/enrolments/{e_keen.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    other = Client()
    other.force_login(patchy.user)
    assert other.get(f"/activities/enrolments/{e_keen.pk}/certificate.pdf").status_code == 404
    assert other.get(f"/activities/enrolments/{e_patchy.pk}/certificate.pdf").status_code == 302


def test_an_event_has_no_certificate():
    town = Town()
    event, person = town.event(), town.resident()
    enrolment = services.enrol(actor=person.user, activity=event, resident=person)
    with pytest.raises(Conflict) as refused:
        certificate_pdf(enrolment, community_name="中南社区")
    assert refused.value.code == "not_a_class"
