"""The demo community's party building: the article's 8 partner units with agreements, the
five 五联 dimensions in use, and lists, members and wishes whose figures come from rows."""

import pytest

from liulin.core import chain
from liulin.demo.tests.fixtures import demo  # noqa: F401
from liulin.partybuilding import selectors
from liulin.partybuilding.models import Need, Partnership, Project, Registration, Wish, WishEvent

pytestmark = pytest.mark.django_db


def test_eight_partner_units_reported_in(demo):  # noqa: F811
    partnerships = Partnership.objects.filter(community=demo.community)
    assert partnerships.count() == 8 and len({p.receipt_no for p in partnerships}) == 8
    assert all(p.org.kind == "partner_unit" and p.is_demo for p in partnerships)


def test_lists_members_and_wishes_are_seeded_through_the_workflow(demo):  # noqa: F811
    staff = demo.users["19900000002"]
    figures = selectors.figures(staff)
    assert figures["needs"] == {"open": 2, "matched": 1, "met": 2}
    assert figures["wishes"]["fulfilled"] == 2
    assert sum(k["count"] for k in figures["activities_by_kind"]) == 10
    assert all(k["count"] for k in figures["activities_by_kind"])
    assert Registration.objects.filter(community=demo.community, state="confirmed").count() == 16
    wheelchair = Wish.objects.get(title="修好轮椅")
    assert wheelchair.state == "fulfilled" and wheelchair.beneficiary == demo.users["19900000014"].resident
    assert chain.verify(WishEvent, wheelchair) is None
    assert Need.objects.filter(is_demo=False).count() == 0
    running = Project.objects.get(need__title="暑期孩子无人看护")
    assert (running.volunteers, running.volunteers_needed, running.members.count()) == (2, 4, 2)


def test_partner_contact_of_the_demo_sees_his_unit_only(demo):  # noqa: F811
    contact = demo.users["19900000008"]  # the first partner unit's contact in the demo logins
    registrations = list(selectors.registrations_for(contact))
    assert registrations and {r.org_id for r in registrations} == {demo.orgs["望城区人民医院第三党支部"].pk}
