"""Twenty subsidised orders for one elder and one meal period at the same moment (real
threads, each on its own connection; SQLite on a file, and PostgreSQL): one is taken, the
other nineteen are refused, and the database holds one subsidised meal."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from liulin.canteen import services
from liulin.canteen.models import Order
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database

from .factories import Kitchen

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_concurrent_subsidised_orders_for_one_elder_make_one(tmp_path):
    day = datetime.date(2026, 6, 1)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=timezone.get_current_timezone()), tick=False):
        k = Kitchen()
        elder = k.resident(birth=datetime.date(1944, 5, 1))
        daughter = k.resident(birth=datetime.date(1972, 5, 1))
        k.consent(elder, daughter)
        use = threads_database(tmp_path)

        def by(actor, channel, **extra):
            return lambda: services.place_order(actor=actor, period=k.lunch, day=day, resident=elder, channel=channel, **extra)

        calls = [by(elder.user, "phone")] * 7 + [by(daughter.user, "family")] * 7 + \
                [by(k.counter, "counter", identified_by="id_card")] * 6
        results, errors = run_at_once(calls, before=use)
        assert len([r for r in results if r is not None]) == 1
        assert len(errors) == 19 and all(getattr(e, "code", "") == "already_subsidised" for e in errors), errors
        count = read_in_threads(lambda: Order.objects.filter(resident=elder, period=k.lunch, day=day, subsidised=True).count(), use)
        assert count == 1
