import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.models import AuditLog
from liulin.core.roles import Role
from liulin.orgs import selectors, services
from liulin.orgs.models import Membership, Organisation
from liulin.orgs.tests.factories import MembershipFactory, OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.territory.tests.factories import CommunityFactory, EstateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(community):
    return make_user(Role.COMMUNITY_STAFF, community)


def test_owners_committee_must_name_an_estate(staff, community):
    with pytest.raises(Invalid) as exc:
        services.create_organisation(actor=staff, name="业委会", kind=Organisation.Kind.OWNERS_COMMITTEE, community=community)
    assert exc.value.code == "estate_required"
    assert not Organisation.objects.exists()


def test_owners_committee_takes_its_estates_community(staff, community):
    estate = EstateFactory(community=community)
    org = services.create_organisation(actor=staff, name="一期业委会", kind=Organisation.Kind.OWNERS_COMMITTEE, estate=estate)
    assert org.community == community
    assert AuditLog.objects.filter(action="org.create", target_id=str(org.pk)).exists()


def test_estate_from_another_community_is_refused(staff, community):
    with pytest.raises(Invalid):
        services.create_organisation(
            actor=staff, name="x", kind=Organisation.Kind.OWNERS_COMMITTEE, community=community, estate=EstateFactory()
        )


def test_staff_may_not_create_an_organisation_in_another_community(staff):
    other = CommunityFactory()
    with pytest.raises(NotPermitted):
        services.create_organisation(actor=staff, name="外社区队", kind=Organisation.Kind.CULTURE_TEAM, community=other)
    assert not Organisation.objects.filter(name="外社区队").exists()


def test_duplicate_name_is_a_conflict(staff, community):
    services.create_organisation(actor=staff, name="常青藤舞蹈队", kind=Organisation.Kind.CULTURE_TEAM, community=community)
    with pytest.raises(Conflict):
        services.create_organisation(actor=staff, name="常青藤舞蹈队", kind=Organisation.Kind.CULTURE_TEAM, community=community)


def test_resident_cannot_be_added_twice(staff, community):
    org = OrganisationFactory(community=community, kind=Organisation.Kind.CULTURE_TEAM)
    resident = ResidentFactory()
    services.add_member(actor=staff, org=org, resident=resident, title="队长")
    with pytest.raises(Conflict) as exc:
        services.add_member(actor=staff, org=org, resident=resident)
    assert exc.value.code == "already_member"
    assert Membership.objects.filter(org=org).count() == 1


def test_party_flag_defaults_from_the_resident(staff, community):
    org = OrganisationFactory(community=community)
    member = ResidentFactory()
    member.is_party_member = True
    m = services.add_member(actor=staff, org=org, resident=member)
    assert m.is_party_member and m.name == member.name


def test_member_needs_a_name(staff, community):
    with pytest.raises(Invalid):
        services.add_member(actor=staff, org=OrganisationFactory(community=community), name="  ")


def test_remove_member_writes_audit_and_deletes(staff, community):
    m = MembershipFactory(org=OrganisationFactory(community=community), name="王五")
    services.remove_member(actor=staff, membership=m)
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert AuditLog.objects.filter(action="org.member_remove", data__member="王五").exists()


def test_volunteer_leader_keeps_only_his_own_roll(community):
    team = OrganisationFactory(community=community, kind=Organisation.Kind.VOLUNTEER_TEAM)
    other = OrganisationFactory(community=community, kind=Organisation.Kind.VOLUNTEER_TEAM)
    leader = make_user(Role.VOLUNTEER_LEADER, team)
    services.add_member(actor=leader, org=team, name="李四")
    with pytest.raises(NotFound):
        services.add_member(actor=leader, org=other, name="李四")
    auditor = make_user(Role.AUDITOR, community)
    with pytest.raises(NotPermitted):
        services.add_member(actor=auditor, org=team, name="张三")


def test_counts_come_from_the_roll(staff, community):
    org = OrganisationFactory(community=community)
    for i in range(4):
        MembershipFactory(org=org, is_party_member=i < 3)
    OrganisationFactory(community=community)  # an empty organisation counts zero, not missing
    counted = {o.pk: (o.member_count, o.party_member_count) for o in selectors.organisations_for(staff)}
    assert counted[org.pk] == (4, 3)
    assert sorted(counted.values()) == [(0, 0), (4, 3)]


def test_selectors_hide_other_communities(staff, community):
    mine = OrganisationFactory(community=community)
    theirs = OrganisationFactory()
    assert list(selectors.organisations_for(staff)) == [mine]
    with pytest.raises(NotFound):
        selectors.organisation_for(staff, theirs.pk)


def test_list_and_detail_counts_in_fixed_queries(staff, community, django_assert_max_num_queries):
    for _ in range(5):
        org = OrganisationFactory(community=community)
        MembershipFactory.create_batch(3, org=org)
    with django_assert_max_num_queries(3):
        groups = selectors.organisations_by_kind(staff)
        assert sum(o.member_count for _, orgs in groups for o in orgs) == 15
