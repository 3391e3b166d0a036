"""The proxy kernel (docs/proxies.md): who may grant and revoke, one live consent per elder and
proxy, the boundaries of valid_until and scopes, the chained record and the elder's notice."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from liulin.accounts.tests.factories import make_user
from liulin.core import chain
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.people import proxies, proxy_selectors, proxy_services
from liulin.people.models import Proxy, ProxyEvent, ProxyScope
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import BuildingFactory, GridFactory, HouseholdFactory

TODAY = datetime.date(2026, 3, 10)


def at(day, hour=10):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone()), tick=False)


class Family:
    """An elder with an account, her daughter (another household, with an account), a stranger,
    the grid worker and community staff of the elder's grid."""

    def __init__(self):
        self.grid = GridFactory()
        building = BuildingFactory(grid=self.grid)
        self.elder = ResidentFactory(name="王奶奶", household=HouseholdFactory(building=building))
        self.elder_user = make_user(Role.RESIDENT, resident=self.elder, name="王奶奶")
        self.daughter = ResidentFactory(name="李女儿", household=HouseholdFactory(building=building))
        self.daughter_user = make_user(Role.RESIDENT, resident=self.daughter, name="李女儿")
        stranger = ResidentFactory(name="路人", household=HouseholdFactory(building=building))
        self.stranger = make_user(Role.RESIDENT, resident=stranger, name="路人")
        self.staff = make_user(Role.COMMUNITY_STAFF, self.grid.community)
        self.grid_worker = make_user(Role.GRID_WORKER, self.grid, name="网格员小周")
        self.other_staff = make_user(Role.COMMUNITY_STAFF, GridFactory().community)

    def grant(self, *, actor=None, services=("canteen", "whistle"), until=TODAY + datetime.timedelta(days=30), **kw):
        kw.setdefault("proxy_user", self.daughter_user)
        kw.setdefault("relation", "child")
        return proxy_services.grant(actor=actor or self.elder_user, elder=self.elder, services=list(services), valid_until=until, **kw)


@pytest.fixture
def fam(db):
    with at(TODAY):
        yield Family()


def test_services_are_registered_by_the_apps():
    codes = [s.code for s in proxies.services()]
    assert {"canteen", "whistle", "venues", "activities", "daycare", "votes"} <= set(codes)
    with pytest.raises(LookupError):
        proxies.elders_for(None, "no_such_service")


def test_the_elder_grants_on_her_phone_and_staff_need_the_signed_form(fam):
    mine = fam.grant()
    assert mine.consent_proof and mine.recorded_by == fam.elder_user and mine.proxy_resident == fam.daughter
    assert sorted(mine.service_codes) == ["canteen", "whistle"]
    with pytest.raises(Invalid) as no_proof:
        fam.grant(actor=fam.staff, proxy_user=fam.grid_worker, relation="grid_worker")
    assert no_proof.value.code == "proof_required"
    worker = fam.grant(actor=fam.staff, proxy_user=fam.grid_worker, relation="grid_worker", consent_proof="授权书 2026-017")
    assert worker.recorded_by == fam.staff
    for outsider in (fam.stranger, fam.other_staff, fam.daughter_user):
        with pytest.raises(NotPermitted):
            fam.grant(actor=outsider, proxy_user=fam.stranger, consent_proof="x")


@pytest.mark.parametrize("kw, code", [
    ({"services": ()}, "no_services"),
    ({"services": ("canteen", "nope")}, "unknown_service"),
    ({"until": TODAY - datetime.timedelta(days=1)}, "until_past"),
    ({"until": TODAY + datetime.timedelta(days=proxy_services.MAX_DAYS + 1)}, "until_too_far"),
    ({"relation": "boss"}, "invalid_relation"),
])
def test_a_bad_grant_says_why_and_writes_nothing(fam, kw, code):
    with pytest.raises(Invalid) as bad:
        fam.grant(**kw)
    assert bad.value.code == code
    assert not Proxy.objects.exists() and not ProxyEvent.objects.exists()


def test_never_to_oneself(fam):
    with pytest.raises(Invalid) as own:
        fam.grant(proxy_user=fam.elder_user)
    assert own.value.code == "proxy_self"


