"""core.counters: deltas added in the change's transaction, in batches, and checked against a
recount of the source. The table here is whistle's KpiRollup (any model with a unique key
over the key columns would do); the source is a list the test owns."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from liulin.core import counters
from liulin.whistle import rollups
from liulin.whistle.models import KpiRollup

pytestmark = pytest.mark.django_db

MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
KEYS = ("grain", "month", "community_key", "grid_key", "category_key", "org_key")
source = []  # (month, community, filed, urges): what the counted service wrote


def _recount(months=None):
    out = counters.totals(
        (("area", month, community, 0, 0, 0), {"filed": filed, "urges": urges})
        for month, community, filed, urges in source
        if months is None or month in months
    )
    return {key: dict(counts) for key, counts in out.items()}


COUNTER = counters.Counter(
    name="test.filings",
    model=KpiRollup,
    keys=KEYS,
    counts=rollups.COUNTERS,  # every column not a key or attribute: new rows need them all
    attributes=("area_path",),
    attributes_of=lambda keys: {k: (f"/{k[2]}/",) for k in keys},
    recount=_recount,
    where=lambda months=None: Q(grain="area") & (Q() if months is None else Q(month__in=months)),
)


def key(month, community):
    return ("area", month, community, 0, 0, 0)


def file(month, community, *, filed=1, urges=0):
    """The counted 'service': a source row and its counter delta, in one transaction."""
    with transaction.atomic():
        source.append((month, community, filed, urges))
        COUNTER.increment(key(month, community), (f"/{community}/",), filed=filed, urges=urges)


@pytest.fixture(autouse=True)
def _empty_source():
    source.clear()
    yield
    source.clear()


def test_increments_add_up_and_create_missing_rows_with_their_attributes():
    file(MARCH, 1)
    file(MARCH, 1, urges=2)
    file(APRIL, 2)
    row = KpiRollup.objects.get(grain="area", month=MARCH, community_key=1)
    assert (row.filed, row.urges, row.area_path) == (2, 2, "/1/")
    assert COUNTER.stored() == {key(MARCH, 1): {"filed": 2, "urges": 2}, key(APRIL, 2): {"filed": 1}}
    assert COUNTER.differences() == []


def test_a_batch_adds_many_keys_in_one_statement_and_negative_deltas_subtract():
    file(MARCH, 1)
    with transaction.atomic(), CaptureQueriesContext(connection) as statements:
        COUNTER.add(
            {key(MARCH, 1): {"filed": -1, "urges": 1}, key(MARCH, 2): {"filed": 3}, key(MARCH, 3): {"filed": 0}},
            {key(MARCH, 1): ("/1/",), key(MARCH, 2): ("/2/",), key(MARCH, 3): ("/3/",)},
        )
    assert len(statements) == 1
    assert COUNTER.stored() == {key(MARCH, 1): {"urges": 1}, key(MARCH, 2): {"filed": 3}}


def test_the_counter_rolls_back_with_the_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        file(MARCH, 1)
        assert COUNTER.stored() == {key(MARCH, 1): {"filed": 1}}
        raise RuntimeError("the change failed after counting")
    assert COUNTER.stored() == {}


def test_differences_name_the_key_and_count_and_recompute_restores_the_scope_only():
    file(MARCH, 1)
    file(APRIL, 1)
    KpiRollup.objects.filter(grain="area", month=MARCH).update(filed=7)  # a row edited by hand
    source.append((APRIL, 5, 1, 0))  # a change that bypassed the counter
    assert COUNTER.differences() == [(key(MARCH, 1), "filed", 7, 1), (key(APRIL, 5), "filed", 0, 1)]
    assert COUNTER.differences(months=[MARCH]) == [(key(MARCH, 1), "filed", 7, 1)]

    assert COUNTER.recompute(months=[MARCH]) == 1
    assert COUNTER.differences(months=[MARCH]) == []
    assert COUNTER.differences() == [(key(APRIL, 5), "filed", 0, 1)]


def test_a_count_the_counter_does_not_declare_is_refused():
    with pytest.raises(ValueError, match="no counts"), transaction.atomic():
        COUNTER.add({key(MARCH, 1): {"area_path": 1}}, {key(MARCH, 1): ("/1/",)})  # an attribute, not a count


@pytest.mark.django_db(transaction=True)
def test_adding_outside_the_change_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        COUNTER.increment(key(MARCH, 1), ("/1/",), filed=1)
    assert not KpiRollup.objects.exists()


def test_counters_are_registered_by_unique_name():
    assert counters.registered()["whistle.kpi_rollup"] is rollups.KPI
    with pytest.raises(ValueError, match="already registered"):
        counters.register(counters.Counter(name="whistle.kpi_rollup", model=KpiRollup, keys=KEYS, counts=("filed",),
                                           recount=_recount))



def test_the_check_command_reports_a_differing_counter_and_fix_rewrites_it(capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("check_counters", "whistle.kpi_rollup")
    assert "whistle.kpi_rollup: matches a recount." in capsys.readouterr().out
    KpiRollup.objects.create(grain="area", month=MARCH, area_path="/9/", community_key=9, category_key=0, urges=4)
    with pytest.raises(CommandError, match="1 counters differ"):
        call_command("check_counters", "whistle.kpi_rollup")
    assert "urges stored 4, recount 0" in capsys.readouterr().out
    call_command("check_counters", "whistle.kpi_rollup", "--fix")
    assert "fixed 1 differences" in capsys.readouterr().out
    assert not KpiRollup.objects.exists()
    with pytest.raises(CommandError, match="unknown counters"):
        call_command("check_counters", "nope")
