"""The demo: a held 小楼议事 per estate chaired by its branch secretary, with final minutes, a
decision and its action item; a 居民议事 at the 居民议事吧 and a 协调议事 ahead; chains intact;
a second run writes nothing."""

import pytest

from liulin.core import chain, clock
from liulin.deliberation import committees
from liulin.deliberation.models import (
    ActionItem,
    CommitteeDecision,
    CommitteeTerm,
    Kind,
    MajorMatter,
    MatterState,
    MediationCase,
    Meeting,
    MeetingEvent,
    MinutesState,
    State,
)
from liulin.demo import facts
from liulin.demo.seed import seed_demo


@pytest.mark.django_db
def test_demo_meetings():
    seed_demo()
    held = Meeting.objects.filter(kind=Kind.BUILDING, state=State.HELD, is_demo=True)
    # a few held meetings per estate: two each
    assert sorted(held.values_list("estate__name", flat=True)) == sorted(2 * [e[0] for e in facts.ESTATES])
    assert all(m.chair for m in held) and not held.exclude(minutes_state=MinutesState.FINAL).exists()
    assert Meeting.objects.get(kind=Kind.RESIDENTS).venue.name == "居民议事吧"
    assert Meeting.objects.get(kind=Kind.COORDINATION).invitations.count() == 3
    assert ActionItem.objects.filter(is_demo=True).count() == held.count() == held.filter(decisions__isnull=False).count()
    for meeting in Meeting.objects.all():
        assert chain.verify(MeetingEvent, meeting) is None
    matter = MajorMatter.objects.get(is_demo=True)
    assert matter.state == MatterState.REVIEWED and matter.votes.count() == 3
    case = MediationCase.objects.get(is_demo=True)
    assert case.state == "signed" and case.parties.filter(signed_at__isnull=False).count() == 2
    terms = CommitteeTerm.objects.filter(is_demo=True)
    assert sorted(terms.values_list("members", flat=True)) == [5, 5, 5, 9]
    assert sum(committees.composition(terms)[t.pk][1] for t in terms) == 18
    assert terms.filter(state="elected").count() == 1
    assert [t.committee.estate.name for t in terms if committees.expiry_notice_on(t) <= clock.today()] == ["中南佳苑"]
    assert CommitteeDecision.objects.filter(is_demo=True, state="published").count() == 1
    before = (Meeting.objects.count(), MeetingEvent.objects.count(), MajorMatter.objects.count(), MediationCase.objects.count())
    seed_demo()
    assert (Meeting.objects.count(), MeetingEvent.objects.count(), MajorMatter.objects.count(),
            MediationCase.objects.count()) == before


@pytest.mark.django_db
def test_demo_committees_are_chaired_by_the_estates_party_secretaries():
    """The article: estate party-branch secretaries chair the owners' committees (多元共治安邻),
    chair the estates' 小楼议事 and mediate; 24 members, 18 party members (75 %)."""
    from liulin.deliberation.demo_seed import CHAIR
    from liulin.demo.roster import estate_branch
    from liulin.orgs.models import Membership

    seed_demo()
    terms = CommitteeTerm.objects.filter(is_demo=True).select_related("committee__estate")
    secretaries = dict(Membership.objects.filter(title="支部书记", org__name__in=[estate_branch(e[0]) for e in facts.ESTATES])
                       .values_list("org__estate__name", "resident_id"))
    seats = [s for t in terms for s in t.seats.all()]
    assert len(seats) == 24 and sum(s.is_party_member for s in seats) == 18
    chairs = {t.committee.estate.name: t.seats.get(role="chair") for t in terms}
    assert sorted(chairs) == sorted(e for e, *_ in facts.COMMITTEES)
    for estate, seat in chairs.items():
        assert seat.resident_id == secretaries[estate] and seat.is_party_member, estate
    held = Meeting.objects.filter(kind=Kind.BUILDING, state=State.HELD, is_demo=True).select_related("estate")
    names = dict(Membership.objects.filter(title="支部书记", org__name__in=[estate_branch(e[0]) for e in facts.ESTATES])
                 .values_list("org__estate__name", "name"))
    names.update({estate: seat.name for estate, seat in chairs.items()})
    assert {m.estate.name: m.chair for m in held} == names
    case = MediationCase.objects.get(is_demo=True)
    assert case.mediator.mobile == CHAIR and case.mediator.resident_id == chairs[case.estate.name].resident_id