def test_boundaries_today_and_max_days_are_accepted(fam):
    fam.grant(until=TODAY)
    fam.grant(until=TODAY + datetime.timedelta(days=proxy_services.MAX_DAYS), proxy_user=fam.grid_worker, relation="grid_worker")


def test_one_live_consent_per_elder_and_proxy(fam):
    first = fam.grant()
    with pytest.raises(Conflict) as twice:
        fam.grant()
    assert twice.value.code == "proxy_exists"
    second = fam.grant(services=("canteen", "venues"), replace=True)
    first.refresh_from_db()
    assert first.revoked_at is not None and first.end_reason == Proxy.End.REPLACED
    assert Proxy.objects.filter(revoked_at__isnull=True).get() == second
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        Proxy.objects.create(elder=fam.elder, proxy_user=fam.daughter_user, relation="child", valid_until=TODAY,
                             consent_proof="x", recorded_by=fam.staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProxyScope.objects.create(proxy=second, service="canteen")


def test_valid_through_the_last_day_then_refused_as_expired(fam):
    consent = fam.grant(until=TODAY + datetime.timedelta(days=3))
    last = TODAY + datetime.timedelta(days=3)
    with at(last, 23):
        assert proxies.acting_for(fam.daughter_user, fam.elder, "canteen") == consent
        assert list(proxies.elders_for(fam.daughter_user, "canteen")) == [fam.elder]
    with at(last + datetime.timedelta(days=1), 0):
        with pytest.raises(NotPermitted) as expired:
            proxies.acting_for(fam.daughter_user, fam.elder, "canteen")
        assert expired.value.code == "proxy_expired"
        assert not proxies.elders_for(fam.daughter_user, "canteen").exists()
        # a new grant ends the expired one (as expired) without asking to replace it
        fam.grant(until=last + datetime.timedelta(days=30))
    consent.refresh_from_db()
    assert consent.end_reason == Proxy.End.EXPIRED


def test_refusals_name_their_reason(fam):
    with pytest.raises(NotPermitted) as none:
        proxies.acting_for(fam.daughter_user, fam.elder, "canteen")
    assert none.value.code == "proxy_none"
    consent = fam.grant(services=("canteen",))
    with pytest.raises(NotPermitted) as scope:
        proxies.acting_for(fam.daughter_user, fam.elder, "whistle")
    assert scope.value.code == "proxy_out_of_scope"
    with pytest.raises(NotPermitted):
        proxies.acting_for(fam.stranger, fam.elder, "canteen")
    proxy_services.revoke(actor=fam.elder_user, proxy=consent)
    with pytest.raises(NotPermitted) as revoked:
        proxies.acting_for(fam.daughter_user, fam.elder, "canteen")
    assert revoked.value.code == "proxy_revoked"
    assert proxies.proxy_for(fam.daughter_user, fam.elder, "canteen") is None


def test_a_consent_by_registry_record_reaches_the_account_made_later(fam):
    nephew = ResidentFactory(name="外甥", household=fam.elder.household)
    proxy_services.grant(actor=fam.staff, elder=fam.elder, proxy_resident=nephew, relation="relative", services=["canteen"],
                         valid_until=TODAY + datetime.timedelta(days=10), consent_proof="授权书 9")
    account = make_user(Role.RESIDENT, resident=nephew)
    assert proxies.acting_for(account, fam.elder, "canteen").proxy_resident == nephew


@pytest.mark.parametrize("who", ["elder", "proxy", "staff"])
def test_who_may_revoke(fam, who):
    consent = fam.grant()
    actor = {"elder": fam.elder_user, "proxy": fam.daughter_user, "staff": fam.staff}[who]
    with pytest.raises(NotFound):
        proxy_services.revoke(actor=fam.stranger, proxy=consent)
    with pytest.raises(NotFound):
        proxy_services.revoke(actor=fam.other_staff, proxy=consent)
    proxy_services.revoke(actor=actor, proxy=consent)
    consent.refresh_from_db()
    assert consent.end_reason == Proxy.End.REVOKED and consent.revoked_by == actor
    with pytest.raises(Conflict):
        proxy_services.revoke(actor=actor, proxy=consent)


def test_an_act_is_chained_and_the_elder_told(fam):
    consent = fam.grant()
    with transaction.atomic():
        proxies.record_act(proxy=consent, actor=fam.daughter_user, service="canteen", action="订餐", target=fam.elder,
                           summary="03-11 午餐")
    act = ProxyEvent.objects.get(action="act")
    assert act.actor == fam.daughter_user and act.service == "canteen" and act.target_id == str(fam.elder.pk)
    assert act.data["summary"] == "03-11 午餐" and act.data["proxy_name"] == "李女儿"
    assert chain.verify(ProxyEvent, consent) is None
    told = Notification.objects.filter(user=fam.elder_user, kind=proxies.KIND).order_by("-id").first()
    assert "李女儿" in told.message and "午餐" in told.message
    # the elder's record, and the community's (staff in scope only)
    assert [e.action for e in proxy_selectors.acts_for_me(fam.elder_user)] == ["act", "grant"]
    assert list(proxy_selectors.community_acts(fam.staff)) == [act]
    assert list(proxy_selectors.community_acts(fam.staff, service="whistle")) == []
    assert not proxy_selectors.community_acts(fam.other_staff).exists()
    assert not proxy_selectors.community_acts(fam.stranger).exists()
    assert not proxy_selectors.acts_for_me(fam.daughter_user).exists()


def test_the_proxy_and_the_elder_are_told_of_grant_and_revoke(fam):
    consent = fam.grant(actor=fam.staff, consent_proof="授权书 1")
    assert Notification.objects.filter(user__in=[fam.elder_user, fam.daughter_user], kind=proxies.KIND).count() == 2
    proxy_services.revoke(actor=fam.daughter_user, proxy=consent)
    assert Notification.objects.filter(user=fam.elder_user, kind=proxies.KIND).count() == 2


def test_staff_record_at_the_counter_with_the_proof_and_others_cannot(fam, client):
    url = f"/people/{fam.elder.pk}/proxies/"
    data = {"proxy_mobile": fam.daughter_user.mobile, "relation": "child", "services": ["canteen", "whistle"],
            "valid_until": (TODAY + datetime.timedelta(days=30)).isoformat()}
    client.force_login(fam.staff)
    assert client.post(url, data).status_code == 400  # the proof is required at the counter
    assert client.post(url, {**data, "consent_proof": "授权书 2026-031"}).status_code == 302
    consent = Proxy.objects.get(elder=fam.elder)
    assert consent.recorded_by == fam.staff and consent.consent_proof == "授权书 2026-031"
    for outsider in (fam.other_staff, fam.stranger):
        client.force_login(outsider)
        assert client.get(url).status_code in (403, 404)
        assert client.post(f"/people/proxies/{consent.pk}/revoke/").status_code == 404
    client.force_login(fam.elder_user)
    assert "李女儿" in client.get("/people/proxies/").content.decode()
    assert client.post(f"/people/proxies/{consent.pk}/revoke/").status_code == 302
    consent.refresh_from_db()
    assert consent.end_reason == Proxy.End.REVOKED


def test_the_api_grants_lists_and_revokes(fam, client):
    client.force_login(fam.elder_user)
    made = client.post("/api/v1/people/proxies", {
        "proxy_mobile": fam.daughter_user.mobile, "relation": "child", "services": ["canteen"],
        "valid_until": (TODAY + datetime.timedelta(days=10)).isoformat()}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["services"] == ["canteen"] and body["live"] and body["proxy_name"] == "李女儿"
    client.force_login(fam.daughter_user)
    assert [p["id"] for p in client.get("/api/v1/people/proxies").json()] == [body["id"]]
    client.force_login(fam.stranger)
    assert client.post(f"/api/v1/people/proxies/{body['id']}/revoke").json()["code"] == "not_found"
    client.force_login(fam.elder_user)
    assert client.post(f"/api/v1/people/proxies/{body['id']}/revoke").json()["end_reason"] == "revoked"
    events = client.get(f"/api/v1/people/proxies/{body['id']}/events").json()["items"]
    assert [e["action"] for e in events] == ["revoke", "grant"]
