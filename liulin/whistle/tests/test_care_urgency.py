"""A vulnerable caller raises the urgency: the care tags × categories rules (CareUrgencyRule,
seeded by a data migration, edited in admin) are applied at intake for every channel that
names the requester, and the emergency policy counts calendar time."""

import datetime
import zoneinfo

import pytest

from liulin.people.models import CareTag
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.whistle.models import CareUrgencyRule, Category, TicketEvent
from liulin.whistle.services import intake

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
BORN = datetime.date(1940, 3, 1)  # 86
SATURDAY_NIGHT = datetime.datetime(2026, 12, 5, 23, 36, tzinfo=BEIJING)


def _caller(town, *codes, name="王奶奶", mobile="13700000086"):
    resident = ResidentFactory(name=name, mobile=mobile, household=town.household, birth_date=BORN, id_number=make_id_number(BORN))
    resident.care_tags.set(CareTag.objects.filter(code__in=codes))
    return resident


def _file(town, requester, category="property-elevator", urgency="normal"):
    ticket, _ = intake.file_ticket(
        actor=town.operator, channel="hotline", category=category, urgency=urgency, requester=requester,
        description="老人一个人住六楼，电梯坏了下不了楼", household=town.household, now=SATURDAY_NIGHT,
    )
    return ticket


def test_default_rules_are_seeded_for_the_vulnerable_and_the_lift_water_power():
    pairs = set(CareUrgencyRule.objects.values_list("care_tag__name", "category__name"))
    assert pairs == {(tag, cat) for tag in ("独居老人", "高龄", "残疾") for cat in ("电梯故障", "停水", "停电")}
    assert set(CareUrgencyRule.objects.values_list("urgency", flat=True)) == {"emergency"}


def test_elderly_caller_living_alone_on_saturday_night_gets_the_urgent_limit_not_monday(town):
    ticket = _file(town, _caller(town, "living-alone-elderly", "advanced-age"))
    assert ticket.urgency == "emergency" and ticket.policy.code == "emergency"
    assert not ticket.policy.working_time  # an emergency counts calendar time: nights and weekends too
    assert ticket.state == "dispatched"
    assert ticket.accept_due == SATURDAY_NIGHT + datetime.timedelta(minutes=ticket.policy.accept_minutes)
    assert ticket.accept_due < datetime.datetime(2026, 12, 6, 0, 30, tzinfo=BEIJING)
    filed = TicketEvent.objects.get(ticket=ticket, action="file")
    assert filed.data["urgency_raised"]["from"] == "normal" and filed.data["urgency_raised"]["to"] == "emergency"
    assert "电梯故障" in filed.data["urgency_raised"]["reason"]


def test_the_same_call_from_an_untagged_caller_waits_for_monday(town):
    ticket = _file(town, _caller(town))
    assert ticket.urgency == "normal"
    assert ticket.accept_due.astimezone(BEIJING).date() == datetime.date(2026, 12, 7)  # Monday, on the work calendar


def test_a_rule_on_a_parent_category_covers_its_children_and_never_lowers(town):
    CareUrgencyRule.objects.all().delete()
    CareUrgencyRule.objects.create(care_tag=CareTag.objects.get(code="disability"), category=Category.objects.get(code="utilities"))
    caller = _caller(town, "disability")
    assert _file(town, caller, category="utilities-gas").urgency == "emergency"
    assert _file(town, caller, category="noise").urgency == "normal"
    assert intake.care_urgency(Category.objects.get(code="utilities-gas"), caller, "emergency") is None


def test_the_rules_are_data_an_administrator_edits_in_admin(client, town):
    """The back office lists the rules and adds one; intake applies the new rule at once."""
    from django.urls import reverse

    from liulin.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:whistle_careurgencyrule_changelist")).content.decode()
    assert "独居老人" in listing and "电梯故障" in listing
    assert client.get(reverse("admin:whistle_careurgencyrule_add")).status_code == 200
    caller = _caller(town, "serious-illness", name="李爷爷", mobile="13700000087")
    assert _file(town, caller, category="utilities-gas").urgency == "normal"

    added = client.post(reverse("admin:whistle_careurgencyrule_add"), {
        "care_tag": CareTag.objects.get(code="serious-illness").pk, "category": Category.objects.get(code="utilities-gas").pk,
        "urgency": "emergency",
    })
    assert added.status_code == 302, added.content.decode()[:2000]
    rule = CareUrgencyRule.objects.get(care_tag__code="serious-illness")
    assert client.get(reverse("admin:whistle_careurgencyrule_change", args=[rule.pk])).status_code == 200
    assert _file(town, caller, category="utilities-gas").urgency == "emergency"
