import datetime
from zoneinfo import ZoneInfo

import pytest

from liulin.core.errors import Conflict, Invalid, NotFound
from liulin.whistle import events, routing
from liulin.whistle.models import Channel, CoSign, State, Ticket
from liulin.whistle.services import intake

from .intake_fixtures import BASE_LAT, BASE_LON, FAR_LAT, FAR_LON, NEAR_LAT, NEAR_LON, make_town

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def patrol(town, description, **place):
    ticket, _ = intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="municipal-streetlight", description=description, now=NOW, **place
    )
    return ticket


def suggest(town, description, **place):
    return routing.suggest_duplicates(
        category=town.category("municipal-streetlight"), grid=town.grid1, description=description, now=NOW, **place
    )


def test_same_problem_within_250_m_is_suggested_and_300_m_is_not(town):
    near = patrol(town, "路灯不亮，晚上很黑", lon=NEAR_LON, lat=NEAR_LAT)
    patrol(town, "路灯不亮，晚上很黑", lon=FAR_LON, lat=FAR_LAT)
    found = suggest(town, "这里的路灯坏了不亮", lon=BASE_LON + 0.003, lat=BASE_LAT + 0.003)
    assert [t.pk for t in found] == [near.pk]
    assert 40 < found[0].distance_m < 60
    assert found[0].similarity >= routing.SIMILARITY_THRESHOLD


def test_same_building_is_suggested_without_coordinates(town):
    town.b1.lon = town.b1.lat = None
    town.b1.save()
    same = patrol(town, "楼下路灯不亮", building=town.b1)
    found = suggest(town, "路灯不亮", building=town.b1)
    assert [t.pk for t in found] == [same.pk]
    assert found[0].distance_m is None


def test_different_text_category_or_closed_tickets_are_not_suggested(town):
    patrol(town, "路灯杆被车撞歪了", building=town.b1)  # same place, unrelated words
    other_category, _ = intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="noise", description="路灯不亮", building=town.b1, now=NOW
    )
    withdrawn = patrol(town, "路灯不亮", building=town.b1)
    Ticket.objects.filter(pk=withdrawn.pk).update(state=State.WITHDRAWN)
    assert suggest(town, "路灯不亮", building=town.b1) == []
    assert other_category.category.code == "noise"


def test_at_most_five_most_similar_first(town):
    for n in range(7):
        patrol(town, "路灯不亮" + "，很危险" * (n % 3), building=town.b1)
    found = suggest(town, "路灯不亮", building=town.b1)
    assert len(found) == routing.MAX_DUPLICATES
    assert [t.similarity for t in found] == sorted((t.similarity for t in found), reverse=True)


# --- me too ---------------------------------------------------------------------------


def test_neighbours_cosign_once_each_and_the_count_is_kept(town):
    ticket = patrol(town, "路灯不亮", building=town.b1)
    intake.cosign(actor=town.resident_user, ticket=ticket)
    intake.cosign(actor=town.neighbour_user, ticket=ticket)
    with pytest.raises(Conflict) as error:
        intake.cosign(actor=town.neighbour_user, ticket=ticket)
    assert error.value.code == "already_cosigned"
    ticket.refresh_from_db()
    assert ticket.cosign_count == 2 == CoSign.objects.filter(ticket=ticket).count()
    assert list(ticket.events.filter(action="cosign").values_list("data__count", flat=True)) == [1, 2]
    assert events.verify_chain(ticket) is None


def test_resident_of_another_community_cannot_cosign(town):
    ticket = patrol(town, "路灯不亮", building=town.b1)
    stranger = make_town().resident_user
    with pytest.raises(NotFound):
        intake.cosign(actor=stranger, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.cosign_count == 0


def test_requester_cannot_cosign_his_own_request(town):
    ticket, _ = intake.file_ticket(
        actor=town.resident_user, channel=Channel.SELF_SERVICE, category="noise", description="楼上噪音",
        household=town.household, now=NOW,
    )
    with pytest.raises(Invalid):
        intake.cosign(actor=town.resident_user, ticket=ticket)


# --- merge ----------------------------------------------------------------------------


def test_merge_closes_the_child_under_its_parent(town):
    parent = patrol(town, "路灯不亮", building=town.b1)
    child = patrol(town, "路灯又不亮了", building=town.b1)
    merged = intake.merge(actor=town.staff, child=child, parent=parent, reason="同一盏路灯")
    assert merged.state == State.MERGED and merged.parent == parent
    parent.refresh_from_db()
    assert parent.state == State.SUBMITTED
    assert child.events.last().action == "merge"


def test_merge_into_a_closed_or_foreign_ticket_is_refused(town):
    parent = patrol(town, "路灯不亮", building=town.b1)
    child = patrol(town, "路灯又不亮了", building=town.b1)
    Ticket.objects.filter(pk=parent.pk).update(state=State.WITHDRAWN)
    parent.refresh_from_db()
    with pytest.raises(Invalid):
        intake.merge(actor=town.staff, child=child, parent=parent, reason="重复")
    with pytest.raises(Invalid):
        intake.merge(actor=town.staff, child=child, parent=child, reason="重复")
    child.refresh_from_db()
    assert child.state == State.SUBMITTED
