"""Duplicates as people meet them: the resident sees likely duplicates before filing and
may join one; the parent lists and counts its merged children (page and API); a merged
child follows its parent to closed in its requester's view."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from liulin.core import clock
from liulin.whistle.models import Channel, CoSign, State, Ticket
from liulin.whistle.services import callbacks, intake, transitions

from .intake_fixtures import NEAR_LAT, NEAR_LON, make_town

pytestmark = pytest.mark.django_db


def streetlight_nearby(town, minutes_ago=3, description="小区门口路灯坏了，晚上黑漆漆的"):
    """A grid worker's report ~50 m from the resident's building, a few minutes ago."""
    ticket, _ = intake.file_ticket(
        actor=town.grid_worker, channel=Channel.GRID_PATROL, category="municipal-streetlight", description=description,
        lon=NEAR_LON, lat=NEAR_LAT, now=clock.now() - datetime.timedelta(minutes=minutes_ago),
    )
    return ticket


def resident_form(town, **extra):
    return {
        "category": town.category("municipal-streetlight").pk,
        "description": "门口这盏路灯一直不亮，走路看不见",
        "where": "home",
        "client_request_id": "r-1",
        **extra,
    }


# --- before filing ----------------------------------------------------------------------


def test_resident_sees_the_likely_duplicate_before_a_ticket_is_filed(client, town):
    earlier = streetlight_nearby(town)
    client.force_login(town.resident_user)
    before = Ticket.objects.count()
    response = client.post(reverse("whistle:file"), resident_form(town))
    html = response.content.decode()
    assert response.status_code == 200
    assert Ticket.objects.count() == before  # nothing filed yet
    assert f'data-testid="likely-{earlier.pk}"' in html and f'data-testid="join-{earlier.pk}"' in html
    assert 'data-testid="file-anyway"' in html


def test_filing_anyway_or_after_seeing_them_files_one_ticket(client, town):
    earlier = streetlight_nearby(town)
    client.force_login(town.resident_user)
    response = client.post(reverse("whistle:file"), resident_form(town, new_anyway="1"))
    assert response.status_code == 302
    response = client.post(reverse("whistle:file"), resident_form(town, client_request_id="r-2", seen=[str(earlier.pk)]))
    assert response.status_code == 302
    assert Ticket.objects.filter(requester_user=town.resident_user).count() == 2


def test_nothing_alike_files_at_once(client, town):
    streetlight_nearby(town)
    client.force_login(town.resident_user)
    response = client.post(reverse("whistle:file"), {**resident_form(town), "category": town.category("noise").pk, "description": "楼上装修噪音"})
    assert response.status_code == 302


def test_the_htmx_check_lists_them_as_the_form_is_filled(client, town):
    earlier = streetlight_nearby(town)
    client.force_login(town.resident_user)
    data = {k: v for k, v in resident_form(town).items() if k != "client_request_id"}
    html = client.get(reverse("whistle:file_similar"), data, HTTP_HX_REQUEST="true").content.decode()
    assert f'name="seen" value="{earlier.pk}"' in html and "约 " in html
    assert "<html" not in html
    empty = client.get(reverse("whistle:file_similar"), {"where": "home"}).content.decode()
    assert "likely-" not in empty


def test_a_residents_own_ticket_and_other_communities_are_not_offered(client, town):
    own, _ = intake.file_ticket(
        actor=town.resident_user, channel=Channel.SELF_SERVICE, category="municipal-streetlight", description="路灯不亮",
        household=town.household,
    )
    stranger_town = make_town()
    client.force_login(stranger_town.resident_user)
    assert "likely-" not in client.get(reverse("whistle:file_similar"), resident_form(stranger_town)).content.decode()
    client.force_login(town.resident_user)
    assert f"likely-{own.pk}" not in client.get(reverse("whistle:file_similar"), resident_form(town)).content.decode()


def test_joining_cosigns_files_nothing_and_lists_it_under_my_requests(client, town):
    earlier = streetlight_nearby(town)
    client.force_login(town.resident_user)
    before = Ticket.objects.count()
    response = client.post(reverse("whistle:cosign", args=[earlier.pk]), {**resident_form(town), "next": "joined"})
    assert response.status_code == 302 and response["Location"] == reverse("whistle:mine")
    assert Ticket.objects.count() == before
    assert CoSign.objects.filter(ticket=earlier, user=town.resident_user).exists()
    html = client.get(reverse("whistle:mine")).content.decode()
    assert f'data-testid="joined-{earlier.pk}"' in html
    # Once joined, the same check no longer holds the filing back.
    assert client.post(reverse("whistle:file"), resident_form(town)).status_code == 302


# --- the parent and its children ----------------------------------------------------------


def merged_pair(town):
    parent = streetlight_nearby(town)
    child, _ = intake.file_ticket(
        actor=town.resident_user, channel=Channel.SELF_SERVICE, category="municipal-streetlight", description="路灯不亮",
        household=town.household,
    )
    intake.merge(actor=town.staff, child=child, parent=parent, reason="同一盏路灯")
    parent.refresh_from_db()
    child.refresh_from_db()
    return parent, child


def test_the_parent_lists_and_counts_its_merged_children_on_the_staff_page(client, town):
    parent, child = merged_pair(town)
    client.force_login(town.staff)
    html = client.get(reverse("whistle:ticket", args=[parent.pk])).content.decode()
    assert 'data-testid="merged-children"' in html and child.number in html
    assert "合并了 1 件重复诉求" in html and "合并的重复诉求（1）" in html


def test_the_parent_lists_and_counts_its_merged_children_in_the_api(client, town):
    parent, child = merged_pair(town)
    client.force_login(town.staff)
    body = client.get(f"/api/v1/tickets/{parent.pk}").json()
    assert body["merged_count"] == 1
    assert [c["number"] for c in body["merged_children"]] == [child.number]


def close(town, ticket):
    for actor, action, extra in (
        (town.staff, "dispatch", {"org": town.property_company}),
        (town.property_staff, "accept", {}),
        (town.property_staff, "resolve", {}),
        (town.secretary, "verify", {}),
    ):
        ticket = transitions.act(actor=actor, ticket=ticket, action=action, reason=f"已{action}", **extra)
    callbacks.record_callback(actor=town.operator, ticket=ticket, solved=True, satisfaction="satisfied")
    ticket.refresh_from_db()
    return ticket


def test_a_merged_child_follows_its_parent_to_closed_in_the_residents_view(client, town):
    parent, child = merged_pair(town)
    client.force_login(town.resident_user)
    html = client.get(reverse("whistle:ticket", args=[child.pk])).content.decode()
    assert ">重复已合并<" in html and 'data-testid="merged-note"' in html
    assert client.get(f"/api/v1/tickets/{child.pk}").json()["shown_state"] == State.MERGED
    parent = close(town, parent)
    assert parent.state == State.CLOSED
    child.refresh_from_db()
    assert child.state == State.MERGED  # the table is untouched; the view follows the parent
    html = client.get(reverse("whistle:ticket", args=[child.pk])).content.decode()
    assert f'data-testid="state">{State.CLOSED.label}<' in html
    mine = client.get(reverse("whistle:mine")).content.decode()
    assert f'data-testid="state-{child.pk}">{State.CLOSED.label}<' in mine
    body = client.get(f"/api/v1/tickets/{child.pk}").json()
    assert body["state"] == State.MERGED and body["shown_state"] == State.CLOSED


# --- unique ids ---------------------------------------------------------------------------


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


def test_the_ticket_page_has_no_duplicate_ids(client, town):
    ticket, _ = intake.file_ticket(
        actor=town.resident_user, channel=Channel.SELF_SERVICE, category="municipal-streetlight", description="路灯不亮",
        household=town.household,
    )
    ticket = transitions.act(actor=town.staff, ticket=ticket, action="dispatch", org=town.property_company)
    client.force_login(town.staff)
    html = client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode()
    assert 'id="merge_reason"' in html and 'id="urge_reason"' in html and 'id="escalate_reason"' in html
    parser = _Ids()
    parser.feed(html)
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, duplicates


# --- the same, for an app (API) ---------------------------------------------------------------


def test_the_api_lists_likely_duplicates_before_filing_and_joining_takes_one_call(client, town):
    earlier = streetlight_nearby(town)
    client.force_login(town.resident_user)
    query = {"category": "municipal-streetlight", "household_id": town.household.pk, "description": "门口这盏路灯一直不亮"}
    body = client.get("/api/v1/tickets/likely-duplicates", query).json()
    assert [row["id"] for row in body] == [earlier.pk]
    assert 40 < body[0]["distance_m"] < 60 and body[0]["cosigned"] is False and body[0]["score"] >= 0.6
    assert "13" not in body[0]["place"]  # a building or grid, never a phone or room
    assert client.post(f"/api/v1/tickets/{earlier.pk}/cosign").status_code == 201
    assert client.get("/api/v1/tickets/likely-duplicates", query).json()[0]["cosigned"] is True


def test_the_api_refuses_another_home_and_a_missing_place(client, town):
    client.force_login(town.resident_user)
    other = client.get("/api/v1/tickets/likely-duplicates", {"category": "noise", "household_id": town.other_household.pk})
    assert other.status_code == 404
    missing = client.get("/api/v1/tickets/likely-duplicates", {"category": "noise"})
    assert missing.status_code == 400 and missing.json()["code"] == "place_required"


def test_the_check_costs_the_same_queries_for_one_likely_duplicate_or_five(client, town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(town.resident_user)
    data = {k: v for k, v in resident_form(town).items() if k != "client_request_id"}
    streetlight_nearby(town)
    client.get(reverse("whistle:file_similar"), data)  # warm the per-process memos
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("whistle:file_similar"), data).content.decode().count('name="seen"') == 1
    for minutes in (4, 5, 6, 7):
        streetlight_nearby(town, minutes_ago=minutes)
    with CaptureQueriesContext(connection) as five:
        assert client.get(reverse("whistle:file_similar"), data).content.decode().count('name="seen"') == 5
    assert len(five) == len(one), [q["sql"][:120] for q in five]


def test_the_page_posts_the_check_so_a_long_description_never_makes_a_long_url(client, town):
    earlier = streetlight_nearby(town)
    client.force_login(town.resident_user)
    page = client.get(reverse("whistle:file")).content.decode()
    assert f'hx-post="{reverse("whistle:file_similar")}"' in page
    data = {**resident_form(town), "description": "路灯不亮" * 900}
    html = client.post(reverse("whistle:file_similar"), data).content.decode()
    assert f'name="seen" value="{earlier.pk}"' in html
    assert not Ticket.objects.filter(requester_user=town.resident_user).exists()
