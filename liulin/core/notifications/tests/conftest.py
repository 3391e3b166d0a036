import pytest
from django_tasks import default_task_backend

from liulin.core.notifications import kinds

TEST_KIND = "test.kind"
OTHER_KIND = "test.other"


@pytest.fixture(autouse=True)
def _test_kinds():
    kinds.register(TEST_KIND, "测试消息")
    kinds.register(OTHER_KIND, "其他测试消息")
    yield
    kinds.KINDS.pop(TEST_KIND, None)
    kinds.KINDS.pop(OTHER_KIND, None)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def dummy_tasks(settings):
    """A task backend that only records what was queued (and when it may run)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()
