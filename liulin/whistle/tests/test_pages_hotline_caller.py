"""The hotline console finds a caller by the last four digits of his phone, offers every
match to pick from, shows his care tags and the urgency they suggest; free-text places that
cannot be located are filed as 待定位 and the dispatcher's queue shows and filters them."""

import pytest
from django.urls import reverse

from liulin.people.models import CareTag
from liulin.people.tests.factories import ResidentFactory
from liulin.whistle.models import Landmark, Ticket, TicketEvent
from liulin.whistle.tests.intake_fixtures import submitted

pytestmark = pytest.mark.django_db
CONSOLE = "whistle:console"


def _elderly(town, name, mobile, household=None):
    resident = ResidentFactory(name=name, mobile=mobile, household=household or town.household)
    resident.care_tags.set(CareTag.objects.filter(code__in=["living-alone-elderly", "advanced-age"]))
    return resident


def test_last_four_digits_offer_every_matching_caller_to_pick(client, town):
    first = _elderly(town, "王奶奶", "13700005678")
    client.force_login(town.operator)
    html = client.get(reverse("whistle:caller_lookup"), {"phone": "5678"}, HTTP_HX_REQUEST="true").content.decode()
    assert "张三" in html and "王奶奶" in html  # 138****5678 and 137****5678
    assert html.count("pick=") >= 2
    assert "独居老人" in html and "高龄" in html  # the care tags beside the name
    picked = client.get(reverse(CONSOLE), {"phone": "5678", "pick": first.pk}).content.decode()
    assert f'name="requester" value="{first.pk}"' in picked and 'data-testid="care-tag"' in picked


def test_picked_vulnerable_caller_shows_the_suggested_urgency_and_its_reason(client, town):
    elderly = _elderly(town, "王奶奶", "13700005678")
    client.force_login(town.operator)
    category = town.category("property-elevator").pk
    html = client.get(reverse(CONSOLE), {"phone": "5678", "pick": elderly.pk, "category": category}).content.decode()
    assert 'data-testid="care-suggestion"' in html
    assert "建议紧急程度：紧急" in html and "电梯故障" in html
    assert '<option value="emergency" selected>' in html  # the select shows the suggestion

    response = client.post(
        reverse(CONSOLE),
        {"phone": "5678", "requester": elderly.pk, "category": category, "urgency": "normal", "description": "电梯坏了下不了楼",
         "building": town.b1.pk, "room": "301", "client_request_id": "care-1"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.urgency == "emergency"
    filed = client.get(response["Location"]).content.decode()
    assert 'data-testid="urgency-raised"' in filed and ("独居老人" in filed or "高龄" in filed)
    assert 'data-testid="urgency-raised"' in client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert TicketEvent.objects.get(ticket=ticket, action="file").data["urgency_raised"]["to"] == "emergency"


def test_console_address_alone_is_located_at_a_landmark(client, town):
    Landmark.objects.create(community=town.community, name="同心公园", aliases="同心园", grid=town.grid2)
    client.force_login(town.operator)
    response = client.post(
        reverse(CONSOLE),
        {"phone": "", "category": town.category("noise").pk, "urgency": "normal", "description": "晚上广场舞太吵",
         "address": "同心园东门", "client_request_id": "lm-1"},
    )
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.grid == town.grid2 and not ticket.needs_location and ticket.state == "dispatched"


def test_vague_address_is_filed_as_unlocated_and_the_queue_shows_and_filters_it(client, town):
    placed = submitted(town)
    client.force_login(town.operator)
    response = client.post(
        reverse(CONSOLE),
        {"phone": "", "category": town.category("noise").pk, "urgency": "normal", "description": "有人半夜放鞭炮",
         "address": "菜市场后面那条巷子", "client_request_id": "vague-1"},
    )
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.exclude(pk=placed.pk).get()
    assert ticket.needs_location and ticket.state == "submitted" and ticket.community == town.community
    assert 'data-testid="needs-location"' in client.get(response["Location"]).content.decode()

    located = Ticket.objects.filter(pk=ticket.pk).values_list("number", flat=True).get()
    client.force_login(town.staff)
    queue = client.get(reverse("whistle:queue")).content.decode()
    assert located in queue and placed.number in queue and 'data-testid="needs-location"' in queue and "只看待定位" in queue
    filtered = client.get(reverse("whistle:queue"), {"unlocated": "on"}).content.decode()
    assert located in filtered and placed.number not in filtered
    page = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert 'data-testid="needs-location"' in page
