"""Other apps publish through core.publication and this app runs their notices: the kind's
period (lengthened, never shortened, by the app), who may object, objections naming an item
and answered as upheld or not, and the app's final step refused until the period is over and
every objection answered."""

import datetime

import pytest

from liulin.core import chain, publication
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.notices import services
from liulin.notices.models import Notice, NoticeEvent, Receipt, State

from .factories import at

D = datetime.date
ORIGIN = "tests.matter"
ITEMS = [(11, "王家"), (12, "李家")]


@pytest.fixture
def origin(world):
    """A test app whose objections must name an item, and only the first resident may object."""
    allowed = world.residents[0]
    publication.register_origin(publication.Origin(
        ORIGIN, kind="selection", label="评选", objectors="只有推荐人可以提出异议。",
        may_object=lambda user, subject_id: user.pk == allowed.pk, items=lambda subject_id: ITEMS))
    yield
    publication._origins.pop(ORIGIN, None)


def publish(world, *, now, days=None, subject_id=7):
    return publication.publish(actor=world.staff, origin=ORIGIN, subject_id=subject_id, community=world.community,
                               title="2024年好家风评选结果", body="王家、李家。", url="/activities/s/7/", days=days, now=now)


def test_publishing_runs_the_kinds_period_from_the_next_day_and_reaches_every_household(world, origin):
    found = publish(world, now=at(D(2024, 9, 27)))
    notice = Notice.objects.get(pk=found.id)
    assert (notice.state, notice.origin, notice.subject_id, notice.subject_url) == (State.PUBLISHED, ORIGIN, 7, "/activities/s/7/")
    assert found.last_day == D(2024, 10, 8)  # 5 calendar days from 28 Sep end on 2 Oct, a holiday: moved to the first working day
    assert found.running(at(D(2024, 10, 8), 23)) and not found.running(at(D(2024, 10, 9), 0))
    assert Receipt.objects.filter(notice=notice).count() == len(world.households)
    assert chain.verify(NoticeEvent, notice) is None


def test_an_app_may_lengthen_the_period_but_not_shorten_it(world, origin):
    assert publish(world, now=at(D(2024, 3, 4)), days=10).last_day == D(2024, 3, 14)
    assert publish(world, now=at(D(2024, 3, 4)), days=2, subject_id=8).last_day == D(2024, 3, 11)  # the kind's 5: Sat 9 March, moved past the weekend


def test_one_notice_per_subject(world, origin):
    publish(world, now=at(D(2024, 3, 4)))
    with pytest.raises(Exception):  # noqa: B017 - the database's unique constraint, whichever error class it raises
        publish(world, now=at(D(2024, 3, 5)))


def test_the_app_says_who_may_object_and_what_about(world, origin):
    found = publish(world, now=at(D(2024, 3, 4)))
    notice = Notice.objects.get(pk=found.id)
    with pytest.raises(NotPermitted) as refused:
        services.object_to(actor=world.residents[1], notice=notice, text="不同意", item="11", now=at(D(2024, 3, 5)))
    assert refused.value.code == "may_not_object"
    with pytest.raises(Invalid) as refused:
        services.object_to(actor=world.residents[0], notice=notice, text="不同意", item="99", now=at(D(2024, 3, 5)))
    assert refused.value.code == "item_required"
    objection = services.object_to(actor=world.residents[0], notice=notice, text="王家有违章搭建", item="11", now=at(D(2024, 3, 5)))
    assert (objection.item, objection.item_label) == ("11", "王家")
    assert notice.objections.count() == 1


def test_the_apps_final_step_waits_for_the_period_and_every_answer(world, origin):
    found = publish(world, now=at(D(2024, 3, 4)))
    notice = Notice.objects.get(pk=found.id)
    objection = services.object_to(actor=world.residents[0], notice=notice, text="王家有违章搭建", item="11", now=at(D(2024, 3, 5)))
    with pytest.raises(Conflict) as refused:
        publication.finalise(actor=world.staff, origin=ORIGIN, notice_id=found.id, now=found.ends_at - datetime.timedelta(seconds=1))
    assert refused.value.code == "window_open"
    with pytest.raises(Conflict) as refused:
        publication.finalise(actor=world.staff, origin=ORIGIN, notice_id=found.id, now=found.ends_at)
    assert refused.value.code == "objections_open"
    assert publication.status_of(found.id).open_objections == 1

    with pytest.raises(Invalid) as refused:
        services.answer(actor=world.staff, objection=objection, text="经核实属实")
    assert refused.value.code == "upheld_required"
    services.answer(actor=world.staff, objection=objection, text="经核实属实", upheld=True, now=at(D(2024, 3, 6)))
    done = publication.finalise(actor=world.staff, origin=ORIGIN, notice_id=found.id, now=found.ends_at)
    assert (done.state, done.open_objections, done.upheld) == (State.FINALISED, 0, frozenset({"11"}))
    again = publication.finalise(actor=world.staff, origin=ORIGIN, notice_id=found.id, now=found.ends_at + datetime.timedelta(days=1))
    assert again.state == State.FINALISED  # the app's step may be retried; the notice stays as it was finalised
    assert Notice.objects.get(pk=found.id).finalised_at == found.ends_at
    assert [e.actor_role for e in NoticeEvent.objects.filter(notice_id=found.id, action__in=["publish", "finalise"])] == [ORIGIN, ORIGIN]


def test_finalising_a_matter_never_published_is_refused(world, origin):
    with pytest.raises(Conflict) as refused:
        publication.finalise(actor=world.staff, origin=ORIGIN, notice_id=None)
    assert refused.value.code == "not_published"


def test_a_notice_written_by_hand_takes_objections_about_the_whole_notice(world):
    from .factories import notice_in_state

    notice = notice_in_state(world, State.PUBLISHED)
    objection = services.object_to(actor=world.residents[1], notice=notice, text="名单有误", item="11")
    assert objection.item == "" and services.items_of(notice) == []
    services.answer(actor=world.staff, objection=objection, text="已核实", upheld=True)
    objection.refresh_from_db()
    assert objection.upheld is None  # nothing named, nothing upheld


def test_the_notice_page_offers_the_items_and_links_back(world, origin, client):
    found = publish(world, now=None)
    client.force_login(world.residents[0])
    page = client.get(f"/notices/{found.id}/").content.decode()
    assert 'href="/activities/s/7/"' in page and 'value="11"' in page and "只有推荐人可以提出异议。" in page
