"""The demo: the article's elderly university and teams as rows, every figure counted."""

import pytest
from django.db.models import Count

from liulin.activities.models import Activity, Course, Enrolment, EnrolmentEvent, TeamPractice
from liulin.core import chain
from liulin.demo import facts
from liulin.demo.tests.fixtures import demo  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_elderly_university_as_rows(demo):  # noqa: F811
    classes = Activity.objects.filter(kind=Activity.Kind.CLASS)
    assert classes.count() == 7 and Course.objects.count() == 6
    enrolled = Enrolment.objects.filter(activity__in=classes, state=Enrolment.State.CONFIRMED)
    students = enrolled.values("resident").distinct()
    assert students.count() == facts.ELDERLY_UNIVERSITY_STUDENTS
    assert enrolled.filter(resident__is_party_member=True).values("resident").distinct().count() == facts.ELDERLY_UNIVERSITY_PARTY
    for activity in classes.annotate(n=Count("enrolments")):
        assert activity.taken == activity.n <= activity.capacity
    assert chain.verify(EnrolmentEvent, enrolled.first()) is None


def test_every_team_practises_somewhere_and_events_are_open(demo):  # noqa: F811
    assert TeamPractice.objects.values("team").distinct().count() == len(facts.CULTURE_TEAMS)
    events = Activity.objects.filter(kind=Activity.Kind.EVENT, state=Activity.State.OPEN)
    assert "智能手机分层分级培训课（初级）" in set(events.values_list("title", flat=True))


def test_a_selection_open_for_the_vote(demo):  # noqa: F811
    from liulin.activities.models import Nomination, Selection

    selection = Selection.objects.get()
    assert selection.state == Selection.State.VOTING and selection.is_demo
    assert Nomination.objects.filter(selection=selection, state="accepted").count() == 6
