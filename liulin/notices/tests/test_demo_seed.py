"""The demo: a 低保 notice on public notice with no name or room, a finalised 四议两公开
decision, a catalogue with one item overdue; a second run writes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from liulin.accounts.models import User
from liulin.demo.seed import seed_demo
from liulin.notices.demo_seed import SECRETARY
from liulin.notices.models import Notice, Receipt, State
from liulin.notices.selectors import schedule
from liulin.people.models import Resident


@pytest.mark.django_db
def test_demo_notices():
    seed_demo()
    dibao = Notice.objects.get(kind__code="dibao", is_demo=True)
    assert dibao.state == State.PUBLISHED
    assert Notice.objects.get(kind__code="four_two", is_demo=True).state == State.FINALISED
    assert Receipt.objects.filter(notice=dibao).values("household").distinct().count() > 0
    page = Client().get(reverse("notices:public", args=[dibao.pk])).content.decode()
    assert "演示" in page
    for name, room in Resident.objects.filter(household__community=dibao.community).values_list("name", "household__room")[:200]:
        assert name not in page and f"{room}室" not in page
    secretary = User.objects.get(mobile=SECRETARY)
    overdue = {item.title for item, _last, _due, late in schedule(secretary) if late}
    assert overdue == {"社区财务收支"}
    count = Notice.objects.count()
    seed_demo()
    assert Notice.objects.count() == count
