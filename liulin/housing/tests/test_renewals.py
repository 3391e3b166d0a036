"""Renewal: the tenant sees when his renewal window opens (on his lease page, and told once
when it does), asks to renew on his phone with his answers as they stand now, and may
withdraw; the manager sees the leases in their window, renews with eligibility re-checked
from a page (prefilled from the request), or refuses with a reason. Allowed and refused,
and bad input changes nothing."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core import clock
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.housing import services
from liulin.housing.models import Invoice, Lease, LeaseEvent, RenewalRequest

from .factories import GOOD, Town

pytestmark = pytest.mark.django_db

RS = RenewalRequest.State


def _tenant(lease):
    return lease.tenant.user


def _ask(lease, **changes):
    return services.request_renewal(actor=_tenant(lease), lease=lease, answers={**GOOD, **changes.pop("answers", {})}, **changes)


# --- the service ------------------------------------------------------------------------------


def test_the_tenant_asks_in_his_window_and_the_managers_renewal_closes_the_request():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    request = _ask(lease, term_months=24)
    assert (request.state, request.term_months, request.answers) == (RS.REQUESTED, 24, GOOD)
    assert lease.events.filter(action="request_renewal").count() == 1
    renewal = services.act_on_lease(actor=town.staff, lease=lease, action="renew", answers=request.answers, term_months=24)
    request.refresh_from_db()
    assert request.state == RS.RENEWED and request.decided_at is not None
    assert renewal.previous_id == lease.pk and renewal.term_months == 24 and renewal.starts_on == lease.ends_on
    assert Lease.objects.get(pk=lease.pk).state == Lease.State.RENEWED
    assert Notification.objects.filter(user=_tenant(lease), url=f"/housing/leases/{renewal.pk}/").exists()


@pytest.mark.parametrize(("case", "build", "error", "code"), [
    ("before the window", lambda town: (town.lease_in(Lease.State.ACTIVE, ends_in_days=200), {}), Conflict, "not_in_window"),
    ("a pending lease", lambda town: (town.lease_in(Lease.State.PENDING, ends_in_days=30), {}), Conflict, "lease_not_active"),
    ("answers failing a rule", lambda town: (town.lease_in(Lease.State.ACTIVE, ends_in_days=30),
                                             {"answers": {"annual_income_fen": 30_000_000}}), Invalid, "not_eligible"),
    ("a term of six years", lambda town: (town.lease_in(Lease.State.ACTIVE, ends_in_days=30), {"term_months": 72}),
     Invalid, "invalid_term"),
    ("a term of nothing", lambda town: (town.lease_in(Lease.State.ACTIVE, ends_in_days=30), {"term_months": 0}),
     Invalid, "invalid_term"),
])
def test_a_request_out_of_place_is_refused_and_nothing_is_written(case, build, error, code):
    town = Town()
    lease, changes = build(town)
    events = lease.events.count()
    with pytest.raises(error) as refused:
        _ask(lease, **changes)
    assert refused.value.code == code
    assert not RenewalRequest.objects.exists() and lease.events.count() == events


def test_a_failed_rule_is_named_in_the_refusal():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    with pytest.raises(Invalid) as refused:
        _ask(lease, answers={"no_local_housing": False})
    assert refused.value.field == "no_local_housing" and "本市无自有住房" in str(refused.value)


def test_one_open_request_per_lease_and_only_the_tenant_asks():
    town, there = Town(), Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    housemate = town.resident()
    housemate.household = lease.tenant.household
    housemate.save()
    with pytest.raises(NotPermitted):
        services.request_renewal(actor=housemate.user, lease=lease, answers=GOOD)
    with pytest.raises(NotPermitted):  # staff do not ask for the tenant; they renew
        services.request_renewal(actor=town.staff, lease=lease, answers=GOOD)
    with pytest.raises(NotFound):
        services.request_renewal(actor=there.resident().user, lease=lease, answers=GOOD)
    _ask(lease)
    with pytest.raises(Conflict) as again:
        _ask(lease)
    assert again.value.code == "already_requested" and RenewalRequest.objects.count() == 1


def test_refused_with_a_reason_the_tenant_is_told_and_may_ask_again():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    request = _ask(lease)
    with pytest.raises(Invalid):
        services.act_on_renewal_request(actor=town.staff, request=request, action="refuse_renewal")
    assert RenewalRequest.objects.get(pk=request.pk).state == RS.REQUESTED
    services.act_on_renewal_request(actor=town.staff, request=request, action="refuse_renewal", reason="收入证明已过期，请补充")
    assert RenewalRequest.objects.get(pk=request.pk).reason == "收入证明已过期，请补充"
    assert Notification.objects.filter(user=_tenant(lease), message__contains="收入证明已过期").exists()
    assert _ask(lease).state == RS.REQUESTED


def test_moving_out_closes_an_open_request():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    request = _ask(lease)
    services.act_on_lease(actor=town.staff, lease=lease, action="end")
    request.refresh_from_db()
    assert request.state == RS.REFUSED and request.reason == "退租"


def test_the_tenant_is_told_once_when_his_window_opens():
    town = Town()
    due = town.lease_in(Lease.State.ACTIVE, ends_in_days=90)
    later = town.lease_in(Lease.State.ACTIVE, ends_in_days=91)
    assert services.renewal_reminders() == [due]
    assert services.renewal_reminders() == []
    notice = Notification.objects.get(user=_tenant(due))
    assert notice.url == f"/housing/leases/{due.pk}/" and due.ends_on.isoformat() in notice.message
    assert not Notification.objects.filter(user=_tenant(later)).exists()
    assert services.renewal_reminders(now=clock.now() + datetime.timedelta(days=1)) == [later]


# --- the tenant's pages -----------------------------------------------------------------------


def test_the_tenant_sees_when_his_window_opens(client):
    town = Town()
    early = town.lease_in(Lease.State.ACTIVE, ends_in_days=200)
    client.force_login(_tenant(early))
    page = client.get(f"/housing/leases/{early.pk}/").content.decode()
    opens = (early.ends_on - datetime.timedelta(days=90)).isoformat()
    assert 'data-testid="renewal-not-yet"' in page and opens in page and 'data-testid="request-renewal"' not in page
    form = client.get(f"/housing/leases/{early.pk}/renewal/").content.decode()
    assert 'data-testid="not-in-window"' in form and 'data-testid="renewal-form"' not in form
    response = client.post(f"/housing/leases/{early.pk}/renewal/", {**_answers(), "term_months": "36"})
    assert response.status_code == 200 and "不在续租期内" in response.content.decode()
    assert not RenewalRequest.objects.exists()


def _answers(**changes):
    data = {"answer_no_local_housing": "yes", "answer_annual_income_fen": "120000", "answer_local_employment_months": "30"}
    return {**data, **changes}


def test_the_tenant_asks_to_renew_on_his_phone_and_may_withdraw(client):
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    client.force_login(_tenant(lease))
    page = client.get(f"/housing/leases/{lease.pk}/").content.decode()
    assert 'data-testid="request-renewal"' in page and 'data-testid="renew-link"' not in page
    form = client.get(f"/housing/leases/{lease.pk}/renewal/").content.decode()
    assert 'value="120000"' in form and 'value="36"' in form  # prefilled from his application, in yuan
    bad = client.post(f"/housing/leases/{lease.pk}/renewal/", {**_answers(answer_annual_income_fen="300000"), "term_months": "36"})
    assert bad.status_code == 200 and "续租资格复核未通过" in bad.content.decode()
    too_long = client.post(f"/housing/leases/{lease.pk}/renewal/", {**_answers(), "term_months": "61"})
    assert too_long.status_code == 200
    assert not RenewalRequest.objects.exists()
    response = client.post(f"/housing/leases/{lease.pk}/renewal/", {**_answers(), "term_months": "24"})
    assert response.status_code == 302 and response["Location"] == f"/housing/leases/{lease.pk}/"
    request = RenewalRequest.objects.get()
    assert request.term_months == 24 and request.answers["local_employment_months"] == 30
    page = client.get(f"/housing/leases/{lease.pk}/").content.decode()
    assert 'data-testid="renewal-open"' in page and 'data-testid="withdraw-renewal"' in page and 'data-testid="request-renewal"' not in page
    assert client.get(f"/housing/leases/{lease.pk}/renewal/")["Location"] == f"/housing/leases/{lease.pk}/"
    # He cannot refuse his own request, nor renew his lease himself.
    assert client.post(f"/housing/renewals/{request.pk}/act/", {"action": "refuse_renewal", "reason": "x"}).status_code == 403
    assert client.get(f"/housing/leases/{lease.pk}/renew/").status_code == 404
    assert client.post(f"/housing/leases/{lease.pk}/renew/", {**_answers(), "term_months": "24"}).status_code == 404
    assert RenewalRequest.objects.get().state == RS.REQUESTED and Lease.objects.get(pk=lease.pk).state == Lease.State.ACTIVE
    client.post(f"/housing/renewals/{request.pk}/act/", {"action": "withdraw_renewal"})
    assert RenewalRequest.objects.get().state == RS.WITHDRAWN
    assert 'data-testid="renewal-last"' in client.get(f"/housing/leases/{lease.pk}/").content.decode()


def test_no_one_else_asks_for_the_tenant(client):
    town, there = Town(), Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    housemate = town.resident()
    housemate.household = lease.tenant.household
    housemate.save()
    for user in (housemate.user, town.staff, there.resident().user, there.staff):
        client.force_login(user)
        assert client.get(f"/housing/leases/{lease.pk}/renewal/").status_code == 404, user
        assert client.post(f"/housing/leases/{lease.pk}/renewal/", {**_answers(), "term_months": "24"}).status_code == 404
    assert not RenewalRequest.objects.exists()


# --- the manager's pages ----------------------------------------------------------------------


def test_the_manager_renews_from_the_page_with_eligibility_rechecked(client):
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    quiet = town.lease_in(Lease.State.ACTIVE, ends_in_days=45)
    far = town.lease_in(Lease.State.ACTIVE, ends_in_days=200)
    _ask(lease, answers={"local_employment_months": 40}, term_months=12)
    month = clock.today().replace(day=1) - datetime.timedelta(days=40)
    Invoice.objects.create(lease=lease, month=month.replace(day=1), amount_fen=lease.rent_fen)
    client.force_login(town.staff)
    listing = client.get("/housing/leases/").content.decode()
    section = listing[listing.index('data-testid="renewals"'):listing.index('data-testid="lease-rows"')]
    assert f'data-testid="renewal-row-{lease.pk}"' in section and f'data-testid="renewal-row-{quiet.pk}"' in section
    assert f'data-testid="renewal-row-{far.pk}"' not in section
    assert section.index(f"renewal-row-{lease.pk}") < section.index(f"renewal-row-{quiet.pk}")  # who asked comes first
    page = client.get(f"/housing/leases/{lease.pk}/").content.decode()
    assert 'data-testid="renew-link"' in page and 'data-testid="refuse-renewal"' in page and 'data-testid="request-renewal"' not in page
    form = client.get(f"/housing/leases/{lease.pk}/renew/").content.decode()
    assert 'value="40"' in form and 'value="12"' in form and 'data-testid="renew-overdue"' in form  # from the request
    bad = client.post(f"/housing/leases/{lease.pk}/renew/", {**_answers(answer_no_local_housing="no"), "term_months": "12"})
    assert bad.status_code == 200 and "本市无自有住房" in bad.content.decode()
    assert Lease.objects.get(pk=lease.pk).state == Lease.State.ACTIVE and Lease.objects.filter(previous=lease).count() == 0
    response = client.post(f"/housing/leases/{lease.pk}/renew/", {**_answers(), "term_months": "12"})
    renewal = Lease.objects.get(previous=lease)
    assert response["Location"] == f"/housing/leases/{renewal.pk}/"
    assert renewal.term_months == 12 and RenewalRequest.objects.get(lease=lease).state == RS.RENEWED
    assert LeaseEvent.objects.filter(lease=lease, action="renew").count() == 1
    old = client.get(f"/housing/leases/{lease.pk}/").content.decode()
    assert 'data-testid="next-lease"' in old and 'data-testid="renew-link"' not in old
    # A lease already renewed, or not yet in its window, is not renewed again.
    again = client.post(f"/housing/leases/{lease.pk}/renew/", {**_answers(), "term_months": "12"})
    assert again.status_code == 200 and Lease.objects.filter(previous=lease).count() == 1
    early = client.post(f"/housing/leases/{far.pk}/renew/", {**_answers(), "term_months": "12"})
    assert early.status_code == 200 and Lease.objects.get(pk=far.pk).state == Lease.State.ACTIVE
    # The old lease page's renew button leads to the page.
    assert client.post(f"/housing/leases/{quiet.pk}/act/", {"action": "renew"})["Location"] == f"/housing/leases/{quiet.pk}/renew/"


def test_the_manager_refuses_with_a_reason_and_the_tenant_reads_it(client):
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    request = _ask(lease)
    client.force_login(town.staff)
    client.post(f"/housing/renewals/{request.pk}/act/", {"action": "refuse_renewal"})
    assert RenewalRequest.objects.get().state == RS.REQUESTED
    assert client.post(f"/housing/renewals/{request.pk}/act/", {"action": "withdraw_renewal"}).status_code == 403
    client.post(f"/housing/renewals/{request.pk}/act/", {"action": "refuse_renewal", "reason": "已在本市购房"})
    assert RenewalRequest.objects.get().state == RS.REFUSED
    client.force_login(_tenant(lease))
    page = client.get(f"/housing/leases/{lease.pk}/").content.decode()
    assert "已在本市购房" in page and 'data-testid="request-renewal"' in page


def test_who_may_not_renew_is_refused(client):
    town, there = Town(), Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    request = _ask(lease)
    for user, status in ((there.staff, 404), (make_user(Role.AUDITOR, town.community), 404), (make_user(Role.GRID_WORKER, town.grid), 404)):
        client.force_login(user)
        assert client.get(f"/housing/leases/{lease.pk}/renew/").status_code == status
        assert client.post(f"/housing/leases/{lease.pk}/renew/", {**_answers(), "term_months": "12"}).status_code == status
    client.force_login(there.staff)
    assert client.post(f"/housing/renewals/{request.pk}/act/", {"action": "refuse_renewal", "reason": "x"}).status_code == 404
    auditor = make_user(Role.AUDITOR, town.community)
    client.force_login(auditor)
    assert client.post(f"/housing/renewals/{request.pk}/act/", {"action": "refuse_renewal", "reason": "x"}).status_code == 403
    assert RenewalRequest.objects.get().state == RS.REQUESTED and Lease.objects.get(pk=lease.pk).state == Lease.State.ACTIVE


# --- the API ----------------------------------------------------------------------------------


def test_the_api_story_of_a_renewal(client):
    town, there = Town(), Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    url = f"/api/v1/housing/leases/{lease.pk}/renewal-requests"
    post = lambda user, path, body=None: (client.force_login(user), client.post(path, body or {}, content_type="application/json"))[1]  # noqa: E731
    client.force_login(_tenant(lease))
    shown = client.get(f"/api/v1/housing/leases/{lease.pk}").json()
    assert shown["in_renewal_window"] is True and shown["renewal_opens_on"] == (lease.ends_on - datetime.timedelta(days=90)).isoformat()
    bad = post(_tenant(lease), url, {"answers": {**GOOD, "no_local_housing": False}})
    assert bad.status_code == 400 and bad.json()["code"] == "not_eligible" and bad.json()["field"] == "no_local_housing"
    assert post(_tenant(lease), url, {"answers": GOOD, "term_months": 61}).status_code == 422
    assert post(_tenant(lease), url, {"answers": "yes"}).status_code == 422
    assert not RenewalRequest.objects.exists()
    made = post(_tenant(lease), url, {"answers": GOOD, "term_months": 24})
    assert made.status_code == 201 and made.json()["state"] == "requested" and made.json()["term_months"] == 24
    again = post(_tenant(lease), url, {"answers": GOOD})
    assert again.status_code == 409 and again.json()["code"] == "already_requested"
    assert [r["id"] for r in client.get(url).json()] == [made.json()["id"]]
    act = f"/api/v1/housing/renewal-requests/{made.json()['id']}/actions"
    assert post(_tenant(lease), f"{act}/refuse_renewal", {"reason": "x"}).status_code == 403
    assert post(town.staff, f"{act}/withdraw_renewal").status_code == 403
    no_reason = post(town.staff, f"{act}/refuse_renewal")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    assert post(there.staff, f"{act}/refuse_renewal", {"reason": "x"}).status_code == 404
    client.force_login(there.staff)
    assert client.get(url).status_code == 404
    assert post(there.resident().user, url, {"answers": GOOD}).status_code == 404
    assert RenewalRequest.objects.get().state == RS.REQUESTED
    renewed = post(town.staff, f"/api/v1/housing/leases/{lease.pk}/actions/renew", {"answers": GOOD, "term_months": 24})
    assert renewed.status_code == 200 and renewed.json()["previous_id"] == lease.pk and renewed.json()["in_renewal_window"] is False
    client.force_login(_tenant(lease))
    assert client.get(url).json()[0]["state"] == "renewed"


def test_the_api_withdraws_for_the_tenant(client):
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    request = _ask(lease)
    client.force_login(_tenant(lease))
    response = client.post(f"/api/v1/housing/renewal-requests/{request.pk}/actions/withdraw_renewal", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    unknown = client.post(f"/api/v1/housing/renewal-requests/{request.pk}/actions/renewed", {}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_action"
