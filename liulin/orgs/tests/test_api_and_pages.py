import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.orgs.models import Membership, Organisation
from liulin.orgs.tests.factories import MembershipFactory, OrganisationFactory
from liulin.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(community):
    org = OrganisationFactory(community=community, kind=Organisation.Kind.CULTURE_TEAM, name="银燕腰鼓队")
    resident = ResidentFactory(mobile="13912345678")
    MembershipFactory(org=org, resident=resident, name=resident.name, title="队长", is_party_member=True)
    MembershipFactory(org=org, name="外来成员")
    return org


@pytest.fixture
def staff_client(client, community):
    client.force_login(make_user(Role.COMMUNITY_STAFF, community))
    return client


def test_api_list_by_kind_with_counts(staff_client, team, community):
    OrganisationFactory(community=community, kind=Organisation.Kind.PROPERTY_COMPANY)
    body = staff_client.get("/api/v1/orgs/?kind=culture_team").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["name"], item["member_count"], item["party_member_count"]) == ("银燕腰鼓队", 2, 1)


def test_api_unknown_kind_is_a_422(staff_client, team):
    response = staff_client.get("/api/v1/orgs/?kind=spaceship")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_api_detail_lists_members_without_phone_numbers(staff_client, team):
    response = staff_client.get(f"/api/v1/orgs/{team.pk}")
    body = response.json()
    assert [m["title"] for m in body["members"]] == ["队长", "成员"]
    assert "13912345678" not in response.content.decode()
    assert "mobile" not in body["members"][0] and "phone" not in str(body["members"][0])


def test_api_detail_of_other_community_is_404(client, team):
    from liulin.territory.tests.factories import CommunityFactory

    client.force_login(make_user(Role.COMMUNITY_STAFF, CommunityFactory()))
    assert client.get(f"/api/v1/orgs/{team.pk}").status_code == 404


def test_api_add_member_twice_is_a_conflict(staff_client, team, community):
    resident = ResidentFactory(household__building__grid__community=community)
    url = f"/api/v1/orgs/{team.pk}/members"
    first = staff_client.post(url, {"resident_id": resident.pk, "title": "队员"}, content_type="application/json")
    assert first.status_code == 201 and first.json()["name"] == resident.name
    again = staff_client.post(url, {"resident_id": resident.pk}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_member"
    assert Membership.objects.filter(org=team, resident=resident).count() == 1
    stranger = ResidentFactory()  # lives in another community: the staff member cannot see him
    assert staff_client.post(url, {"resident_id": stranger.pk}, content_type="application/json").status_code == 404


def test_api_remove_member(staff_client, team):
    m = team.memberships.get(name="外来成员")
    assert staff_client.delete(f"/api/v1/orgs/members/{m.pk}").status_code == 204
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_page_lists_by_kind_and_links_to_detail(staff_client, team):
    response = staff_client.get(reverse("orgs:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "文体队伍" in html and reverse("orgs:detail", args=[team.pk]) in html


def test_detail_page_shows_roll_without_phone(staff_client, team):
    response = staff_client.get(reverse("orgs:detail", args=[team.pk]))
    html = response.content.decode()
    assert "队长" in html and "外来成员" in html
    assert "13912345678" not in html


def test_add_member_form_shows_a_clear_error_and_changes_nothing(staff_client, team):
    response = staff_client.post(reverse("orgs:member_add", args=[team.pk]), {"name": "", "title": "队员"})
    assert response.status_code == 400
    assert team.memberships.count() == 2
    response = staff_client.post(reverse("orgs:member_add", args=[team.pk]), {"name": "赵六", "is_party_member": "on"})
    assert response.status_code == 302
    assert team.memberships.get(name="赵六").is_party_member


def test_resident_gets_a_friendly_403_on_the_orgs_page(client, team):
    resident = ResidentFactory()
    client.force_login(make_user(Role.RESIDENT, resident=resident))
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 403
    assert "不能查看组织" in response.content.decode()


def test_grid_worker_reads_but_has_no_add_form(client, team):
    from liulin.territory.tests.factories import GridFactory

    client.force_login(make_user(Role.GRID_WORKER, GridFactory(community=team.community)))
    # A grid worker's scope is his grid; organisations are scoped by community or by org, so he sees none.
    assert client.get(reverse("orgs:detail", args=[team.pk])).status_code == 404
    auditor = make_user(Role.AUDITOR, team.community)
    client.force_login(auditor)
    html = client.get(reverse("orgs:detail", args=[team.pk])).content.decode()
    assert "银燕腰鼓队" in html and reverse("orgs:member_add", args=[team.pk]) not in html
    assert client.post(reverse("orgs:member_add", args=[team.pk]), {"name": "x"}).status_code == 403
