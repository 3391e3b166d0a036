"""数据驾驶舱: each app's tile, its figures recounted here from the rows, scoped to the user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liulin.accounts.models import User

pytestmark = pytest.mark.django_db

STAFF = "19900000002"


def test_smoke(client, demo):
    client.force_login(User.objects.get(mobile=STAFF))
    with CaptureQueriesContext(connection) as q:
        r = client.get(reverse("dashboard:cockpit"))
    assert r.status_code == 200
    print(len(q.captured_queries), len(r.content))
    for t in r.context["tiles"]:
        print(t["key"], t["data"])
