"""core.workorders: listeners hear of an order only after the provider's step commits."""

import pytest
from django.db import transaction

from liulin.core import workorders

ORDER = workorders.WorkOrder(id=7, number="LF7", state="closed", state_label="已回访", ended=True, done=True)


@pytest.mark.django_db(transaction=True)
def test_listeners_run_after_commit_and_not_after_a_rollback():
    heard = []
    workorders.register_listener("test.origin", heard.append)
    workorders.register_listener("test.origin", heard.append)  # registering twice listens once
    with transaction.atomic():
        workorders.changed("test.origin", ORDER)
        assert heard == []
    assert heard == [ORDER]
    with pytest.raises(RuntimeError), transaction.atomic():
        workorders.changed("test.origin", ORDER)
        raise RuntimeError("the step failed")
    assert heard == [ORDER]
    workorders.changed("other.origin", ORDER)
    assert heard == [ORDER]


def test_the_platform_provider_is_registered():
    assert workorders.available()
    assert workorders.status([]) == {}
