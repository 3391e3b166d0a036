"""The same household answering twice at once (two family members' phones, or a double tap):
real threads released together, each on its own connection, on SQLite (a file, WAL,
IMMEDIATE) and PostgreSQL: one response is kept, the other is refused as already answered."""

import pytest

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Conflict
from liulin.core.roles import Role
from liulin.core.testing.concurrency import read_in_threads, run_at_once, threads_database
from liulin.people.tests.factories import ResidentFactory
from liulin.property import services
from liulin.property.models import Answer, Response

from .factories import Estate

pytestmark = pytest.mark.django_db(transaction=True)

SCORES = {"cleaning": 5, "security": 4, "greening": 4, "repairs": 2, "fees": 3}


def test_one_household_answering_twice_at_once_keeps_one_response(tmp_path):
    place = Estate()
    survey = place.open_survey()
    husband = place.owner()
    wife = make_user(Role.RESIDENT, resident=ResidentFactory(household=husband.resident.household))
    use = threads_database(tmp_path)

    def attempt(user):
        return lambda: services.answer(actor=user, survey=survey, scores=SCORES).pk

    results, errors = run_at_once([attempt(husband), attempt(wife), attempt(husband)], before=use)
    assert len([r for r in results if r]) == 1
    assert len(errors) == 2 and all(isinstance(e, Conflict) and e.code == "already_answered" for e in errors)
    responses, answers = read_in_threads(lambda: (
        Response.objects.filter(survey=survey).count(), Answer.objects.filter(response__survey=survey).count()), use)
    assert (responses, answers) == (1, 5)
