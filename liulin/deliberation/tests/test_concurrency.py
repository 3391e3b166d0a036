"""One sign-in per person, one ballot per attendee: the same person twice at the same moment
(two phones, a double scan, staff signing an elder in while he scans) leaves one row."""

import pytest

from liulin.core.errors import Conflict
from liulin.core.testing.concurrency import run_at_once, threads_database
from liulin.deliberation import services
from liulin.deliberation.models import Attendance, Ballot, MeetingEvent, State

from .factories import make_world, meeting_in_state, resident_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_the_same_person_signing_in_twice_at_once_signs_in_once(dummy_tasks, tmp_path):
    world = make_world()
    meeting = meeting_in_state(world, State.IN_SESSION)
    user = resident_user(world.building)

    def by_qr():
        return services.sign_in(actor=user, meeting=meeting, token=meeting.sign_in_token)

    def by_staff():
        return services.sign_in_for(actor=world.staff, meeting=meeting, resident=user.resident)

    use_database = threads_database(tmp_path)
    results, errors = run_at_once([by_qr, by_qr, by_staff], before=use_database)
    assert errors == []
    assert len({attendance.pk for attendance, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, True]
    [counts], errors = run_at_once([lambda: (Attendance.objects.filter(meeting=meeting).count(),
                                             MeetingEvent.objects.filter(meeting=meeting, action="sign_in").count())],
                                   before=use_database)
    assert errors == [] and counts == (1, 1)


def test_the_same_voter_voting_twice_at_once_counts_once(dummy_tasks, tmp_path):
    world = make_world()
    meeting = meeting_in_state(world, State.IN_SESSION)
    user = resident_user(world.building)
    services.sign_in(actor=user, meeting=meeting, token=meeting.sign_in_token)
    poll = services.open_poll(actor=world.staff, meeting=meeting, question="修灯？")
    agree, _, disagree = poll.options.all()

    def vote(option):
        return lambda: services.cast_ballot(actor=user, poll=poll, option_ids=[option.pk])

    use_database = threads_database(tmp_path)
    results, errors = run_at_once([vote(agree), vote(disagree), vote(agree)], before=use_database)
    assert len([r for r in results if r is not None]) == 1
    assert len(errors) == 2 and all(isinstance(e, Conflict) and e.code == "already_voted" for e in errors)
    [count], errors = run_at_once([lambda: Ballot.objects.filter(poll=poll).count()], before=use_database)
    assert errors == [] and count == 1
