"""An agenda item has an owner and a duration, and may link to a work order by its number or
to a decision of an earlier meeting of the same community: in the service, the convening
form and the API. A decision the convener does not see, or of another community, is not
found; the link shows only to those who see the meeting that decided it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from liulin.core import clock
from liulin.core.errors import Conflict, NotFound
from liulin.deliberation import services
from liulin.deliberation.models import AgendaItem, Kind, Meeting, State

from .factories import convene, make_world, meeting_in_state, resident_user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def decided(world, text="物业三日内修好楼道灯"):
    """A held meeting's decision (with its action item, as every decision has)."""
    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    today = clock.today()
    return services.record_decision(actor=world.staff, meeting=meeting, text=text, item={
        "title": "修灯", "owner": world.staff, "due_date": today + datetime.timedelta(days=5), "acceptance": "灯亮",
        "review_date": None})


def test_convene_with_links_to_a_work_order_and_an_earlier_decision(world):
    earlier = decided(world)
    meeting = convene(world, title="楼道灯修好了吗", agenda=[
        ("回顾上次决定", "王书记", 10, "", earlier), ("楼道灯工单进展", "物业", 15, "LF2026120500001"), ("其他", "", 5)])
    rows = list(meeting.agenda.order_by("position"))
    assert [(a.title, a.owner, a.minutes, a.work_order_number, a.earlier_decision) for a in rows] == [
        ("回顾上次决定", "王书记", 10, "", earlier), ("楼道灯工单进展", "物业", 15, "LF2026120500001", None), ("其他", "", 5, "", None)]


def test_a_decision_of_another_community_is_not_found_and_nothing_is_written(world):
    elsewhere = make_world()
    foreign = decided(elsewhere, text="别的社区的决定")
    with pytest.raises(NotFound):
        convene(world, agenda=[("回顾", "", 10, "", foreign)])
    assert not Meeting.objects.filter(community=world.community).exists()
    meeting = convene(world)
    with pytest.raises(NotFound):
        services.add_agenda_item(actor=world.staff, meeting=meeting, title="回顾", earlier_decision=foreign)
    assert meeting.agenda.count() == 1


def test_add_an_item_until_the_meeting_opens(world):
    earlier = decided(world)
    meeting = meeting_in_state(world, State.NOTICED)
    item = services.add_agenda_item(actor=world.staff, meeting=meeting, title="回顾上次决定", owner="王书记", minutes=10,
                                    work_order_number="LF2026120500001", earlier_decision=earlier)
    assert (item.position, item.earlier_decision, item.work_order_number) == (2, earlier, "LF2026120500001")
    assert meeting.events.filter(action="agenda").exists()
    services.act(actor=world.staff, meeting=meeting, action="open")
    with pytest.raises(Conflict) as e:
        services.add_agenda_item(actor=world.staff, meeting=meeting, title="临时动议")
    assert e.value.code == "agenda_closed"
    assert meeting.agenda.count() == 2


def test_the_form_links_by_number_and_the_page_shows_the_link_only_to_those_who_see_it(world):
    from liulin.territory.tests.factories import BuildingFactory

    earlier = decided(world)
    staff = client_for(world.staff)
    start = (clock.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form = {"kind": Kind.RESIDENTS, "title": "楼道灯回顾", "starts_at": start, "minutes": 60, "quorum": 1,
            "agenda": f"回顾上次决定 / 王书记 / 10 / 决定#{earlier.pk}\n工单进展 / 物业 / 15 / LF2026120500001"}
    r = staff.post(reverse("deliberation:new"), {**form, "agenda": "回顾 / 王书记 / 10 / #999999"})
    assert r.status_code == 200 and "找不到议程关联的决定 #999999" in r.content.decode()
    r = staff.post(reverse("deliberation:new"), form)
    meeting = Meeting.objects.get(title="楼道灯回顾")
    assert r.status_code == 302
    assert list(meeting.agenda.order_by("position").values_list("earlier_decision", "work_order_number")) == [
        (earlier.pk, ""), (None, "LF2026120500001")]
    link = f'/deliberation/{earlier.meeting_id}/#decision-{earlier.pk}'
    page = staff.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert link in page and "LF2026120500001" in page and f'id="decision-{earlier.pk}"' not in page
    assert f'id="decision-{earlier.pk}"' in staff.get(link.split("#")[0]).content.decode()
    # A resident of another estate sees the community meeting, not the estate's meeting that decided.
    other = client_for(resident_user(BuildingFactory(grid__community=world.community)))
    page = other.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert "回顾上次决定" in page and link not in page and earlier.text not in page
    neighbour = client_for(resident_user(world.building))
    assert link in neighbour.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()


def test_the_api_links_and_adds_items(world):
    earlier = decided(world)
    staff = client_for(world.staff)
    start = clock.now() + datetime.timedelta(days=1)
    body = {"kind": "residents", "title": "楼道灯回顾", "community_id": world.community.pk, "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
            "agenda": [{"title": "回顾上次决定", "owner": "王书记", "minutes": 10, "earlier_decision_id": earlier.pk},
                       {"title": "工单进展", "minutes": 15, "work_order_number": "LF2026120500001"}]}
    r = staff.post("/api/v1/deliberation/meetings", body, content_type="application/json")
    assert r.status_code == 201, r.content
    meeting_id = r.json()["id"]
    detail = staff.get(f"/api/v1/deliberation/meetings/{meeting_id}").json()
    assert [(a["earlier_decision_id"], a["work_order_number"]) for a in detail["agenda"]] == [
        (earlier.pk, ""), (None, "LF2026120500001")]
    r = staff.post(f"/api/v1/deliberation/meetings/{meeting_id}/agenda",
                   {"title": "再议", "minutes": 5, "earlier_decision_id": earlier.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["position"] == 3 and r.json()["earlier_decision_id"] == earlier.pk
    foreign = decided(make_world(), text="别的社区的决定")
    r = staff.post(f"/api/v1/deliberation/meetings/{meeting_id}/agenda",
                   {"title": "越界", "earlier_decision_id": foreign.pk}, content_type="application/json")
    assert r.status_code == 404
    r = staff.post("/api/v1/deliberation/meetings", {**body, "title": "越界会议", "agenda": [
        {"title": "越界", "earlier_decision_id": foreign.pk}]}, content_type="application/json")
    assert r.status_code == 404 and not Meeting.objects.filter(title="越界会议").exists()
    resident = client_for(resident_user(world.building))
    r = resident.post(f"/api/v1/deliberation/meetings/{meeting_id}/agenda", {"title": "我也加"},
                      content_type="application/json")
    assert r.status_code == 403
    assert AgendaItem.objects.filter(meeting_id=meeting_id).count() == 3
