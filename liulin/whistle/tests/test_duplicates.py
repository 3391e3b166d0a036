import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

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
    assert found[0].score >= routing.duplicate_rule().threshold


def test_same_building_is_suggested_without_coordinates(town):
    town.b1.lon = town.b1.lat = None
    town.b1.save()
    same = patrol(town, "楼下路灯不亮", building=town.b1)
    found = suggest(town, "路灯不亮", building=town.b1)
    assert [t.pk for t in found] == [same.pk]
    assert found[0].distance_m is None


def test_other_category_trees_and_closed_tickets_are_not_suggested(town):
    intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="noise", description="路灯不亮", building=town.b1, now=NOW
    )
    withdrawn = patrol(town, "路灯不亮", building=town.b1)
    Ticket.objects.filter(pk=withdrawn.pk).update(state=State.WITHDRAWN)
    assert suggest(town, "路灯不亮", building=town.b1) == []


def test_the_same_streetlight_reported_minutes_earlier_50_m_away_is_suggested_whatever_its_words(town):
    """Place, category and time outweigh wording: 0.235 of shared words was once too few."""
    earlier = NOW - datetime.timedelta(minutes=3)
    first, _ = intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="municipal-streetlight",
        description="小区门口路灯坏了，晚上黑漆漆的", lon=NEAR_LON, lat=NEAR_LAT, now=earlier,
    )
    wording = "门口这盏路灯一直不亮，走路看不见"
    similarity = routing.jaccard(routing.tokens(wording), routing.tokens(first.description))
    assert similarity < 0.25  # the wording alone would not have matched
    found = suggest(town, wording, lon=BASE_LON + 0.003, lat=BASE_LAT + 0.003)
    assert [t.pk for t in found] == [first.pk]
    assert 40 < found[0].distance_m < 60
    assert found[0].signals["time"] > 0.99 and found[0].signals["category"] == 1.0


def test_an_old_report_needs_its_words_to_agree(town):
    """Past the time window the time signal is 0: the same place and category with other
    words is no longer offered, the same words still are."""
    rule = routing.duplicate_rule()
    old = NOW - datetime.timedelta(hours=rule.window_hours + 1)
    intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="municipal-streetlight",
        description="路灯杆被车撞歪了", lon=NEAR_LON, lat=NEAR_LAT, now=old,
    )
    same_words, _ = intake.file_ticket(
        actor=town.staff, channel=Channel.GRID_PATROL, category="municipal-streetlight",
        description="路灯不亮", lon=NEAR_LON, lat=NEAR_LAT, now=old,
    )
    found = suggest(town, "路灯不亮", lon=BASE_LON + 0.003, lat=BASE_LAT + 0.003)
    assert [t.pk for t in found] == [same_words.pk]
    assert found[0].signals["time"] == 0.0


def test_weights_and_threshold_come_from_settings(town, settings):
    patrol(town, "路灯杆被车撞歪了", lon=NEAR_LON, lat=NEAR_LAT)
    assert len(suggest(town, "路灯不亮", lon=BASE_LON + 0.003, lat=BASE_LAT + 0.003)) == 1
    settings.LIULIN_WHISTLE_DUPLICATES = {"weights": {"distance": 0.1, "time": 0.1, "category": 0.1, "text": 0.7}}
    assert suggest(town, "路灯不亮", lon=BASE_LON + 0.003, lat=BASE_LAT + 0.003) == []
    settings.LIULIN_WHISTLE_DUPLICATES = {"threshold": 0.99}
    assert routing.duplicate_rule().threshold == 0.99
    settings.LIULIN_WHISTLE_DUPLICATES = {"wieghts": {}}
    with pytest.raises(ImproperlyConfigured):
        routing.duplicate_rule()


def test_the_rule_scores_each_signal():
    rule = routing.DuplicateRule()
    total, parts = rule.score(distance_m=50, age_hours=0.05, category=1.0, text=0.235)
    assert parts["distance"] == pytest.approx(0.8)
    assert total == pytest.approx(0.3 * 0.8 + 0.25 * (1 - 0.05 / 168) + 0.25 + 0.2 * 0.235)
    assert total >= rule.threshold
    # Far, old, a related category, no shared words: not the same problem.
    total, _ = rule.score(distance_m=240, age_hours=200, category=rule.related_category, text=0.0)
    assert total < rule.threshold


def test_at_most_five_most_similar_first(town):
    for n in range(7):
        patrol(town, "路灯不亮" + "，很危险" * (n % 3), building=town.b1)
    found = suggest(town, "路灯不亮", building=town.b1)
    assert len(found) == routing.duplicate_rule().max_results
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)


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
