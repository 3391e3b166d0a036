"""A committee decision published as a 公告 in the 公示栏 (core.publication, kind owners_decision):
the notice carries the decision and its count and no member's name; the committee's page and
the API link it; an owner of the estate reads it in /notices/ and may object, a tenant or an
owner of another estate may not; a refused publication (rejected, already published, by a
resident) writes no notice; a late one is still made and marked late."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from liulin.core import calendar
from liulin.core.errors import Conflict, NotFound, NotPermitted
from liulin.deliberation import committees
from liulin.deliberation.models import CommitteeDecision, DecisionState
from liulin.notices import services as notices
from liulin.notices.models import Notice
from liulin.territory.tests.factories import BuildingFactory, EstateFactory

from .factories import resident_user
from .test_committees import committee, held, new_term  # noqa: F401

DECISION_TEXT = "同意续聘物业服务企业，合同期两年"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def decided(world, committee, *, choice="for"):  # noqa: F811
    term = new_term(world, committee)
    seats = list(term.seats.all())
    meeting = committees.hold_meeting(actor=world.staff, term=term, topic="续聘物业", held_at=held(term), present=seats[:4],
                                      motions=[(DECISION_TEXT, {s: choice for s in seats[:4]})])
    return term, meeting.decisions.get()


def on_day(day, hour=10):
    return calendar.start_of_day(day) + datetime.timedelta(hours=hour)


def test_publishing_puts_the_decision_in_the_notices_without_names(world, committee):  # noqa: F811
    term, decision = decided(world, committee)
    at = on_day(decision.publish_by)
    committees.publish_decision(actor=world.staff, decision=decision, now=at)
    decision = CommitteeDecision.objects.get(pk=decision.pk)
    notice = Notice.objects.get(pk=decision.notice_id)
    assert (decision.state, decision.published_at) == (DecisionState.PUBLISHED, at)
    assert (notice.origin, notice.subject_id, notice.kind.code, notice.community_id, notice.state) == (
        committees.ORIGIN, decision.pk, "owners_decision", world.community.pk, "published")
    assert notice.published_at == at and not committees.published_late(decision)
    version = notice.versions.get()
    assert committee.name in version.title
    assert DECISION_TEXT in version.body and "续聘物业" in version.body
    assert "全体委员 5 人，出席 4 人；同意 4 人，反对 0 人，弃权 0 人" in version.body
    for seat in term.seats.all():
        assert seat.name not in version.title + version.body
    assert term.events.order_by("-seq").first().data["notice"] == notice.pk


def test_the_committee_page_and_the_api_link_the_notice(world, committee):  # noqa: F811
    term, decision = decided(world, committee)
    staff = client_for(world.staff)
    page = staff.get(reverse("deliberation:committee_term", args=[term.pk])).content.decode()
    assert f"decision-notice-{decision.pk}" not in page
    staff.post(reverse("deliberation:committee_publish", args=[decision.pk]))
    notice_id = CommitteeDecision.objects.get(pk=decision.pk).notice_id
    page = staff.get(reverse("deliberation:committee_term", args=[term.pk])).content.decode()
    assert f'data-testid="decision-notice-{decision.pk}"' in page and f'href="/notices/{notice_id}/"' in page
    r = staff.get(f"/api/v1/deliberation/committee-terms/{term.pk}/meetings")
    assert r.json()["items"][0]["decisions"][0]["notice_id"] == notice_id


def test_an_owner_of_the_estate_reads_and_objects_others_may_not(world, committee):  # noqa: F811
    _term, decision = decided(world, committee)
    committees.publish_decision(actor=world.staff, decision=decision)
    notice = Notice.objects.get(pk=CommitteeDecision.objects.get(pk=decision.pk).notice_id)
    owner = resident_user(world.building)
    reader = client_for(owner)
    assert notice.versions.get().title in reader.get("/notices/").content.decode()
    r = reader.get(f"/notices/{notice.pk}/")
    assert r.status_code == 200 and DECISION_TEXT in r.content.decode()
    assert committees.may_object(owner, decision.pk)
    notices.object_to(actor=owner, notice=notice, text="续聘前应先公开招标")
    tenant = resident_user(world.building, relation="tenant")
    other_estate = BuildingFactory(estate=EstateFactory(community=world.community), grid=world.building.grid)
    neighbour = resident_user(other_estate)
    for user in (tenant, neighbour, world.staff):
        assert not committees.may_object(user, decision.pk)
        with pytest.raises(NotPermitted) as e:
            notices.object_to(actor=user, notice=notice, text="反对")
        assert e.value.code == "may_not_object"
    assert notice.objections.count() == 1


@pytest.mark.parametrize("case", ["rejected", "published", "resident"])
def test_a_refused_publication_writes_no_notice(world, committee, case):  # noqa: F811
    _term, decision = decided(world, committee, choice="against" if case == "rejected" else "for")
    if case == "published":
        committees.publish_decision(actor=world.staff, decision=decision)
    before = set(Notice.objects.values_list("pk", flat=True))
    actor = resident_user(world.building) if case == "resident" else world.staff
    with pytest.raises((Conflict, NotFound, NotPermitted)):
        committees.publish_decision(actor=actor, decision=CommitteeDecision.objects.get(pk=decision.pk))
    assert set(Notice.objects.values_list("pk", flat=True)) == before
    after = CommitteeDecision.objects.get(pk=decision.pk)
    assert after.state == {"rejected": "rejected", "published": "published", "resident": "recorded"}[case]
    assert (after.notice_id is None) == (case != "published")


def test_a_late_publication_is_still_made_and_marked_late(world, committee):  # noqa: F811
    _term, decision = decided(world, committee)
    committees.publish_decision(actor=world.staff, decision=decision,
                                now=on_day(decision.publish_by + datetime.timedelta(days=1)))
    decision = CommitteeDecision.objects.get(pk=decision.pk)
    assert committees.published_late(decision) and Notice.objects.filter(pk=decision.notice_id).exists()
