"""Invoices and arrears where the tenant and the manager meet them: this month's invoices
issued every day by a periodic job (idempotent), a renewed lease billed to its end and its
renewal from the next month (the month they meet billed once), arrears counted in overdue
months on the manager's list, and the alerts sent shown on the lease page."""

import pytest

from liulin.core import calendar, clock
from liulin.core.tasks import periodic_jobs
from liulin.housing import services
from liulin.housing.models import Invoice, Lease

from .factories import GOOD, Town

pytestmark = pytest.mark.django_db


def _month(offset):
    return calendar.add_months(calendar.month_start(clock.today()), offset)


def test_this_months_invoices_are_issued_daily_and_once():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE)
    job = periodic_jobs()["housing.issue_invoices"]
    assert job.every == 86400 and job.func is services.issue_this_months_invoices
    assert services.issue_this_months_invoices() == 1
    assert services.issue_this_months_invoices() == 0
    assert list(Invoice.objects.values_list("lease_id", "month", "amount_fen")) == [(lease.pk, _month(0), lease.rent_fen)]


def test_a_renewed_lease_is_billed_to_its_end_and_the_renewal_from_the_next_month():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=40)
    renewal = services.act_on_lease(actor=town.staff, lease=lease, action="renew", answers=GOOD, term_months=12)
    assert Lease.objects.get(pk=lease.pk).state == Lease.State.RENEWED
    end_month = calendar.month_start(lease.ends_on)
    for offset in range(0, 4):
        services.issue_invoices(month=_month(offset))
    billed = sorted(Invoice.objects.values_list("month", "lease_id"))
    months_of = {pk: [m for m, lid in billed if lid == pk] for pk in (lease.pk, renewal.pk)}
    assert end_month in months_of[lease.pk] and _month(0) in months_of[lease.pk]
    assert months_of[lease.pk][-1] == end_month
    if lease.ends_on.day != 1:  # the month the two leases meet is billed once, to the old one
        assert end_month not in months_of[renewal.pk]
    assert months_of[renewal.pk] and min(months_of[renewal.pk]) >= renewal.starts_on
    assert len({m for m, _lid in billed}) == len(billed)  # one invoice per month for the apartment


def test_a_renewal_starting_on_the_first_takes_that_month():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE)
    first = _month(2)
    Lease.objects.filter(pk=lease.pk).update(ends_on=first, state=Lease.State.RENEWED)
    renewal = Lease.objects.create(apartment=lease.apartment, application=lease.application, tenant=lease.tenant, previous=lease,
                                   state=Lease.State.ACTIVE, starts_on=first, term_months=12, ends_on=calendar.add_months(first, 12),
                                   rent_fen=lease.rent_fen, deposit_fen=lease.deposit_fen)
    services.issue_invoices(month=first)
    assert list(Invoice.objects.filter(month=first).values_list("lease_id", flat=True)) == [renewal.pk]


def test_arrears_of_a_renewed_lease_still_count():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=40)
    Invoice.objects.create(lease=lease, month=_month(-1), amount_fen=lease.rent_fen)
    services.act_on_lease(actor=town.staff, lease=lease, action="renew", answers=GOOD)
    assert [(x.pk, n) for x, n in services.arrears()] == [(lease.pk, 1)]


def test_the_manager_sees_arrears_in_overdue_months_and_the_tenant_his_alerts(client):
    town = Town()
    late = town.lease_in(Lease.State.ACTIVE)
    later = town.lease_in(Lease.State.ACTIVE)
    current = town.lease_in(Lease.State.ACTIVE)
    Invoice.objects.create(lease=late, month=_month(-1), amount_fen=100)
    for offset in (-2, -1):
        Invoice.objects.create(lease=later, month=_month(offset), amount_fen=100)
    Invoice.objects.create(lease=current, month=_month(0), amount_fen=100)  # this month's: not yet overdue
    services.arrears_alerts()
    client.force_login(town.staff)
    page = client.get("/housing/leases/").content.decode()
    section = page[page.index('data-testid="arrears"'):page.index('data-testid="lease-rows"')]
    assert section.index(f"arrears-row-{later.pk}") < section.index(f"arrears-row-{late.pk}")  # most months first
    assert "逾期 2 个月" in section and f"arrears-row-{current.pk}" not in section
    lease_page = client.get(f"/housing/leases/{later.pk}/").content.decode()
    assert 'data-testid="arrears-alerts"' in lease_page and "已逾期 2 个月" in lease_page
    client.force_login(later.tenant.user)
    mine = client.get(f"/housing/leases/{later.pk}/").content.decode()
    assert 'data-testid="overdue"' in mine and "已逾期 2 个月" in mine
    assert f'data-testid="lease-unpaid-{later.pk}"' in client.get("/housing/").content.decode()
    client.force_login(current.tenant.user)
    assert 'data-testid="overdue"' not in client.get(f"/housing/leases/{current.pk}/").content.decode()
    assert client.get(f"/housing/leases/{later.pk}/").status_code == 404
