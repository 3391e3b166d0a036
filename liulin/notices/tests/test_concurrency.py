"""Races on one notice: two staff answering one objection at the same moment answer it once;
publishing twice at once publishes once (one period, one set of receipts)."""

import pytest

from liulin.core.errors import Conflict
from liulin.core.testing.concurrency import run_at_once, threads_database
from liulin.core.workflow import IllegalTransition
from liulin.notices import services
from liulin.notices.models import Channel, NoticeEvent, Objection, Receipt, State

from .factories import draft, make_world, notice_in_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_one_objection_answered_once(dummy_tasks, tmp_path):
    world = make_world()
    notice = notice_in_state(world, State.PUBLISHED)
    objection = services.object_to(actor=world.residents[0], notice=notice, text="异议")

    def answer(text):
        return lambda: services.answer(actor=world.staff, objection=objection, text=text)

    use_database = threads_database(tmp_path)
    results, errors = run_at_once([answer("甲"), answer("乙"), answer("丙")], before=use_database)
    assert len([r for r in results if r is not None]) == 1
    assert len(errors) == 2 and all(isinstance(e, Conflict) and e.code == "already_answered" for e in errors)
    [counts], errors = run_at_once([lambda: (NoticeEvent.objects.filter(notice=notice, action="answer").count(),
                                             Objection.objects.get(pk=objection.pk).answer)], before=use_database)
    assert errors == [] and counts[0] == 1 and counts[1] in {"甲", "乙", "丙"}


def test_published_once(dummy_tasks, tmp_path):
    world = make_world()
    notice = draft(world)

    def publish():
        return services.act(actor=world.staff, notice=notice, action="publish")

    use_database = threads_database(tmp_path)
    results, errors = run_at_once([publish, publish], before=use_database)
    assert len([r for r in results if r is not None]) == 1
    assert len(errors) == 1 and isinstance(errors[0], IllegalTransition | Conflict)
    [counts], errors = run_at_once([lambda: (NoticeEvent.objects.filter(notice=notice, action="publish").count(),
                                             Receipt.objects.filter(notice=notice, channel=Channel.IN_APP).count())],
                                   before=use_database)
    assert errors == [] and counts == (1, len(world.households))
