"""A plain test that runs after a transactional one (worksteal makes that order possible) still
finds the rows the data migrations seeded, with content types under their first ids, and
new rows get ids past them (PostgreSQL's sequences)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from liulin.people.models import CareTag
from liulin.whistle.models import Category


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_ends_with_a_flush():
    # Whatever it finds (another transactional test may have emptied the database before it),
    # it leaves nothing: its teardown truncates every table.
    CareTag.objects.create(code="flush-test", name="清空测试")


@pytest.mark.django_db
def test_a_plain_test_after_it_finds_the_migrated_rows():
    assert Category.objects.exists()
    assert CareTag.objects.exists() and not CareTag.objects.filter(code="flush-test").exists()
    CareTag.objects.create(code="after-flush", name="清空之后")  # the id sequence is past the loaded rows
    assert ContentType.objects.get_for_model(Category) == ContentType.objects.get(app_label="whistle", model="category")
