"""Pages: the owner votes in three screens (choose, confirm, receipt); the committee sets up
and runs a vote; staff enter counter and paper ballots; outsiders see nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from liulin.accounts.tests.factories import UserFactory
from liulin.votes.models import Ballot, State, Vote

from .factories import AFTER, CLOSES, OPENS, T0, drive, make_world, new_vote

pytestmark = pytest.mark.django_db
DURING = OPENS + timedelta(days=1)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_owner_votes_in_three_screens():
    world = make_world()
    vote = drive(world, new_vote(world), State.OPEN)
    owner = client_for(world.owners[0].user)
    with time_machine.travel(DURING, tick=False):
        listed = owner.get(reverse("votes:list"))
        assert f'data-testid="go-vote-{vote.pk}"' in listed.content.decode()
        screen1 = owner.get(reverse("votes:ballot", args=[vote.pk]))
        assert "1栋101" in screen1.content.decode()
        screen2 = owner.post(reverse("votes:ballot", args=[vote.pk]), {"choice": "yes"})
        assert 'data-testid="confirm-vote"' in screen2.content.decode()
        assert not Ballot.objects.exists()  # choosing is not yet voting
        screen3 = owner.post(reverse("votes:ballot", args=[vote.pk]), {"choice": "yes", "confirmed": "True"})
        body = screen3.content.decode()
        assert 'data-testid="receipt-code"' in body
        assert Ballot.objects.get().choice == "yes"
        bad = owner.post(reverse("votes:ballot", args=[vote.pk]), {"choice": "maybe"})
        assert bad.status_code == 400


def test_committee_sets_up_and_runs_a_vote_and_sees_participation():
    world = make_world()
    chair = client_for(world.chair)
    with time_machine.travel(T0, tick=False):
        made = chair.post(reverse("votes:create"), {
            "committee": world.committee.pk, "title": "使用维修资金维修电梯", "matter": 5, "description": "",
            "opens_at": OPENS.strftime("%Y-%m-%dT%H:%M"), "closes_at": CLOSES.strftime("%Y-%m-%dT%H:%M")})
        assert made.status_code == 302
        vote = Vote.objects.get()
        assert chair.post(reverse("votes:act", args=[vote.pk, "publish_notice"])).status_code == 302
        bad = chair.post(reverse("votes:create"), {"committee": world.committee.pk, "title": "", "matter": 5,
                                                   "opens_at": "x", "closes_at": "y"})
        assert bad.status_code == 400
    with time_machine.travel(DURING, tick=False):
        chair.post(reverse("votes:act", args=[vote.pk, "open"]))
        page = chair.get(reverse("votes:detail", args=[vote.pk])).content.decode()
        assert 'data-testid="participation"' in page
        assert chair.get(reverse("votes:participation", args=[vote.pk])).status_code == 200
    assert Vote.objects.get().state == State.OPEN


def test_counter_and_paper_entry_by_staff():
    world = make_world()
    vote = drive(world, new_vote(world), State.OPEN)
    a, b = (client_for(c) for c in world.clerks[:2])
    owner_id = world.owners[0].pk
    with time_machine.travel(DURING, tick=False):
        found = a.get(reverse("votes:counter", args=[vote.pk]), {"q": "101"}).content.decode()
        assert "1栋101" in found and "业主0" not in found  # names masked
        done = a.post(reverse("votes:counter", args=[vote.pk]), {"owner": owner_id, "choice": "no", "id_checked": "on"})
        assert 'data-testid="counter-receipt"' in done.content.decode()
        refused = a.post(reverse("votes:counter", args=[vote.pk]), {"owner": owner_id, "choice": "no"})
        assert refused.status_code == 400
        other = world.owners[1].pk
        a.post(reverse("votes:paper", args=[vote.pk]), {"owner": other, "choice": "yes", "receipt_code": "ABCD-EFGH-JKLM"})
        again = a.post(reverse("votes:paper", args=[vote.pk]), {"owner": other, "choice": "yes", "receipt_code": "ABCD-EFGH-JKLM"})
        assert again.status_code == 400  # the same clerk cannot type the second copy
        b.post(reverse("votes:paper", args=[vote.pk]), {"owner": other, "choice": "yes", "receipt_code": "ABCD-EFGH-JKLM"})
    assert sorted(Ballot.objects.values_list("channel", flat=True)) == ["counter", "paper"]
    owner = client_for(world.owners[0].user)
    assert owner.get(reverse("votes:counter", args=[vote.pk])).status_code == 403


def test_outsiders_see_nothing_and_results_show_after_the_count():
    world = make_world()
    o = world.owners
    vote = drive(world, new_vote(world), State.PUBLISHED, ballots=[(o[0], "yes"), (o[1], "yes"), (o[2], "yes")])
    stranger = client_for(UserFactory())
    assert stranger.get(reverse("votes:detail", args=[vote.pk])).status_code == 404
    assert stranger.get(reverse("votes:record", args=[vote.pk])).status_code == 404
    owner = client_for(o[3].user)
    with time_machine.travel(AFTER, tick=False):
        page = owner.get(reverse("votes:detail", args=[vote.pk])).content.decode()
    assert 'data-testid="result"' in page
    record = owner.get(reverse("votes:record", args=[vote.pk]))
    assert record["Content-Disposition"].startswith("attachment")


def test_family_member_votes_as_registered_proxy_and_the_owner_can_revoke():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liulin.votes.models import Proxy

    world = make_world()
    vote = drive(world, new_vote(world), State.OPEN)
    son = UserFactory(mobile="13911112222")
    clerk = client_for(world.clerks[0])
    owner = world.owners[0]
    with time_machine.travel(DURING, tick=False):
        assert "1栋101" in clerk.get(reverse("votes:proxies", args=[vote.pk]), {"q": "101"}).content.decode()
        pdf = SimpleUploadedFile("w.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        made = clerk.post(reverse("votes:proxies", args=[vote.pk]), {"owner": owner.pk, "holder_mobile": "13911112222",
                                                                      "document": pdf})
        assert made.status_code == 302, made.content.decode()[:500]
        family = client_for(son)
        page = family.get(reverse("votes:detail", args=[vote.pk])).content.decode()
        assert f'data-testid="proxy-vote-{owner.pk}"' in page
        url = reverse("votes:ballot", args=[vote.pk])
        assert "1栋101" in family.get(url, {"for": owner.pk}).content.decode()
        done = family.post(url, {"for": owner.pk, "choice": "no", "confirmed": "True"})
        assert 'data-testid="receipt-code"' in done.content.decode()
        assert Ballot.objects.get(owner=owner).via_proxy
        assert family.get(url, {"for": world.owners[1].pk}).status_code == 404
        mine = client_for(owner.user)
        proxy = Proxy.objects.get()
        assert f'data-testid="proxy-revoke-{proxy.pk}"' in mine.get(reverse("votes:detail", args=[vote.pk])).content.decode()
        mine.post(reverse("votes:proxy_revoke", args=[proxy.pk]))
    assert Proxy.objects.get().revoked_at is not None


def test_staff_record_service_of_a_paper_ballot():
    from liulin.votes.models import RollEntry

    world = make_world()
    vote = drive(world, new_vote(world), State.OPEN)
    clerk = client_for(world.clerks[0])
    with time_machine.travel(DURING, tick=False):
        page = clerk.get(reverse("votes:paper", args=[vote.pk]), {"q": "101"}).content.decode()
        assert 'data-testid="service-1栋101"' in page
        clerk.post(reverse("votes:service", args=[vote.pk]), {"owner": world.owners[0].pk, "how": "签收回执"})
    assert RollEntry.objects.get(vote=vote, owner=world.owners[0]).served_how == "签收回执"


def test_the_list_page_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    world = make_world()
    for _ in range(2):
        drive(world, new_vote(world), State.NOTICED)
    chair = client_for(world.chair)
    chair.get(reverse("votes:list"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        chair.get(reverse("votes:list"))
    for _ in range(6):
        drive(world, new_vote(world), State.NOTICED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert chair.get(reverse("votes:list")).content.decode().count('class="card ticket-row"') == 8


def test_admin_lists_open_for_every_votes_model():
    admin_client = client_for(UserFactory(is_superuser=True, is_staff=True))
    world = make_world()
    drive(world, new_vote(world), State.OPEN)
    for model in ("estaterules", "owner", "unit", "vote", "ballot", "proxy"):
        assert admin_client.get(f"/admin/votes/{model}/").status_code == 200, model
