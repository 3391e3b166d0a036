"""Pages and API: the family orders for an elder on a phone, the counter identifies a diner by
ID card, the delivery queue, the claim page and files; bad input answers {detail, code}."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from liulin.canteen.models import Claim, Order

from .factories import Kitchen

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 6, 1, 8, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def k():
    with time_machine.travel(NOW, tick=False):
        yield Kitchen()


def test_family_orders_on_the_phone_page_and_the_counter_delivers(client, k):
    elder = k.resident(birth=datetime.date(1944, 5, 1), name="赵德明")
    daughter = k.resident(birth=datetime.date(1972, 5, 1))
    k.consent(elder, daughter)
    k.status(elder, "empty-nest-elderly", valid_from=datetime.date(2026, 1, 1), expires_on=datetime.date(2026, 12, 31))
    with time_machine.travel(NOW, tick=False):
        client.force_login(daughter.user)
        page = client.get("/canteen/")
        assert page.status_code == 200 and "赵德明" in page.content.decode()
        done = client.post("/canteen/", {"resident": elder.pk, "period": k.lunch.pk, "day": "2026-06-01", "delivery": "on"})
        assert done.status_code == 302
        order = Order.objects.get(resident=elder)
        assert (order.channel, order.subsidy_fen, order.paid_fen) == ("family", 900, 300 + 300)
        client.force_login(k.counter)
        assert "赵**" in client.get(f"/canteen/{k.canteen.pk}/queue/").content.decode()
        client.post(f"/canteen/orders/{order.pk}/dispatch/", {"next": "queue"})
        client.post(f"/canteen/orders/{order.pk}/deliver/", {"next": "queue"})
        order.refresh_from_db()
        assert order.state == "delivered" and order.delivered_by == k.counter


def test_counter_finds_by_id_card_and_orders(client, k):
    from liulin.people.tests.factories import make_id_number

    number = make_id_number(datetime.date(1950, 1, 1), seq=77, region="430111")
    elder = k.resident(birth=datetime.date(1950, 1, 1), id_number=number)
    with time_machine.travel(NOW.replace(hour=11), tick=False):
        client.force_login(k.counter)
        page = client.get(f"/canteen/{k.canteen.pk}/counter/", {"id_number": number})
        assert page.status_code == 200 and elder.name in page.content.decode()
        client.post(f"/canteen/{k.canteen.pk}/counter/", {"resident": elder.pk, "identified_by": "id_card", "period": k.lunch.pk})
    order = Order.objects.get(resident=elder)
    assert (order.identified_by, order.channel, order.subsidy_fen) == ("id_card", "counter", 500)


def test_residents_cannot_open_the_counter_or_claims(client, k):
    person = k.resident(birth=datetime.date(1950, 1, 1))
    client.force_login(person.user)
    assert client.get(f"/canteen/{k.canteen.pk}/counter/").status_code == 404
    assert client.get(f"/canteen/{k.canteen.pk}/manage/").status_code == 404


def test_api_orders_claim_and_files(client, k):
    elder = k.resident(birth=datetime.date(1944, 5, 1))
    with time_machine.travel(NOW, tick=False):
        client.force_login(elder.user)
        made = client.post("/api/v1/canteen/orders", json.dumps({"period_id": k.lunch.pk, "day": "2026-06-01", "channel": "phone"}),
                           content_type="application/json")
        assert made.status_code == 201 and made.json()["subsidy_fen"] == 500 and made.json()["rule_version"] == 1
        again = client.post("/api/v1/canteen/orders", json.dumps({"period_id": k.lunch.pk, "day": "2026-06-01", "channel": "phone"}),
                            content_type="application/json")
        assert again.status_code == 409 and again.json()["code"] == "already_subsidised"
        bad = client.post("/api/v1/canteen/orders", json.dumps({"period_id": k.lunch.pk, "day": "9999-12-31", "channel": "phone"}),
                          content_type="application/json")
        assert bad.status_code in (400, 422) and "detail" in bad.json()
        client.force_login(k.staff)
        claim = client.post(f"/api/v1/canteen/{k.canteen.pk}/claims", json.dumps({"month": "2026-06-01"}), content_type="application/json")
        assert claim.status_code == 201 and claim.json()["lines"] == 1
        pk = claim.json()["id"]
        assert client.get(f"/api/v1/canteen/claims/{pk}/file/xlsx").status_code == 200
        assert client.get(f"/canteen/claims/{pk}/pdf/").content.startswith(b"%PDF")
        assert client.get(f"/canteen/{k.canteen.pk}/manage/").status_code == 200
        client.force_login(elder.user)
        assert client.get(f"/api/v1/canteen/claims/{pk}").status_code == 404
    assert Claim.objects.count() == 1
