"""The committee pages: staff see the terms with their 备案 and expiry marks, file a term,
record a meeting (a minority refused with a message, nothing written) and publish; a
resident cannot open them."""

import datetime

from django.test import Client
from django.urls import reverse

from liulin.deliberation.models import CommitteeDecision, CommitteeMeeting, CommitteeTerm

from .factories import resident_user
from .test_committees import committee, new_term  # noqa: F401


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_file_meet_and_publish_on_the_pages(world, committee):  # noqa: F811
    term = new_term(world, committee, elected_on=datetime.date.today() - datetime.timedelta(days=40))
    staff = client_for(world.staff)
    html = staff.get(reverse("deliberation:committees")).content.decode()
    assert committee.name in html and "超过 30 日未备案" in html
    staff.post(reverse("deliberation:committee_file", args=[term.pk]),
               {"filed_on": (term.elected_on + datetime.timedelta(days=31)).isoformat(), "reference": "备 3"})
    assert CommitteeTerm.objects.get(pk=term.pk).state == "filed"
    seats = list(term.seats.all())
    today = datetime.date.today().isoformat()
    r = staff.post(reverse("deliberation:committee_meeting", args=[term.pk]),
                   {"topic": "议题", "held_on": today, "present": [s.pk for s in seats[:2]]}, follow=True)
    assert "出席委员未过半数" in r.content.decode() and not CommitteeMeeting.objects.exists()
    body = {"topic": "维修", "held_on": today, "motion": "维修门禁", "present": [s.pk for s in seats[:3]],
            **{f"vote-{s.pk}": "for" for s in seats[:3]}}
    staff.post(reverse("deliberation:committee_meeting", args=[term.pk]), body)
    decision = CommitteeDecision.objects.get()
    assert decision.state == "recorded"
    page = staff.get(reverse("deliberation:committee_term", args=[term.pk])).content.decode()
    assert "逾期备案" in page and "维修门禁" in page
    staff.post(reverse("deliberation:committee_publish", args=[decision.pk]))
    assert CommitteeDecision.objects.get().state == "published"


def test_a_resident_cannot_open_the_committee_pages(world, committee):  # noqa: F811
    term = new_term(world, committee)
    resident = client_for(resident_user(world.building))
    assert resident.get(reverse("deliberation:committees")).status_code == 403
    assert resident.get(reverse("deliberation:committee_term", args=[term.pk])).status_code in (403, 404)


def test_minutes_and_sign_in_sheet_print_once_final(world):
    from liulin.deliberation import services
    from liulin.deliberation.models import State

    from .factories import meeting_in_state

    meeting = meeting_in_state(world, State.HELD)
    staff = client_for(world.staff)
    url = reverse("deliberation:minutes_pdf", args=[meeting.pk])
    r = staff.get(url)
    assert r.status_code == 302  # draft minutes: back to the meeting with a message
    services.write_minutes(actor=world.staff, meeting=meeting, text="议定：更换楼道灯。")
    for action in ("open_amendments", "finalise"):
        services.act_on_minutes(actor=world.staff, meeting=meeting, action=action)
    r = staff.get(url)
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert r["Cache-Control"] == "no-store"
    resident = client_for(resident_user(world.building))
    assert resident.get(url).status_code in (403, 404)
