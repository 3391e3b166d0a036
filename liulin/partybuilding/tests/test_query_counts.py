"""List pages read a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liulin.partybuilding import services
from liulin.partybuilding.models import Category, Wish

from .factories import DAY, member

pytestmark = pytest.mark.django_db


def _add_rows(world, n):
    for i in range(n):
        world.need()
        world.wish(state=Wish.State.COLLECTED)
        world.wish()
        user, registration = member(world.grid, world.org, confirmed=i % 2 == 0)
        if i % 2 == 0:
            services.log_service(actor=user, registration=registration, category=Category.CARE, served_on=DAY, minutes=30,
                                 description="探访", beneficiary=world.beneficiary.resident)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["staff", "contact", "member"])
def test_list_pages_do_not_grow_with_rows(world, client, who):
    client.force_login(getattr(world, who))
    urls = [reverse("partybuilding:home"), reverse("partybuilding:members"), reverse("partybuilding:figures"),
            reverse("partybuilding:public", args=[world.community.pk]),
            reverse("partybuilding:public_wishes", args=[world.community.pk])]
    _add_rows(world, 1)
    before = {url: _queries(client, url) for url in urls}
    _add_rows(world, 5)
    after = {url: _queries(client, url) for url in urls}
    assert after == before
