"""One apartment, one live lease: clerks racing to open leases on it get one."""

import pytest
from django.db import IntegrityError, transaction

from liulin.core import clock
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.housing.models import Application, Lease

from .factories import Town


@pytest.mark.django_db(transaction=True)
def test_concurrent_leases_on_one_apartment_give_one(tmp_path):
    town = Town()
    apartment = town.apartments[0]
    applications = [town.application_in(Application.State.WAITING) for _ in range(6)]
    today = clock.today()

    def attempt(application):
        def run():
            try:
                with transaction.atomic():
                    Lease.objects.create(apartment=apartment, application_id=application.pk, tenant_id=application.applicant_id,
                                         starts_on=today, term_months=12, ends_on=today.replace(year=today.year + 1),
                                         rent_fen=90000, deposit_fen=180000)
                return "ok"
            except IntegrityError:
                return "refused"
        return run

    use = threads_database(tmp_path)
    results, errors = run_at_once([attempt(a) for a in applications], before=use)
    assert errors == []
    assert sorted(results) == ["ok"] + ["refused"] * 5
    assert read_in_threads(lambda: Lease.objects.filter(apartment=apartment, state__in=Lease.LIVE).count(), use) == 1
