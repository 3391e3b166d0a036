"""Written proxies: registered by staff with the signed document, capped per holder, one
active per owner, revocable; the proxy votes for the owner, and the owner's own online
ballot overrides it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from liulin.accounts.tests.factories import UserFactory
from liulin.core.attachments.selectors import for_owner
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.votes import services
from liulin.votes.models import Ballot, EstateRules, Proxy, State

from .factories import OPENS, drive, make_world, new_vote

DURING = OPENS + timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def document():
    return SimpleUploadedFile("weituoshu.pdf", PDF, content_type="application/pdf")


def open_vote(world):
    return drive(world, new_vote(world), State.OPEN)


@pytest.mark.django_db
def test_proxy_votes_and_the_owner_overrides():
    world = make_world()
    vote = open_vote(world)
    owner, daughter = world.owners[0], UserFactory()
    proxy = services.register_proxy(actor=world.clerks[0], vote=vote, owner=owner, holder=daughter, document=document(), now=DURING)
    assert for_owner(proxy).count() == 1
    services.cast_as_proxy(actor=daughter, vote=vote, owner=owner, choice="no", now=DURING)
    ballot = Ballot.objects.get(vote=vote, owner=owner)
    assert (ballot.choice, ballot.via_proxy) == ("no", True)
    with pytest.raises(Conflict):  # the proxy cannot vote twice
        services.cast_as_proxy(actor=daughter, vote=vote, owner=owner, choice="yes", now=DURING)
    services.cast_online(actor=owner.user, vote=vote, choice="yes", now=DURING)  # the owner overrides
    ballot = Ballot.objects.get(vote=vote, owner=owner)
    assert (ballot.choice, ballot.via_proxy) == ("yes", False)
    assert vote.events.filter(action="replace_ballot").get().data["replaces"] == ["proxy"]
    with pytest.raises(NotPermitted):  # someone without a proxy
        services.cast_as_proxy(actor=UserFactory(), vote=vote, owner=world.owners[1], choice="yes", now=DURING)


@pytest.mark.django_db
def test_a_proxy_cannot_replace_the_owners_own_ballot_and_revoked_proxies_cannot_vote():
    world = make_world()
    vote = open_vote(world)
    owner, son = world.owners[0], UserFactory()
    proxy = services.register_proxy(actor=world.clerks[0], vote=vote, owner=owner, holder=son, document=document(), now=DURING)
    services.cast_online(actor=owner.user, vote=vote, choice="yes", now=DURING)
    with pytest.raises(Conflict):
        services.cast_as_proxy(actor=son, vote=vote, owner=owner, choice="no", now=DURING)
    services.revoke_proxy(actor=owner.user, proxy=proxy, now=DURING)
    with pytest.raises(Conflict):
        services.revoke_proxy(actor=owner.user, proxy=proxy, now=DURING)
    other = world.owners[1]
    services.register_proxy(actor=world.clerks[0], vote=vote, owner=other, holder=son, document=document(), now=DURING)
    with pytest.raises(Conflict) as again:  # one active proxy per owner
        services.register_proxy(actor=world.clerks[0], vote=vote, owner=other, holder=UserFactory(), document=document(),
                                now=DURING)
    assert again.value.code == "proxy_exists"
    with pytest.raises(Invalid):  # the owner cannot be his own proxy
        services.register_proxy(actor=world.clerks[0], vote=vote, owner=world.owners[2], holder=world.owners[2].user,
                                document=document(), now=DURING)
    with pytest.raises(Invalid):  # a proxy needs its signed document
        services.register_proxy(actor=world.clerks[0], vote=vote, owner=world.owners[2], holder=son,
                                document=SimpleUploadedFile("x.txt", b"hello"), now=DURING)


@pytest.mark.django_db
def test_proxies_are_capped_per_holder():
    world = make_world([(10000, i) for i in range(5)])
    EstateRules.objects.create(estate=world.estate, proxy_cap=2)
    vote = open_vote(world)
    holder = UserFactory()
    for owner in world.owners[:2]:
        services.register_proxy(actor=world.clerks[0], vote=vote, owner=owner, holder=holder, document=document(), now=DURING)
    with pytest.raises(Conflict) as capped:
        services.register_proxy(actor=world.clerks[0], vote=vote, owner=world.owners[2], holder=holder, document=document(),
                                now=DURING)
    assert capped.value.code == "proxy_cap"


@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_when_clerks_register_at_once(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world([(10000, i) for i in range(6)], clerks=6)
    EstateRules.objects.create(estate=world.estate, proxy_cap=2)
    vote = open_vote(world)
    holder = UserFactory()
    use_database = threads_database(tmp_path)
    calls = [lambda clerk=clerk, owner=owner: services.register_proxy(actor=clerk, vote=vote, owner=owner, holder=holder,
                                                                      document=document(), now=DURING)
             for clerk, owner in zip(world.clerks, world.owners, strict=True)]
    _, errors = run_at_once(calls, before=use_database)
    assert len(errors) == 4 and all(getattr(e, "code", "") == "proxy_cap" for e in errors), errors
    active = read_in_threads(lambda: Proxy.objects.filter(vote=vote, holder=holder, revoked_at__isnull=True).count(),
                             use_database)
    assert active == 2
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db
def test_proxies_through_the_api():
    from django.test import Client

    world = make_world()
    vote = open_vote(world)
    clerk, daughter = Client(), UserFactory(mobile="13912345678")
    clerk.force_login(world.clerks[0])
    made = clerk.post(f"/api/v1/votes/{vote.pk}/proxies",
                      {"owner_id": world.owners[0].pk, "holder_mobile": "13912345678", "document": document()})
    assert made.status_code == 201, made.content
    assert "业主0" not in made.content.decode()
    unknown = clerk.post(f"/api/v1/votes/{vote.pk}/proxies",
                         {"owner_id": world.owners[1].pk, "holder_mobile": "13900000000", "document": document()})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "invalid_holder")
    holder = Client()
    holder.force_login(daughter)
    assert [p["owner_id"] for p in holder.get(f"/api/v1/votes/{vote.pk}/proxies").json()] == [world.owners[0].pk]
    import time_machine

    with time_machine.travel(DURING, tick=False):
        cast = holder.post(f"/api/v1/votes/{vote.pk}/proxy-ballot", {"owner_id": world.owners[0].pk, "choice": "yes"},
                           content_type="application/json")
        assert cast.status_code == 201
        refused = holder.post(f"/api/v1/votes/{vote.pk}/proxy-ballot", {"owner_id": world.owners[1].pk, "choice": "yes"},
                              content_type="application/json")
        assert refused.status_code == 404
    owner = Client()
    owner.force_login(world.owners[0].user)
    proxy_id = made.json()["id"]
    assert owner.post(f"/api/v1/votes/proxies/{proxy_id}/revoke").status_code == 204
    assert not Proxy.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_daughter_named_in_the_general_consent_registers_the_written_proxy_herself(client):
    from liulin.accounts.tests.factories import make_user
    from liulin.core import clock
    from liulin.core.roles import Role
    from liulin.people import proxy_services
    from liulin.people.tests.factories import ResidentFactory
    from liulin.votes.models import Owner, VoteEvent

    world = make_world()
    vote = open_vote(world)
    owner = world.owners[0]
    mother = ResidentFactory()
    Owner.objects.filter(pk=owner.pk).update(resident=mother)
    daughter = make_user(Role.RESIDENT, resident=ResidentFactory(household=mother.household))
    client.force_login(daughter)
    assert client.get("/votes/proxies/family/").content.decode().count("data-testid=\"family-vote-") == 0
    refused = client.post("/votes/proxies/family/", {"vote": vote.pk, "owner": owner.pk, "document": document()})
    assert refused.status_code == 400 and not Proxy.objects.exists()  # no consent, no registration

    mother_user = make_user(Role.RESIDENT, resident=mother)  # she grants it on her own phone
    proxy_services.grant(actor=mother_user, elder=mother, proxy_user=daughter, relation="child", services=["votes"],
                         valid_until=clock.today() + timedelta(days=30))
    page = client.get("/votes/").content.decode()
    assert "/votes/proxies/family/" in page
    assert f'data-testid="family-vote-{vote.pk}-{owner.pk}"' in client.get("/votes/proxies/family/").content.decode()
    done = client.post("/votes/proxies/family/", {"vote": vote.pk, "owner": owner.pk, "document": document()})
    assert done.status_code == 302
    proxy = Proxy.objects.get()
    assert (proxy.owner, proxy.holder, proxy.registered_by) == (owner, daughter, daughter)
    assert VoteEvent.objects.filter(vote=vote, action="register_proxy", actor_role="proxy").exists()
    assert "已登记委托" in client.get("/votes/proxies/family/").content.decode()
    again = client.post("/votes/proxies/family/", {"vote": vote.pk, "owner": owner.pk, "document": document()})
    assert again.status_code == 400 and Proxy.objects.count() == 1  # one active proxy per owner
