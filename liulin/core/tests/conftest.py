import os

import pytest

from . import scratch


@pytest.fixture(scope="session")
def scratch_database(tmp_path_factory, worker_id):
    """The URL of a migrated database that subprocesses can open (tests/scratch.py)."""
    url = scratch.create(os.environ.get("DATABASE_URL", ""), worker_id, tmp_path_factory.mktemp("scratch"))
    yield url
    scratch.drop(url)
