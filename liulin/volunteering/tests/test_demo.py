"""The demo community's volunteering, from the article: 银发生辉 with its 30 veteran party
members, the 老年人协会, confirmed hours with their points, the 雷锋超市's shelf; chains
intact, balances equal to their entries, a second run writing nothing."""

import pytest

from liulin.demo import facts
from liulin.demo.seed import seed_demo
from liulin.demo.tests.fixtures import demo  # noqa: F401
from liulin.volunteering import selectors
from liulin.volunteering.models import Activity, Good, Ledger, Posting, ServiceRecord, TeamMember, Volunteer
from liulin.volunteering.services import ledger, records

pytestmark = pytest.mark.django_db


def test_the_veterans_team_has_its_thirty_party_members(demo):  # noqa: F811
    team = demo.orgs[facts.VETERAN_VOLUNTEERS]
    members = TeamMember.objects.filter(team=team, state="active")
    assert members.count() == facts.VETERAN_VOLUNTEER_COUNT
    assert all(m.volunteer.resident.is_party_member for m in members.select_related("volunteer__resident"))


def test_hours_and_points_hold_together(demo):  # noqa: F811
    book = Ledger.objects.get(community=demo.community)
    assert ledger.verify(book) is None
    assert ledger.balances_off(book) == [] and ledger.stock_off(demo.community) == []
    confirmed = ServiceRecord.objects.filter(community=demo.community, state="confirmed")
    assert confirmed.exists()
    assert all(records.verify_record(r) is None for r in confirmed[:: max(1, confirmed.count() // 10)])
    earned = sum(Posting.objects.filter(ledger=book, action="earn").values_list("data__entries", flat=True), [])
    # points follow the community's own activities; party members' services credited from 党建 earn none
    own = confirmed.exclude(source="partybuilding")
    assert confirmed.filter(source="partybuilding").exists()
    assert sum(amount for _account, amount in earned if amount > 0) == sum(r.minutes for r in own) // 60 * 10
    assert Activity.objects.filter(community=demo.community, state="open").count() == 1
    assert Good.objects.filter(community=demo.community, name="肥皂", stock__gt=0).exists()


def test_the_leader_and_a_resident_see_their_pages(client, demo):  # noqa: F811
    leader = demo.users["19900000010"]
    client.force_login(leader)
    assert client.get("/volunteering/lead/").status_code == 200
    resident = demo.users["19900000015"]
    assert selectors.my_summary(resident) is not None


def test_a_second_run_writes_nothing(demo):  # noqa: F811
    counts = (Volunteer.objects.count(), TeamMember.objects.count(), ServiceRecord.objects.count(), Posting.objects.count())
    seed_demo()
    assert (Volunteer.objects.count(), TeamMember.objects.count(), ServiceRecord.objects.count(),
            Posting.objects.count()) == counts
