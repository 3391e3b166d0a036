"""Every step a ticket's chain may hold reads as words for each audience: the ticket page as
staff, the same page as the resident, and the API timeline. No action code reaches them, and
the resident sees the kind of unit that acted, never a name."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.whistle import selectors, workflow
from liulin.whistle.events import append_event
from liulin.whistle.services import transitions
from liulin.whistle.tests.intake_fixtures import submitted

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[a-z_]{2,}")


def _every_step(town):
    ticket = submitted(town)
    ticket = transitions.act(actor=town.staff, ticket=ticket, action="dispatch", org=town.property_company)
    ticket = transitions.act(actor=town.property_staff, ticket=ticket, action="accept")
    with transaction.atomic():
        for action in workflow.EVENT_LABELS:
            append_event(ticket, actor=town.staff, actor_role=Role.COMMUNITY_STAFF, action=action, reason="记录")
        append_event(ticket, actor=town.staff, actor_role=Role.COMMUNITY_STAFF, action="some_future_step", reason="记录")
    for user in (town.staff, town.property_staff, town.secretary, town.resident_user):
        user.name = "张三"
        user.save()
    return ticket


def _timeline_text(html):
    part = html.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    return re.sub(r"<[^>]+>", " ", part.split(">", 1)[1])


@pytest.mark.parametrize("who", ["staff", "resident_user"])
def test_ticket_page_timeline_has_no_action_code(client, town, who):
    ticket = _every_step(town)
    client.force_login(getattr(town, who))
    text = _timeline_text(client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode())
    assert "附议" in text and "记录" in text
    assert CODE.findall(text) == []


@pytest.mark.parametrize("who", ["staff", "resident_user"])
def test_api_timeline_labels_every_step(client, town, who):
    ticket = _every_step(town)
    client.force_login(getattr(town, who))
    timeline = client.get(f"/api/v1/tickets/{ticket.pk}").json()["timeline"]
    assert len(timeline) > len(workflow.TRANSITIONS)
    for event in timeline:
        assert not CODE.search(event["label"] + event["actor"]), event


def test_each_action_has_a_label_per_audience_and_parent_steps_too():
    for action, t in workflow.TRANSITIONS.items():
        assert workflow.event_label(action, workflow.STAFF) == t.label
        assert workflow.event_label(f"parent_{action}", workflow.RESIDENT)
    for action in ("report_in", "urge", "escalate", "whistle", "comment", "internal_note", "overdue", "remind", "cosign", "file"):
        assert action in workflow.EVENT_LABELS
    assert str(workflow.event_label("no_such_step")) == "处理记录"


def _label_of(town, ticket, action):
    event = ticket.events.filter(action=action).latest("seq")
    return str(selectors.event_actor_label(event, ticket))


def test_resident_sees_the_kind_of_unit_that_acted(town):
    by_property = submitted(town)
    by_property = transitions.act(actor=town.operator, ticket=by_property, action="dispatch", org=town.property_company)
    by_property = transitions.act(actor=town.property_staff, ticket=by_property, action="accept")
    by_property = transitions.act(actor=town.property_staff, ticket=by_property, action="resolve", reason="已修好")
    assert _label_of(town, by_property, "dispatch") == "12345热线"
    assert _label_of(town, by_property, "resolve") == "物业公司"
    transitions.act(actor=town.secretary, ticket=by_property, action="verify")
    assert _label_of(town, by_property, "verify") == "社区居委会"

    by_department = submitted(town)
    by_department = transitions.act(actor=town.staff, ticket=by_department, action="dispatch", org=town.department)
    assert _label_of(town, by_department, "dispatch") == "社区居委会"
    officer = make_user(Role.DEPARTMENT_OFFICER, town.department)
    by_department = transitions.act(actor=officer, ticket=by_department, action="accept")
    by_department = transitions.act(actor=officer, ticket=by_department, action="resolve", reason="已处理")
    assert _label_of(town, by_department, "resolve") == "协同治理部门"

    own = submitted(town)
    transitions.comment(actor=town.resident_user, ticket=own, body="谢谢")
    assert _label_of(town, own, "comment") == "您"


def test_a_summoned_department_reads_as_a_department_to_the_resident(client, town):
    from liulin.whistle.models import Summons
    from liulin.whistle.services import whistles

    ticket = transitions.act(actor=town.staff, ticket=submitted(town), action="dispatch", org=town.property_company)
    whistles.blow(actor=town.secretary, community=town.community, kind="progress", title="电梯长期故障", reason="多次反映未解决", tickets=[ticket],
                  departments=[town.department])
    summons = Summons.objects.get()
    whistles.report_in(actor=town.officer, summons=summons, on_site=True, actions="已到现场")
    whistles.record_actions(actor=town.officer, summons=summons, actions="已协调维保")
    whistles.verify_summons(actor=town.officer, summons=summons)
    for action in ("report_in", "summons_actions", "summons_verified"):
        assert _label_of(town, ticket, action) == "协同治理部门"
    client.force_login(town.resident_user)
    text = _timeline_text(client.get(reverse("whistle:ticket", args=[ticket.pk])).content.decode())
    assert "部门到场报到 · 协同治理部门" in " ".join(text.split())
    assert CODE.findall(text) == []
