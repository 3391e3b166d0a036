"""The pages: staff run a meeting from its page; a resident signs in by the QR link and votes;
an invited party replies; pages read a fixed number of queries."""

import datetime

from django.test import Client
from django.urls import reverse

from liulin.core import clock
from liulin.deliberation import services
from liulin.deliberation.models import Attendance, Ballot, ItemState, Kind, Meeting, State

from .factories import convene, meeting_in_state, resident_user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_convene_from_the_form(world):
    staff = client_for(world.staff)
    start = (clock.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = staff.post(reverse("deliberation:new"), {"kind": Kind.BUILDING, "title": "雨棚漏水", "estate": world.estate.pk,
                                                  "starts_at": start, "minutes": 60, "quorum": 3,
                                                  "invite": [world.property_org.pk], "agenda": "雨棚维修 / 物业 / 20"})
    meeting = Meeting.objects.get()
    assert r.status_code == 302 and meeting.quorum == 3 and meeting.agenda.get().title == "雨棚维修"
    r = staff.post(reverse("deliberation:new"), {"kind": Kind.BUILDING, "title": "无小区", "starts_at": start, "minutes": 60,
                                                  "quorum": 3})
    assert r.status_code == 200 and "小楼议事须选定小区或楼栋" in r.content.decode()
    assert Meeting.objects.count() == 1


def test_staff_page_shows_the_qr_and_residents_see_counts_not_names(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    elder = resident_user(world.building, name="张奶奶")
    services.sign_in_for(actor=world.staff, meeting=meeting, resident=elder.resident)
    page = client_for(world.staff).get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert "<svg" in page and "张奶奶" in page
    neighbour = client_for(resident_user(world.building)).get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert "张奶奶" not in neighbour and "<svg" not in neighbour and "表决 1 人" in neighbour


def test_resident_signs_in_by_the_qr_link_and_votes(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    user = resident_user(world.building)
    resident = client_for(user)
    url = reverse("deliberation:sign_in", args=[meeting.pk, meeting.sign_in_token])
    assert "confirm-sign-in" in resident.get(url).content.decode()
    assert resident.post(url).status_code == 302
    assert resident.post(url).status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    poll = services.open_poll(actor=world.staff, meeting=meeting, question="修灯？")
    page = resident.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert f"vote-{poll.pk}" in page
    resident.post(reverse("deliberation:vote", args=[poll.pk]), {"option": [poll.options.first().pk]})
    assert Ballot.objects.filter(poll=poll).count() == 1
    page = resident.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert "您已表决" in page and "表决结束后公布结果" in page


def test_wrong_qr_token_is_not_found(world):
    meeting = meeting_in_state(world, State.IN_SESSION)
    r = client_for(resident_user(world.building)).post(reverse("deliberation:sign_in", args=[meeting.pk, "nope"]))
    assert r.status_code == 404
    assert not Attendance.objects.exists()


def test_invited_party_replies_from_the_page(world):
    meeting = meeting_in_state(world, State.NOTICED, kind=Kind.COORDINATION)
    invitation = meeting.invitations.get()
    page = client_for(world.property_user)
    assert f"rsvp-{invitation.pk}" in page.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    page.post(reverse("deliberation:rsvp", args=[meeting.pk, invitation.pk]), {"rsvp": "accepted", "representative": "李经理"})
    invitation.refresh_from_db()
    assert invitation.rsvp == "accepted"


def test_a_refused_step_is_a_message_and_changes_nothing(world):
    meeting = meeting_in_state(world, State.DRAFT)
    staff = client_for(world.staff)
    r = staff.post(reverse("deliberation:act", args=[meeting.pk, "adjourn"]), follow=True)
    assert "不能执行" in r.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).state == State.DRAFT


def test_decision_form_and_file_order_from_the_page(world):
    from liulin.whistle.tests.factories import CategoryFactory

    category = CategoryFactory()
    meeting = meeting_in_state(world, State.IN_SESSION)
    services.sign_in(actor=resident_user(world.building), meeting=meeting, token=meeting.sign_in_token)
    staff = client_for(world.staff)
    today = clock.today()
    staff.post(reverse("deliberation:decide", args=[meeting.pk]), {
        "text": "物业修灯", "item_title": "修楼道灯", "owner": world.property_user.pk, "owner_org": world.property_org.pk,
        "due_date": today + datetime.timedelta(days=3), "acceptance": "灯亮"})
    item = meeting.action_items.get()
    staff.post(reverse("deliberation:item_act", args=[item.pk, "file_order"]), {"category": category.code})
    item.refresh_from_db()
    assert item.state == ItemState.ORDERED
    page = staff.get(reverse("deliberation:meeting", args=[meeting.pk])).content.decode()
    assert item.work_order_number in page


def test_home_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(3):
        convene(world, title=f"议事{i}")
    staff = client_for(world.staff)
    staff.get(reverse("deliberation:home"))
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("deliberation:home")).status_code == 200
    for i in range(5):
        convene(world, title=f"再议{i}")
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("deliberation:home")).status_code == 200


def test_nav_shows_for_residents_and_staff_not_for_others(world):
    from liulin.core.plugins import nav_for

    assert "deliberation" in [e.key for e in nav_for(world.staff)]
    assert "deliberation" in [e.key for e in nav_for(resident_user(world.building))]


def test_meeting_page_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    today = clock.today()
    meeting = meeting_in_state(world, State.IN_SESSION)
    voter = resident_user(world.building)
    services.sign_in(actor=voter, meeting=meeting, token=meeting.sign_in_token)
    staff = client_for(world.staff)

    def grow():
        poll = services.open_poll(actor=world.staff, meeting=meeting, question="修灯？", hide_results=False)
        services.cast_ballot(actor=voter, poll=poll, option_ids=[poll.options.first().pk])
        services.close_poll(actor=world.staff, poll=poll)
        services.record_decision(actor=world.staff, meeting=meeting, text="修灯", poll=poll, item={
            "title": "修灯", "owner": world.staff, "due_date": today + datetime.timedelta(days=3), "acceptance": "灯亮",
            "review_date": None})

    grow()
    url = reverse("deliberation:meeting", args=[meeting.pk])
    staff.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert staff.get(url).status_code == 200
    for _ in range(4):
        grow()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert staff.get(url).status_code == 200
