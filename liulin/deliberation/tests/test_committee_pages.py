"""The committee pages: staff see the terms with their 备案 and expiry marks, register a term,
file it, record a meeting (a minority refused with a message, nothing written) and publish;
bad input on the register form is a form error and writes nothing; a resident, a committee
member and staff of another community cannot register."""

import datetime

import pytest
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


def term_body(committee, people, **kw):  # noqa: F811
    return {"committee": committee.pk, "number": 1, "elected_on": "2026-03-01", "starts_on": "2026-03-01",
            "ends_on": "2031-02-28", "seats": [r.pk for r in people], "chair": people[0].pk, **kw}


def test_staff_register_a_term_on_the_page(world, committee):  # noqa: F811
    from .test_committees import owners

    people = owners(world, 5)
    staff = client_for(world.staff)
    assert 'data-testid="committee-register"' in staff.get(reverse("deliberation:committees")).content.decode()
    page = staff.get(reverse("deliberation:committee_register"), {"committee": committee.pk}).content.decode()
    assert 'data-testid="term-form"' in page and people[0].name in page
    r = staff.post(reverse("deliberation:committee_register"), term_body(committee, people))
    term = CommitteeTerm.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("deliberation:committee_term", args=[term.pk])
    assert (term.members, term.seats.get(role="chair").resident_id) == (5, people[0].pk)


@pytest.mark.parametrize(("change", "message"), [
    ({"seats": "four"}, "5 至 11 人的单数"),
    ({"chair": "outsider"}, "有且只有一名主任"),
    ({"ends_on": "2031-03-02"}, "不超过 5 年"),
    ({"elected_on": ""}, ""),
])
def test_bad_input_shows_a_form_error_and_writes_nothing(world, committee, change, message):  # noqa: F811
    from .test_committees import owners

    people = owners(world, 6)
    body = term_body(committee, people[:5], **{k: v for k, v in change.items() if k not in ("seats", "chair")})
    if change.get("seats") == "four":
        body["seats"] = [r.pk for r in people[:4]]
    if change.get("chair") == "outsider":
        body["chair"] = people[5].pk
    r = client_for(world.staff).post(reverse("deliberation:committee_register"), body)
    assert r.status_code == 200 and 'class="errorlist' in r.content.decode()
    assert message in r.content.decode()
    assert not CommitteeTerm.objects.exists()


def test_only_staff_of_the_community_register_a_term(world, committee):  # noqa: F811
    from liulin.accounts.tests.factories import make_user
    from liulin.core.roles import Role
    from liulin.deliberation.tests.factories import make_world

    from .test_committees import owners

    people = owners(world, 5)
    url = reverse("deliberation:committee_register")
    for user in (resident_user(world.building), make_user(Role.COMMITTEE_MEMBER, committee)):
        client = client_for(user)
        assert client.get(url).status_code == 403
        assert client.post(url, term_body(committee, people)).status_code == 403
    elsewhere = client_for(make_world().staff)
    assert elsewhere.get(url, {"committee": committee.pk}).status_code == 404
    assert elsewhere.post(url, term_body(committee, people)).status_code == 404
    assert not CommitteeTerm.objects.exists()
