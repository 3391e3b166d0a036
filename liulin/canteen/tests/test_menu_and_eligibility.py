"""The weekly menu is published ahead and only published menus show; care statuses need a
proof and ordered dates; consents are one live per pair and never to oneself."""

import datetime

import pytest

from liulin.canteen import selectors, services
from liulin.canteen.models import MenuDay
from liulin.people.models import CareTag

from .factories import Kitchen

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 6, 8)


def test_publish_week_shows_the_menu_to_diners_and_only_staff_publish():
    k = Kitchen()
    MenuDay.objects.bulk_create([MenuDay(period=k.lunch, day=MONDAY + datetime.timedelta(days=d), dishes="红烧肉\n青菜") for d in range(7)])
    assert list(selectors.published_menu(k.canteen, MONDAY)) == []
    elder = k.resident(birth=datetime.date(1950, 1, 1))
    with pytest.raises(services.NotPermitted):
        services.publish_week(actor=elder.user, canteen=k.canteen, monday=MONDAY)
    with pytest.raises(services.Invalid) as not_monday:
        services.publish_week(actor=k.counter, canteen=k.canteen, monday=MONDAY + datetime.timedelta(days=1))
    assert not_monday.value.code == "not_monday"
    assert services.publish_week(actor=k.counter, canteen=k.canteen, monday=MONDAY) == 7
    shown = list(selectors.published_menu(k.canteen, MONDAY))
    assert len(shown) == 7 and shown[0].dish_list == ["红烧肉", "青菜"]


def test_status_needs_proof_and_ordered_dates():
    k = Kitchen()
    elder = k.resident(birth=datetime.date(1950, 1, 1))
    tag = CareTag.objects.get(code="minimum-living-allowance")
    common = {"actor": k.staff, "canteen": k.canteen, "resident": elder, "tag": tag}
    with pytest.raises(services.Invalid) as no_proof:
        services.record_status(**common, proof="  ", valid_from=MONDAY, expires_on=MONDAY)
    assert no_proof.value.code == "proof_required"
    with pytest.raises(services.Invalid):
        services.record_status(**common, proof="证\x00", valid_from=MONDAY, expires_on=MONDAY)
    with pytest.raises(services.Invalid) as reversed_dates:
        services.record_status(**common, proof="低保证 001", valid_from=MONDAY, expires_on=MONDAY - datetime.timedelta(days=1))
    assert reversed_dates.value.code == "dates_reversed"
    with pytest.raises(services.NotPermitted):
        services.record_status(**{**common, "actor": k.counter}, proof="低保证 001", valid_from=MONDAY, expires_on=MONDAY)
    status = services.record_status(**common, proof="低保证 001", valid_from=MONDAY, expires_on=MONDAY)
    assert services.statuses_on(elder, MONDAY) == {"minimum-living-allowance"} and status.proof == "低保证 001"


def test_consent_once_per_pair_and_never_to_oneself():
    k = Kitchen()
    elder = k.resident(birth=datetime.date(1944, 1, 1))
    son = k.resident(birth=datetime.date(1970, 1, 1))
    with pytest.raises(services.Invalid):
        services.record_consent(actor=k.staff, canteen=k.canteen, elder=elder, family=elder, relation="本人")
    services.record_consent(actor=k.staff, canteen=k.canteen, elder=elder, family=son, relation="儿子")
    with pytest.raises(services.Conflict):
        services.record_consent(actor=k.staff, canteen=k.canteen, elder=elder, family=son, relation="儿子")
    assert list(selectors.elders_i_order_for(son.user)) == [elder]
