import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files in tests never touch the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def community(db):
    from liulin.territory.tests.factories import CommunityFactory

    return CommunityFactory()
