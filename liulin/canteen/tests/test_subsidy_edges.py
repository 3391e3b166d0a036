"""Subsidies at every age-band and status edge, with the clock moved by time-machine: the day
before and of a 60th and 70th birthday, a status's last day and the day after it expires,
a new table version that leaves past orders alone."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from liulin.canteen import services
from liulin.canteen.models import DinerGroup, Order, SubsidyTable
from liulin.canteen.rules import rule_rows

from .factories import Kitchen

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(day, hour=8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ), tick=False)


@pytest.fixture
def k():
    return Kitchen()


def order(k, person, day):
    with at(day):
        return services.place_order(actor=person.user, period=k.lunch, day=day, resident=person, channel=Order.Channel.PHONE)


@pytest.mark.parametrize(
    "birth, day, subsidy",
    [
        (datetime.date(1966, 3, 10), datetime.date(2026, 3, 9), 0),  # 59 the day before the 60th birthday
        (datetime.date(1966, 3, 10), datetime.date(2026, 3, 10), 500),  # 60 on the birthday
        (datetime.date(1956, 3, 10), datetime.date(2026, 3, 9), 500),  # 69: the 70+ tier not yet
        (datetime.date(1940, 2, 29), datetime.date(2026, 2, 28), 500),  # a leap-day birthday: still 85 on 28 February
    ],
)
def test_age_bands_without_status(k, birth, day, subsidy):
    person = k.resident(birth=birth)
    made = order(k, person, day)
    price = 1200 if subsidy else 1500  # the senior price list from 60, the residents' list before
    assert made.subsidy_fen == subsidy and made.paid_fen == price - subsidy and made.subsidised == bool(subsidy)
    assert made.group == (DinerGroup.SENIOR if subsidy else DinerGroup.OTHER)


@pytest.mark.parametrize(
    "code, day, subsidy",
    [
        ("empty-nest-elderly", datetime.date(2026, 3, 9), 500),  # 69 and 空巢: still the base tier
        ("empty-nest-elderly", datetime.date(2026, 3, 10), 900),  # 70th birthday: pays 3 yuan
        ("minimum-living-allowance", datetime.date(2026, 3, 10), 900),
        ("bereaved-parents", datetime.date(2026, 3, 10), 900),
        ("severe-disability", datetime.date(2026, 3, 10), 900),
        ("extreme-poverty", datetime.date(2026, 3, 9), 900),  # 特困: 9 yuan from 60, no 70 edge
    ],
)
def test_status_tiers_at_the_70th_birthday(k, code, day, subsidy):
    person = k.resident(birth=datetime.date(1956, 3, 10))
    k.status(person, code, valid_from=datetime.date(2025, 1, 1), expires_on=datetime.date(2026, 12, 31))
    assert order(k, person, day).subsidy_fen == subsidy


def test_status_counts_to_its_last_day_and_stops_the_day_after(k):
    person = k.resident(birth=datetime.date(1950, 5, 1))
    k.status(person, "minimum-living-allowance", valid_from=datetime.date(2026, 1, 1), expires_on=datetime.date(2026, 6, 30))
    last = order(k, person, datetime.date(2026, 6, 30))
    after = order(k, person, datetime.date(2026, 7, 1))
    assert (last.subsidy_fen, last.status_code) == (900, "minimum-living-allowance")
    assert (after.subsidy_fen, after.status_code) == (500, "")


def test_status_not_yet_valid_does_not_count(k):
    person = k.resident(birth=datetime.date(1950, 5, 1))
    k.status(person, "empty-nest-elderly", valid_from=datetime.date(2026, 7, 1), expires_on=datetime.date(2027, 6, 30))
    assert order(k, person, datetime.date(2026, 6, 30)).subsidy_fen == 500
    assert order(k, person, datetime.date(2026, 7, 1)).subsidy_fen == 900


def test_free_delivery_only_for_the_disabled_tier(k):
    disabled = k.resident(birth=datetime.date(1950, 5, 1))
    k.status(disabled, "severe-disability", valid_from=datetime.date(2026, 1, 1), expires_on=datetime.date(2026, 12, 31))
    plain = k.resident(birth=datetime.date(1950, 5, 1))
    young = k.resident(birth=datetime.date(1990, 5, 1))
    day = datetime.date(2026, 6, 1)
    with at(day):
        free = services.place_order(actor=disabled.user, period=k.lunch, day=day, resident=disabled, channel="phone", delivery=True)
        paid = services.place_order(actor=plain.user, period=k.lunch, day=day, resident=plain, channel="phone", delivery=True)
        with pytest.raises(services.Invalid) as refused:
            services.place_order(actor=young.user, period=k.lunch, day=day, resident=young, channel="phone", delivery=True)
    assert (free.delivery_fee_fen, free.paid_fen) == (0, 300)
    assert (paid.delivery_fee_fen, paid.paid_fen) == (300, 1200 - 500 + 300)
    assert refused.value.code == "no_delivery" and Order.objects.filter(resident=young).count() == 0


def test_a_new_table_version_applies_from_its_date_and_never_changes_past_orders(k):
    person = k.resident(birth=datetime.date(1950, 5, 1))
    before = order(k, person, datetime.date(2026, 6, 30))
    v2 = SubsidyTable.objects.create(version=2, name="2026 下半年", effective_from=datetime.date(2026, 7, 1))
    rows = rule_rows(v2)
    for row in rows:
        row.subsidy_fen += 100
    v2.rules.model.objects.bulk_create(rows)
    after = order(k, person, datetime.date(2026, 7, 1))
    before.refresh_from_db()
    assert (before.rule_table.version, before.subsidy_fen) == (1, 500)
    assert (after.rule_table.version, after.subsidy_fen) == (2, 600)


def test_staff_and_outdoor_price_lists_carry_no_subsidy(k):
    worker = k.resident(birth=datetime.date(1962, 5, 1))  # 64, eating the outdoor workers' meal
    day = datetime.date(2026, 6, 1)
    with at(day, 12):
        made = services.place_order(actor=k.counter, period=k.lunch, day=day, resident=worker, channel="counter",
                                    identified_by="resident_code", group=DinerGroup.OUTDOOR)
    assert (made.price_fen, made.subsidy_fen, made.paid_fen) == (1000, 0, 1000)
