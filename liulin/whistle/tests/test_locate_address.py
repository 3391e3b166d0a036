"""Free-text addresses are located in one place (routing.locate_address), for every channel:
a building, a landmark's grid, an estate in one grid, or the community only; what cannot be
located is filed to the community tier as 待定位; a place outside the filer's scope is refused."""

import pytest

from liulin.core.errors import NotPermitted
from liulin.territory.models import Facility
from liulin.territory.tests.factories import CommunityFactory, EstateFactory, GridFactory
from liulin.whistle import routing
from liulin.whistle.models import Landmark, Tier
from liulin.whistle.services import intake

pytestmark = pytest.mark.django_db


def _file(town, actor, address, category="noise"):
    ticket, _ = intake.file_ticket(actor=actor, channel="hotline", category=category, description="噪音扰民", address=address)
    return ticket


def test_estate_and_building_names_locate_the_building(town):
    spot = routing.locate_address("中南小苑 9栋 楼下", communities={town.community.pk})
    assert (spot.building, spot.grid) == (town.b3, town.grid2)


def test_landmark_and_its_aliases_locate_its_grid_longest_name_first(town):
    Landmark.objects.create(community=town.community, name="同心公园", aliases="同心园、公园北门", grid=town.grid2)
    Landmark.objects.create(community=town.community, name="同心", grid=town.grid1)
    assert routing.locate_address("中南社区同心公园旁", communities={town.community.pk}).grid == town.grid2
    assert routing.locate_address("同心园里", communities={town.community.pk}).grid == town.grid2


def test_road_facility_or_estate_across_grids_locate_the_community_only(town):
    Landmark.objects.create(community=town.community, name="中传路")
    Facility.objects.create(community=town.community, name="初心讲堂", kind="hall")
    for text in ("中传路边上", "初心讲堂门口", "中南小苑门口"):  # 中南小苑 has buildings in both grids
        spot = routing.locate_address(text, communities={town.community.pk})
        assert (spot.community, spot.grid, spot.building) == (town.community, None, None), text


def test_estate_in_one_grid_locates_that_grid(town):
    EstateFactory(community=town.community, name="金峰苑")  # no buildings: community only
    assert routing.locate_address("金峰苑", communities={town.community.pk}).grid is None
    assert routing.locate_address("火星基地", communities={town.community.pk}) is None


def test_unlocated_and_community_only_go_to_the_community_tier_as_unlocated(town):
    Landmark.objects.create(community=town.community, name="中传路")
    for address in ("中传路边上", "菜市场后面"):
        ticket = _file(town, town.operator, address)
        assert ticket.needs_location and ticket.tier == Tier.COMMUNITY and ticket.state == "submitted"
        assert ticket.community == town.community and ticket.handling_org is None
        assert ticket.grid == routing.stand_in_grid(town.community)
        assert ticket.events.get(action="file").data["route"] == routing.UNLOCATED_REASON


def test_a_place_outside_the_filers_scope_is_refused(town):
    Landmark.objects.create(community=town.community, name="同心公园", grid=town.grid2)
    with pytest.raises(NotPermitted) as refused:
        _file(town, town.grid_worker, "同心公园旁")  # grid 1's worker, a grid-2 landmark
    assert refused.value.code == "place_out_of_scope"
    elsewhere = CommunityFactory(name="金山社区")
    Landmark.objects.create(community=elsewhere, name="金山公园", grid=GridFactory(community=elsewhere))
    for text in ("金山公园", "金山社区菜市场"):
        with pytest.raises(NotPermitted):
            _file(town, town.operator, text)


def test_a_generic_facility_name_elsewhere_does_not_refuse_a_vague_address(town):
    elsewhere = CommunityFactory(name="金山社区")
    GridFactory(community=elsewhere)
    Facility.objects.create(community=elsewhere, name="服务大厅", kind="room")
    ticket = _file(town, town.operator, "服务大厅门口")
    assert ticket.needs_location and ticket.community == town.community


def test_the_filers_own_community_wins_a_name_both_have(town):
    elsewhere = CommunityFactory(name="金山社区")
    Landmark.objects.create(community=elsewhere, name="同心公园", grid=GridFactory(community=elsewhere))
    Landmark.objects.create(community=town.community, name="同心公园", grid=town.grid2)
    assert _file(town, town.operator, "同心公园").grid == town.grid2


def test_the_demo_communitys_places_locate_the_open311_example():
    from liulin.demo import facts, places
    from liulin.whistle.demo_seed import seed_landmarks

    community = places.seed_areas()[facts.COMMUNITY_CODE]
    grids = places.seed_grids(community)
    places.seed_estates(community, grids)
    places.seed_facilities(community)
    seed_landmarks(community, grids)
    within = {community.pk}
    assert routing.locate_address("中南社区同心公园旁", communities=within).grid == grids[1]
    assert routing.locate_address("雷锋驿站门口", communities=within).grid == grids[1]
    assert routing.locate_address("初心讲堂", communities=within).grid == grids[0]
    assert routing.locate_address("中传路上", communities=within).grid is None
    assert routing.locate_address("同心家园3栋", communities=within).building.name == "3栋"


def test_the_intake_queue_locates_an_address_as_a_direct_filing_does(town):
    import datetime
    from zoneinfo import ZoneInfo

    from liulin.whistle.models import Intake, Ticket
    from liulin.whistle.services import queue

    now = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    Landmark.objects.create(community=town.community, name="同心公园", grid=town.grid2)
    for crid, address in (("q-park", "同心公园旁"), ("q-vague", "菜市场后面")):
        request = {"category": "noise", "description": "晚上太吵", "address": address}
        queue.enqueue(actor=town.operator, client_request_id=crid, request=request, now=now)
    queue.enqueue(actor=town.grid_worker, client_request_id="q-out", request={"category": "noise", "description": "吵", "address": "同心公园"}, now=now)
    assert queue.drain(now=now) == 3
    park, vague = Ticket.objects.get(client_request_id="q-park"), Ticket.objects.get(client_request_id="q-vague")
    assert park.grid == town.grid2 and not park.needs_location
    assert vague.needs_location and vague.community == town.community and vague.state == "submitted"
    refused = Intake.objects.get(client_request_id="q-out")
    assert refused.status == Intake.Status.REJECTED and refused.error_code == "place_out_of_scope"
