"""核单 by the collaborating department named on the category: it may see and verify the
ticket, but only the handling unit may work on it."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import NotPermitted
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.whistle import routing
from liulin.whistle.models import State
from liulin.whistle.services import transitions
from liulin.whistle.tests.factories import CategoryFactory, ticket_in_state

pytestmark = pytest.mark.django_db


def test_category_verifier_is_inherited_down_the_tree():
    department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT)
    parent = CategoryFactory(verify_org=department)
    child = CategoryFactory(parent=parent)
    assert routing.verify_org_for(child) == department
    assert routing.verify_org_for(CategoryFactory()) is None


def test_verifying_department_verifies_but_cannot_handle():
    department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT)
    resolved = ticket_in_state(State.RESOLVED, verify_org=department)
    officer = make_user(Role.DEPARTMENT_OFFICER, department)

    in_progress = ticket_in_state(State.DISPATCHED, verify_org=department)
    with pytest.raises(NotPermitted):
        transitions.act(actor=officer, ticket=in_progress, action="accept")

    transitions.act(actor=officer, ticket=resolved, action="verify")
    resolved.refresh_from_db()
    assert resolved.state == State.VERIFIED
    assert resolved.events.last().actor_role == Role.DEPARTMENT_OFFICER


def test_handling_unit_cannot_verify_its_own_work():
    resolved = ticket_in_state(State.RESOLVED)
    handler = make_user(Role.DEPARTMENT_OFFICER, resolved.handling_org)
    with pytest.raises(NotPermitted):
        transitions.act(actor=handler, ticket=resolved, action="verify")


def test_residents_timeline_names_the_verifying_department_not_the_handler():
    from liulin.whistle.selectors import event_actor_label

    department = OrganisationFactory(kind=Organisation.Kind.DEPARTMENT)
    ticket = ticket_in_state(State.RESOLVED, verify_org=department)
    transitions.act(actor=make_user(Role.DEPARTMENT_OFFICER, department), ticket=ticket, action="verify")
    labels = {e.action: event_actor_label(e, ticket) for e in ticket.events.all()}
    assert labels["resolve"] == "物业公司"
    assert labels["verify"] == "协同治理部门"
