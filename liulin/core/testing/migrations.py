"""Data-migration tests: move the test database to a named state, look at the historical
models there, and leave it at the latest migration of every app whatever happened."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app, migration), ...]); the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_now():
    """Leave the database at the current schema: the latest migration of every app, not only
    of those the test moved, or the next test's flush meets tables of an older state."""
    yield
    migrate(latest())
