"""Notices for steps no person takes (deadline breaches), for the verifying department,
and for requesters whose duplicate was merged into another request."""

import datetime

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle.models import State
from liulin.whistle.services import transitions
from liulin.whistle.tasks import sweep_deadlines
from liulin.whistle.tests.factories import actor_for, ticket_in_state

pytestmark = pytest.mark.django_db


def messages_for(user):
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


def test_a_resolve_breach_tells_the_handling_unit():
    ticket = ticket_in_state(State.IN_PROGRESS)
    handler = make_user(Role.PROPERTY_STAFF, ticket.handling_org)
    sweep_deadlines(ticket.resolve_due + datetime.timedelta(minutes=1))
    assert any("超过办结时限" in m for m in messages_for(handler))


def test_the_verifying_department_hears_when_a_result_awaits_it():
    department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT)
    officer = make_user(Role.DEPARTMENT_OFFICER, department)
    ticket = ticket_in_state(State.IN_PROGRESS, verify_org=department)
    transitions.act(actor=actor_for(ticket, Role.PROPERTY_STAFF), ticket=ticket, action="resolve", reason="已修好")
    assert messages_for(officer) == [f"工单 {ticket.number}（{ticket.category.name}）已办结，请核单。"]


def test_a_merged_duplicates_requester_follows_the_parent():
    parent = ticket_in_state(State.IN_PROGRESS)
    child = ticket_in_state(State.DISPATCHED, building=parent.building, category=parent.category)
    staff = actor_for(child, Role.COMMUNITY_STAFF)
    transitions.act(actor=staff, ticket=child, action="merge", parent=parent)
    Notification.objects.all().delete()
    transitions.act(actor=actor_for(parent, Role.PROPERTY_STAFF), ticket=parent, action="resolve", reason="已修好")
    assert messages_for(child.requester_user) == [f"与您的诉求 {child.number} 合并办理的同类诉求已办结，等待核单。"]


def test_a_notice_is_read_in_the_readers_language():
    """Stored with its values, translated when read: the same row in Chinese and in English."""
    from django.utils import translation

    ticket = ticket_in_state(State.IN_PROGRESS)
    transitions.act(actor=actor_for(ticket, Role.PROPERTY_STAFF), ticket=ticket, action="resolve", reason="已修好")
    notice = Notification.objects.about(ticket).filter(user=ticket.requester_user).first()  # the latest
    assert notice.kind == "whistle.ticket" and notice.url == f"/whistle/t/{ticket.pk}/"
    with translation.override("en"):
        assert notice.rendered().endswith(f"has resolved request {ticket.number}; awaiting verification.")
    with translation.override("zh-hans"):
        assert notice.rendered() == notice.message
