"""The demo 物业监督: every demo estate under contract, last year's survey published with
figures computed from the generated answers, this year's open to the demo family, who is
the estate's supervisor; a second run writes nothing."""

import pytest

from liulin.core import chain, clock
from liulin.demo.tests.fixtures import demo  # noqa: F401
from liulin.property import demo_seed, selectors
from liulin.property.models import Response, ServiceContract, Supervisor, Survey, SurveyEvent

pytestmark = pytest.mark.django_db


def test_demo_property(demo):  # noqa: F811
    year = clock.today().year
    estates = {b.estate_id for b in demo.buildings.values()}
    assert set(ServiceContract.objects.values_list("estate_id", flat=True)) == estates
    published = list(Survey.objects.filter(year=year - 1))
    assert len(published) == len(estates) and all(s.state == "published" and s.is_demo for s in published)
    result = selectors.results(published[0])
    assert 0 < result.responses < result.households
    assert result.overall.answered == 5 * result.responses
    assert 0 < result.overall.satisfied < result.overall.answered
    assert chain.verify(SurveyEvent, published[0]) is None
    family = demo.users[demo_seed.FAMILY_ACCOUNT]
    [open_survey] = selectors.surveys_for(family).filter(year=year)
    assert open_survey.state == "open"
    assert Supervisor.objects.filter(user=family, ended_at__isnull=True).exists()
    shown = selectors.satisfaction_beside_units([published[0].company_id])
    assert str(year - 1) in shown[published[0].company_id]
    before = (Response.objects.count(), Survey.objects.count(), ServiceContract.objects.count())
    demo_seed.seed(demo)
    assert (Response.objects.count(), Survey.objects.count(), ServiceContract.objects.count()) == before
