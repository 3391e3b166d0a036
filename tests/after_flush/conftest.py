from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """This directory's two tests first in the session, the flushing one before the plain one
    (as worksteal may order them on any worker): both land at the head of the first worker's
    queue, and stealing takes from a queue's tail."""

    def place(item):
        if item.path.parent != HERE:
            return 2
        return 0 if "flush" in item.name else 1

    items.sort(key=place)
