"""The monthly claim: one line per subsidised meal, masked; totals equal a recount by the
database; the hash is stable and changes when a line does; xlsx and PDF carry them. Alerts
for implausible patterns."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from liulin.canteen import claims, selectors, services
from liulin.canteen.models import Order

from .factories import Kitchen

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def moment(day, hour=8, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


@pytest.fixture
def month_of_meals():
    k = Kitchen()
    elders = [k.resident(birth=datetime.date(1940 + i, 3, 1), name=f"王{'一二三四五'[i]}明") for i in range(5)]
    k.status(elders[0], "empty-nest-elderly", valid_from=datetime.date(2026, 1, 1), expires_on=datetime.date(2026, 6, 10))
    young = k.resident(birth=datetime.date(1990, 3, 1))
    for d in range(1, 16):
        day = datetime.date(2026, 6, d)
        with time_machine.travel(moment(day), tick=False):
            for e in elders:
                services.place_order(actor=e.user, period=k.lunch, day=day, resident=e, channel="phone")
            services.place_order(actor=young.user, period=k.lunch, day=day, resident=young, channel="phone")
    return k, elders


def test_claim_totals_equal_a_recount_and_the_hash_is_stable(month_of_meals):
    k, elders = month_of_meals
    with time_machine.travel(moment(datetime.date(2026, 7, 2)), tick=False):
        claim = services.generate_claim(actor=k.staff, canteen=k.canteen, month=datetime.date(2026, 6, 17))
    recount = selectors.recount(k.canteen, datetime.date(2026, 6, 1))
    assert claim.month == datetime.date(2026, 6, 1)
    assert (claim.lines, claim.price_total_fen, claim.subsidy_total_fen) == (recount["lines"], recount["price_fen"], recount["subsidy_fen"])
    # 5 elders x 15 days; the 空巢 elder (86) gets 9 yuan until 10 June, 5 yuan after; the young resident nothing.
    assert claim.lines == 75 and claim.subsidy_total_fen == 75 * 500 + 10 * 400
    lines, totals, intact = claims.claim_content(claim)
    assert intact and {line["name"] for line in lines} == {"王**"} and all("*" in line["id_masked"] for line in lines)
    assert services.claim_hash(lines, totals) == claim.sha256
    Order.objects.filter(pk=lines[0]["order"]).update(state=Order.State.CANCELLED)
    assert claims.claim_content(claim)[2] is False


def test_claim_files_carry_totals_and_hash(month_of_meals):
    from openpyxl import load_workbook

    k, _ = month_of_meals
    claim = services.generate_claim(actor=k.staff, canteen=k.canteen, month=datetime.date(2026, 6, 1))
    book = load_workbook(claims.claim_xlsx(claim))
    detail, summary = book.worksheets
    assert detail.max_row == 1 + claim.lines
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2)}
    assert values["SHA-256"] == claim.sha256 and values["补贴合计（元）"] == f"{claim.subsidy_total_fen // 100}.{claim.subsidy_total_fen % 100:02d}"
    pdf = claims.claim_pdf(claim)
    assert pdf.startswith(b"%PDF")


def test_only_community_staff_generate_claims(month_of_meals):
    k, elders = month_of_meals
    with pytest.raises(services.NotPermitted):
        services.generate_claim(actor=elders[0].user, canteen=k.canteen, month=datetime.date(2026, 6, 1))


def test_alerts_flag_rapid_meals_expired_status_and_unconfirmed_proxy_deliveries():
    k = Kitchen()
    elder = k.resident(birth=datetime.date(1944, 5, 1))
    daughter = k.resident(birth=datetime.date(1972, 5, 1))
    k.consent(elder, daughter)
    status = k.status(elder, "empty-nest-elderly", valid_from=datetime.date(2026, 1, 1), expires_on=datetime.date(2026, 12, 31))
    day = datetime.date(2026, 6, 1)
    with time_machine.travel(moment(day, 8, 0), tick=False):
        lunch = services.place_order(actor=daughter.user, period=k.lunch, day=day, resident=elder, channel="family", delivery=True)
    with time_machine.travel(moment(day, 8, 3), tick=False):
        services.place_order(actor=elder.user, period=k.dinner, day=day, resident=elder, channel="phone")
    # The status is corrected afterwards: it had ended in May.
    type(status).objects.filter(pk=status.pk).update(expires_on=datetime.date(2026, 5, 31))
    with time_machine.travel(moment(datetime.date(2026, 6, 3)), tick=False):
        found = selectors.alerts(k.canteen, day)
    kinds = sorted(a["kind"] for a in found)
    assert kinds == ["rapid", "status_expired", "status_expired", "undelivered"]
    assert [a["order"].pk for a in found if a["kind"] == "undelivered"] == [lunch.pk]
