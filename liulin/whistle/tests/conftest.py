import pytest

from liulin.whistle.tests.intake_fixtures import make_town


@pytest.fixture
def town(db):
    """The small community of intake_fixtures (a test module may define its own town)."""
    return make_town()
