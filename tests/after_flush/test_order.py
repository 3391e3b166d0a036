import pytest
from liulin.whistle.models import Category
from django.contrib.contenttypes.models import ContentType

@pytest.mark.django_db(transaction=True)
def test_a_flush():
    assert Category.objects.exists()

@pytest.mark.django_db
def test_b_after():
    assert Category.objects.exists()
    assert ContentType.objects.get_for_model(Category).pk
