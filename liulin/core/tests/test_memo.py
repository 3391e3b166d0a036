"""core.memo: remembered until a row changes in this process, or the time limit passes."""

import pytest

from liulin.core import memo
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

calls = []


@memo.memoized(Organisation, ttl=60)
def _name_of(org_id):
    calls.append(org_id)
    return Organisation.objects.get(pk=org_id).name


@pytest.fixture(autouse=True)
def _fresh():
    calls.clear()


def test_a_result_is_remembered_per_argument():
    a, b = OrganisationFactory(name="甲物业"), OrganisationFactory(name="乙物业")
    assert [_name_of(a.pk), _name_of(a.pk), _name_of(b.pk)] == ["甲物业", "甲物业", "乙物业"]
    assert calls == [a.pk, b.pk]


def test_saving_or_deleting_a_row_of_the_model_forgets():
    org = OrganisationFactory(name="甲物业")
    assert _name_of(org.pk) == "甲物业"
    org.name = "丙物业"
    org.save()
    assert _name_of(org.pk) == "丙物业"
    other = OrganisationFactory()
    _name_of(org.pk)
    other.delete()
    _name_of(org.pk)
    assert calls == [org.pk] * 4  # first read, after the rename, after the create, after the delete


def test_a_change_no_signal_reports_is_seen_after_the_time_limit(monkeypatch):
    org = OrganisationFactory(name="甲物业")
    assert _name_of(org.pk) == "甲物业"
    Organisation.objects.filter(pk=org.pk).update(name="丁物业")  # another node, or a bulk update
    assert _name_of(org.pk) == "甲物业"
    later = memo.time.monotonic() + 61
    monkeypatch.setattr(memo.time, "monotonic", lambda: later)
    assert _name_of(org.pk) == "丁物业"
