"""The hook from 党建引领惠邻: an in-service party member's service, confirmed there by the
person served or a grid worker, is credited to this hours register once, as a confirmed
record without an activity and without points; the member disputes it like any other."""

import pytest

from liulin.core import service_hours
from liulin.partybuilding import services as partybuilding
from liulin.partybuilding.models import Category
from liulin.partybuilding.tests.factories import DAY
from liulin.partybuilding.tests.factories import make_world as party_world
from liulin.volunteering import selectors
from liulin.volunteering.models import ServiceRecord
from liulin.volunteering.services import ledger, records

pytestmark = pytest.mark.django_db


def _served(world, minutes=90, description="陪老人就医"):
    return partybuilding.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                     minutes=minutes, description=description, beneficiary=world.beneficiary.resident)


def test_a_confirmed_party_service_is_credited_once_without_points(django_capture_on_commit_callbacks, client):
    world = party_world()
    service = _served(world)
    with django_capture_on_commit_callbacks(execute=True):
        partybuilding.service_step(actor=world.beneficiary, record=service, action="service_confirm")
    hours = ServiceRecord.objects.get()
    assert (hours.volunteer.user, hours.minutes, hours.state, hours.source, hours.activity, hours.team_id, hours.community_id,
            hours.served_on, hours.content, hours.confirmed_by) == (
        world.member, 90, "confirmed", "partybuilding", None, world.org.pk, world.community.pk, DAY, "陪老人就医", world.beneficiary)
    assert hours.source_ref == f"partybuilding.service:{service.pk}"
    assert selectors.confirmed_minutes(hours.volunteer) == 90
    assert records.verify_record(hours) is None
    assert ledger.account_of(hours.volunteer).balance == 0
    # The same confirmation heard twice (a replay) credits nothing more.
    service_hours.report(service_hours.PersonService(
        origin=f"partybuilding.service:{service.pk}", user_id=world.member.pk, community_id=world.community.pk, org_id=world.org.pk,
        minutes=90, served_on=DAY, content="陪老人就医", confirmed_by_id=world.beneficiary.pk))
    assert ServiceRecord.objects.count() == 1
    # The member finds the hours among his own, through the API.
    client.force_login(world.member)
    mine = client.get("/api/v1/volunteering/me/records").json()["items"]
    assert [(r["minutes"], r["source"], r["activity_id"]) for r in mine] == [(90, "partybuilding", None)]


def test_a_party_record_is_disputed_and_corrected_like_any_other(django_capture_on_commit_callbacks):
    world = party_world()
    service = _served(world, minutes=120)
    with django_capture_on_commit_callbacks(execute=True):
        partybuilding.service_step(actor=world.grid_worker, record=service, action="service_confirm")
    hours = ServiceRecord.objects.get()
    records.act(actor=world.member, record=hours, action="dispute", reason="实际 60 分钟")
    corrected = records.act(actor=world.staff, record=hours, action="correct", reason="核对后更正", minutes=60)
    assert (corrected.state, corrected.minutes) == ("confirmed", 60)
    assert ledger.account_of(hours.volunteer).balance == 0 and records.verify_record(corrected) is None


def test_a_refused_party_service_credits_nothing(django_capture_on_commit_callbacks):
    world = party_world()
    service = _served(world)
    with django_capture_on_commit_callbacks(execute=True):
        partybuilding.service_step(actor=world.beneficiary, record=service, action="service_reject", reason="没有这回事")
    assert not ServiceRecord.objects.exists()


def test_the_demos_party_service_is_demo_data_here_too(django_capture_on_commit_callbacks):
    world = party_world()
    service = partybuilding.log_service(actor=world.member, registration=world.registration, category=Category.CARE, served_on=DAY,
                                        minutes=60, description="微心愿：修轮椅", beneficiary=world.beneficiary.resident, is_demo=True)
    with django_capture_on_commit_callbacks(execute=True):
        partybuilding.service_step(actor=world.grid_worker, record=service, action="service_confirm")
    hours = ServiceRecord.objects.select_related("volunteer").get()
    assert hours.is_demo and hours.volunteer.is_demo
