import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the flushing test first, as worksteal may on any worker."""
    items.sort(key=lambda item: 0 if "flush" in item.name else 1)
