"""企业社区督单: the owners' committee of a ticket's estate sees and urges it; other
estates' committees do not, and a committee never works on a ticket."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotFound, NotPermitted
from liulin.core.permissions import can
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.territory.tests.factories import EstateFactory
from liulin.whistle.models import State
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import ticket_in_state

pytestmark = pytest.mark.django_db


def committee_member(estate):
    committee = OrganisationFactory(kind=Organisation.Kind.OWNERS_COMMITTEE, estate=estate, community=estate.community)
    return make_user(Role.COMMITTEE_MEMBER, committee)


def test_the_estates_committee_sees_and_urges_but_does_not_handle():
    ticket = ticket_in_state(State.IN_PROGRESS)
    member = committee_member(ticket.building.estate)
    assert can(member, "whistle.view", ticket)
    transitions.urge(actor=member, ticket=ticket, reason="业主反映已拖了三天")
    ticket.refresh_from_db()
    assert ticket.urge_count == 1
    with pytest.raises(NotPermitted):
        transitions.act(actor=member, ticket=ticket, action="resolve", reason="代为办结")


def test_another_estates_committee_sees_nothing():
    ticket = ticket_in_state(State.IN_PROGRESS)
    outsider = committee_member(EstateFactory(community=ticket.community))
    assert not can(outsider, "whistle.view", ticket)
    with pytest.raises(NotFound):
        transitions.urge(actor=outsider, ticket=ticket, reason="催一下")
