"""A family member (or grid worker) applies for day care for an elder under her consent: the
application waits without taking a place, both names are on the record, the elder and the
centre's care staff are told, and the manager admits it after assessment. Without a consent,
out of scope, another community's centre or a second live application: refused, nothing
written."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.daycare import services
from liulin.daycare.models import DayPlace, Enrolment, EnrolmentEvent, FamilyContact
from liulin.people import proxy_services
from liulin.people.models import ProxyEvent

from .factories import Station

pytestmark = pytest.mark.django_db
JSON = "application/json"


def consent(station, elder, proxy, *, services=("daycare",), relation="child"):
    return proxy_services.grant(actor=station.manager, elder=elder, proxy_user=proxy, relation=relation, services=list(services),
                                valid_until=datetime.date.today() + datetime.timedelta(days=90), consent_proof="委托书 2026-001")


@pytest.fixture
def world():
    station = Station(capacity=1)
    elder = station.resident(age=84, with_user=True)
    daughter = station.resident(age=52)
    consent(station, elder, daughter.user)
    return station, elder, daughter.user


def test_the_daughter_applies_and_the_place_is_taken_only_when_the_manager_admits(world):
    station, elder, daughter = world
    enrolment = services.apply_for(actor=daughter, centre=station.centre, elder=elder, days=[0, 2], note="腿脚不便，需要轮椅")
    assert enrolment.state == Enrolment.State.WAITING and enrolment.enrolled_by == daughter
    assert set(DayPlace.objects.filter(centre=station.centre).values_list("taken", flat=True)) == {0}
    contact = FamilyContact.objects.get(enrolment=enrolment)
    assert (contact.user, contact.relation) == (daughter, "子女")  # she now sees the elder's day; the centre's record in its language
    assert services.is_family(daughter, enrolment)
    event = EnrolmentEvent.objects.get(enrolment=enrolment, action="apply")
    assert event.actor == daughter and event.actor_role == "proxy" and event.data["note"] == "腿脚不便，需要轮椅"
    act = ProxyEvent.objects.get(action="act", service="daycare")
    assert act.target_id == str(enrolment.pk)
    assert Notification.objects.filter(user=elder.user, kind="people.proxy").exists()  # the elder is told
    assert Notification.objects.filter(user=station.carer, kind=services.KIND_DAYCARE, target_id=str(enrolment.pk)).exists()
    # the family cannot admit (separation: the centre assesses); the manager can
    with pytest.raises(NotPermitted):
        services.act(actor=daughter, enrolment=enrolment, action="admit")
    services.act(actor=station.manager, enrolment=enrolment, action="admit")
    assert set(DayPlace.objects.filter(centre=station.centre, weekday__in=[0, 2]).values_list("taken", flat=True)) == {1}


def _nothing_written(before):
    assert Enrolment.objects.count() == before
    assert not ProxyEvent.objects.filter(action="act").exists()


def test_without_a_consent_covering_day_care_it_is_refused(world):
    station, elder, _daughter = world
    neighbour = station.resident(age=40).user
    with pytest.raises(NotPermitted) as refused:
        services.apply_for(actor=neighbour, centre=station.centre, elder=elder, days=[0])
    assert refused.value.code == "proxy_none"
    son = station.resident(age=55).user
    consent(station, elder, son, services=("canteen",))
    with pytest.raises(NotPermitted) as refused:
        services.apply_for(actor=son, centre=station.centre, elder=elder, days=[0])
    assert refused.value.code == "proxy_out_of_scope"
    _nothing_written(0)


def test_another_communitys_centre_bad_days_and_a_second_application_are_refused(world):
    station, elder, daughter = world
    elsewhere = Station()
    with pytest.raises(NotPermitted) as refused:
        services.apply_for(actor=daughter, centre=elsewhere.centre, elder=elder, days=[0])
    assert refused.value.code == "other_community"
    for days in ([], [7], ["x"]):
        with pytest.raises(Invalid):
            services.apply_for(actor=daughter, centre=station.centre, elder=elder, days=days)
    with pytest.raises(Invalid):
        services.apply_for(actor=daughter, centre=station.centre, elder=elder, days=[0], note="长" * 201)
    _nothing_written(0)
    services.apply_for(actor=daughter, centre=station.centre, elder=elder, days=[0])
    with pytest.raises(Conflict) as refused:
        services.apply_for(actor=daughter, centre=station.centre, elder=elder, days=[1])
    assert refused.value.code == "already_enrolled"
    assert Enrolment.objects.count() == 1


def test_the_page_lists_her_elder_and_files_the_application(world):
    station, elder, daughter = world
    client = Client()
    client.force_login(daughter)
    home = client.get(reverse("daycare:home")).content.decode()
    assert reverse("daycare:apply") in home
    page = client.get(reverse("daycare:apply"))
    assert page.status_code == 200 and elder.name in page.content.decode()
    prefix = f"e{elder.pk}-"
    refused = client.post(reverse("daycare:apply"), {prefix + "elder": elder.pk, prefix + "centre": station.centre.pk})
    assert refused.status_code == 200 and not Enrolment.objects.exists()  # no day chosen: the form says so
    done = client.post(reverse("daycare:apply"), {prefix + "elder": elder.pk, prefix + "centre": station.centre.pk,
                                                  prefix + "days": ["1", "3"], prefix + "note": "午饭要软一些"})
    enrolment = Enrolment.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("daycare:family_day", args=[enrolment.pk])
    assert enrolment.weekdays == [1, 3]
    day = client.get(done["Location"]).content.decode()
    assert 'data-testid="waiting"' in day and 'data-testid="qr"' not in day  # no door code before admission
    # the elder applied for is no longer offered for that centre
    assert f'data-testid="apply-{elder.pk}"' not in client.get(reverse("daycare:apply")).content.decode()


def test_the_api_applies_and_hides_elders_she_may_not_act_for(world):
    station, elder, daughter = world
    client = Client()
    client.force_login(daughter)
    url = "/api/v1/daycare/applications"
    stranger = station.resident(age=90, with_user=False)
    hidden = client.post(url, json.dumps({"centre_id": station.centre.pk, "elder_id": stranger.pk, "days": [0]}), content_type=JSON)
    assert hidden.status_code == 404 and set(hidden.json()) >= {"detail", "code"}
    bad = client.post(url, json.dumps({"centre_id": station.centre.pk, "elder_id": elder.pk, "days": [9]}), content_type=JSON)
    assert bad.status_code == 400 and bad.json()["code"]
    made = client.post(url, json.dumps({"centre_id": station.centre.pk, "elder_id": elder.pk, "days": [0, 4], "note": "需要轮椅"}),
                       content_type=JSON)
    assert made.status_code == 201 and made.json()["state"] == "waiting" and made.json()["elder_name"] == elder.name
    again = client.post(url, json.dumps({"centre_id": station.centre.pk, "elder_id": elder.pk, "days": [0]}), content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "already_enrolled"
