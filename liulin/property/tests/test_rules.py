"""The rules of 物业监督 with their boundaries: contracts, one survey a year, scores and the
80 % target computed from the rows, supervisors, and an inspection's failed item becoming a
work order with its photo."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liulin.core import plugins
from liulin.core.attachments.selectors import for_owner
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.property import selectors, services
from liulin.property.models import InspectionItem, Scale, SurveyState
from liulin.whistle.models import Ticket
from liulin.whistle.tests.factories import CategoryFactory

from .factories import YEAR, Estate

pytestmark = pytest.mark.django_db

ALL = ("cleaning", "security", "greening", "repairs", "fees")


def scores(value, **overrides):
    return {code: overrides.get(code, value) for code in ALL}


def test_contract_rules():
    place = Estate()
    with pytest.raises(Conflict):  # the estate already has a contract for these years
        services.create_contract(actor=place.staff, estate=place.estate, company=place.company,
                                 starts_on=datetime.date(YEAR + 1, 1, 1), ends_on=datetime.date(YEAR + 3, 1, 1), fee_fen=100)
    with pytest.raises(Invalid):  # ends before it starts
        services.create_contract(actor=place.staff, estate=place.estate, company=place.company,
                                 starts_on=datetime.date(YEAR + 5, 1, 1), ends_on=datetime.date(YEAR + 5, 1, 1), fee_fen=100)
    with pytest.raises(Invalid):  # fen, never negative
        services.create_contract(actor=place.staff, estate=place.estate, company=place.company,
                                 starts_on=datetime.date(YEAR + 5, 1, 1), ends_on=datetime.date(YEAR + 6, 1, 1), fee_fen=-1)
    with pytest.raises(NotPermitted):  # the company reads its contract but does not write one
        services.create_contract(actor=place.users["property_staff"], estate=place.estate, company=place.company,
                                 starts_on=datetime.date(YEAR + 5, 1, 1), ends_on=datetime.date(YEAR + 6, 1, 1), fee_fen=100)
    other = Estate()
    with pytest.raises(NotFound):  # another community's staff cannot see the estate
        services.create_contract(actor=other.staff, estate=place.estate, company=place.company,
                                 starts_on=datetime.date(YEAR + 5, 1, 1), ends_on=datetime.date(YEAR + 6, 1, 1), fee_fen=100)
    assert [i.name for i in place.contract.scope_items.all()][0] == "楼道及公共区域保洁"
    assert list(selectors.contracts_for(place.users["property_staff"])) == [place.contract]
    assert list(selectors.contracts_for(other.users["property_staff"])) == [other.contract]


def test_one_survey_per_estate_and_year_and_a_contract_needed():
    place = Estate()
    place.survey()
    with pytest.raises(Conflict):
        place.survey()
    with pytest.raises(Conflict):  # no contract in 2020
        services.create_survey(actor=place.staff, estate=place.estate, year=2020)
    with pytest.raises(Invalid):
        services.create_survey(actor=place.staff, estate=place.estate, year=YEAR + 1, target_pct=101)


def test_answers_are_checked_and_only_while_open():
    place = Estate()
    survey = place.survey()
    owner = place.users["resident"]
    with pytest.raises(NotFound):  # a draft is not there for residents
        services.answer(actor=owner, survey=survey, scores=scores(5))
    survey = services.act(actor=place.staff, survey=survey, action="open")
    for bad in (scores(6), scores(0), {"cleaning": 5}, {**scores(5), "lift": 3}):
        with pytest.raises(Invalid):
            services.answer(actor=owner, survey=survey, scores=bad)
    outsider = Estate().users["resident"]
    with pytest.raises(NotFound):
        services.answer(actor=outsider, survey=survey, scores=scores(5))
    services.answer(actor=owner, survey=survey, scores=scores(4))
    with pytest.raises(Conflict):
        services.answer(actor=owner, survey=survey, scores=scores(4))
    services.act(actor=place.staff, survey=survey, action="close")
    with pytest.raises(Conflict):
        services.answer(actor=place.owner(), survey=survey, scores=scores(5))


def test_results_per_dimension_and_the_80_percent_boundary():
    place = Estate()
    survey = place.open_survey()
    # Ten households: eight satisfied (4 or 5) with cleaning, two not (3 counts as not satisfied);
    # five of them unhappy with the fees (2).
    for i in range(10):
        value = 5 if i < 4 else 4 if i < 8 else 3
        services.answer(actor=place.owner(), survey=survey, scores=scores(value, fees=2 if i < 5 else 4))
    result = selectors.results(survey)
    by = {d.code: d for d in result.dimensions}
    assert (by["cleaning"].satisfied, by["cleaning"].answered, by["cleaning"].pct) == (8, 10, "80.0%")
    assert (by["fees"].satisfied, by["fees"].pct) == (5, "50.0%")
    assert (result.overall.satisfied, result.overall.answered) == (8 * 4 + 5, 50)
    assert result.overall.pct == "74.0%" and not result.meets_target
    assert result.responses == 10 and result.households == 11  # the fixture's first owner did not answer
    survey.target_pct = 74
    survey.save(update_fields=["target_pct"])
    assert selectors.results(survey).meets_target  # exactly at the target counts as met


def test_yes_no_scale():
    place = Estate()
    survey = place.open_survey(scale=Scale.YES_NO)
    services.answer(actor=place.owner(), survey=survey, scores=scores(1))
    services.answer(actor=place.owner(), survey=survey, scores=scores(1, repairs=0))
    with pytest.raises(Invalid):
        services.answer(actor=place.owner(), survey=survey, scores=scores(4))
    result = selectors.results(survey)
    assert (result.overall.satisfied, result.overall.answered) == (9, 10)


def test_published_satisfaction_shows_beside_the_companys_three_rates():
    place = Estate()
    survey = place.open_survey()
    for value in (5, 4, 4, 3):
        services.answer(actor=place.owner(), survey=survey, scores=scores(value))
    services.act(actor=place.staff, survey=survey, action="close")
    assert selectors.satisfaction_beside_units([place.company.pk]) == {}  # not yet published
    services.act(actor=place.staff, survey=survey, action="publish")
    event = survey.events.get(action="publish")
    assert event.data["satisfied"] == 15 and event.data["answered"] == 20 and event.data["met"] is False
    columns = dict(plugins.unit_figures([place.company.pk]))
    [text] = [values[place.company.pk] for values in columns.values()]
    assert "75.0%" in text and str(YEAR) in text
    assert SurveyState.PUBLISHED == survey.state


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 160, 40)).save(out, "JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_supervisor_inspection_failed_item_becomes_a_work_order(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                         "OPTIONS": {"location": str(tmp_path)}}}
    place = Estate()
    owner = place.users["resident"]
    items = list(place.contract.scope_items.all())
    checks = [(item, True, "", []) for item in items]
    with pytest.raises(NotPermitted):  # not yet appointed
        services.record_inspection(actor=owner, estate=place.estate, checks=checks)
    with pytest.raises(Invalid):  # a supervisor lives in the estate
        services.appoint_supervisor(actor=place.staff, estate=place.estate, user=Estate().users["resident"])
    services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    with pytest.raises(Conflict):
        services.appoint_supervisor(actor=place.staff, estate=place.estate, user=owner)
    category = CategoryFactory()
    failed = [(items[0], False, "楼道堆放杂物未清理", [_photo()]), *checks[1:]]
    with pytest.raises(Invalid):  # a failed item needs a note
        services.record_inspection(actor=owner, estate=place.estate, category=category.code,
                                   checks=[(items[0], False, "", []), *checks[1:]])
    with pytest.raises(Invalid):  # every item of the checklist
        services.record_inspection(actor=owner, estate=place.estate, checks=checks[1:])
    with pytest.raises(Invalid):  # a category for the work order
        services.record_inspection(actor=owner, estate=place.estate, checks=failed)
    failed = [(items[0], False, "楼道堆放杂物未清理", [_photo()]), *checks[1:]]
    inspection = services.record_inspection(actor=owner, estate=place.estate, checks=failed, category=category.code)
    line = InspectionItem.objects.get(inspection=inspection, passed=False)
    ticket = Ticket.objects.get(pk=line.work_order_id)
    assert ticket.channel == "property" and line.work_order_number == ticket.number
    assert for_owner(line, "inspection").count() == 1
    assert InspectionItem.objects.filter(inspection=inspection, passed=True).count() == len(items) - 1
    assert selectors.inspection_for(place.users["property_staff"], inspection.pk) == inspection
    assert selectors.inspection_for(owner, inspection.pk) == inspection  # the supervisor reads his own
    with pytest.raises(NotFound):
        selectors.inspection_for(Estate().staff, inspection.pk)
    [supervisor] = selectors.supervisors_for(place.staff)
    services.end_supervisor(actor=place.staff, supervisor=supervisor)
    with pytest.raises(NotPermitted):
        services.record_inspection(actor=owner, estate=place.estate, checks=checks)
