import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liulin.accounts.tests.factories import make_user
from liulin.core.attachments.models import Attachment
from liulin.core.errors import Conflict, DomainError, Invalid, NotFound, NotPermitted, TooLarge
from liulin.core.roles import Role
from liulin.territory.tests.factories import CommunityFactory
from liulin.whistle import events, selectors
from liulin.whistle.models import Channel, State, Ticket, TicketEvent
from liulin.whistle.services import intake

from .intake_fixtures import BASE_LAT, BASE_LON, make_town

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=LOCAL)  # a Monday morning


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def file(town, actor=None, **kw):
    args = {
        "actor": actor or town.resident_user,
        "channel": Channel.SELF_SERVICE,
        "category": "property-elevator",
        "description": "1栋电梯坏了，老人下不了楼",
        "household": town.household,
        "now": NOW,
    }
    args.update(kw)
    return intake.file_ticket(**args)


def counts(settings):
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []
    return Ticket.objects.count(), TicketEvent.objects.count(), Attachment.objects.count(), len(files)


# --- the happy paths ------------------------------------------------------------------


def test_resident_files_for_himself_and_it_is_dispatched_to_the_property_company(town):
    ticket, created = file(town, photos=[jpeg()])
    assert created
    assert ticket.number == f"LF20260316{ticket.pk:05d}"
    assert ticket.requester == town.resident and ticket.requester_user == town.resident_user
    assert (ticket.grid, ticket.community) == (town.grid1, town.community)
    assert ticket.contact_phone == "13812345678"
    assert ticket.state == State.DISPATCHED and ticket.handling_org == town.property_company
    assert ticket.policy.code == "normal"
    assert ticket.accept_due == datetime.datetime(2026, 3, 16, 11, 0, tzinfo=LOCAL)
    assert [p.stage for p in selectors.photos(ticket)] == ["intake"]
    actions = list(ticket.events.values_list("action", "actor_id", "to_state"))
    assert actions == [("file", town.resident_user.pk, State.SUBMITTED), ("dispatch", None, State.DISPATCHED)]
    first = ticket.events.get(seq=1)
    assert first.data["channel"] == Channel.SELF_SERVICE
    assert ticket.events.get(seq=2).data["auto"] is True
    assert events.verify_chain(ticket) is None


def test_numbers_carry_the_filing_day_and_are_unique(town):
    first, _ = file(town)
    second, _ = file(town, description="电梯又停了")
    next_day, _ = file(town, now=NOW + datetime.timedelta(days=1))
    assert [first.number, second.number, next_day.number] == [
        f"LF20260316{first.pk:05d}", f"LF20260316{second.pk:05d}", f"LF20260317{next_day.pk:05d}"
    ]


def test_hotline_call_for_a_registered_caller(town):
    started = NOW - datetime.timedelta(minutes=4)
    ticket, _ = file(
        town, actor=town.operator, channel=Channel.HOTLINE, requester=town.resident, call_started_at=started, call_ended_at=NOW
    )
    assert ticket.filed_by == town.operator
    assert ticket.requester_user == town.resident_user  # the caller follows it in "my requests"
    assert (ticket.call_started_at, ticket.call_ended_at) == (started, NOW)


def test_call_ending_before_it_started_is_refused(town):
    with pytest.raises(Invalid) as error:
        file(town, actor=town.operator, channel=Channel.HOTLINE, call_started_at=NOW, call_ended_at=NOW - datetime.timedelta(1))
    assert error.value.code == "invalid_call_times"


def test_grid_patrol_reports_a_point_without_a_requester(town):
    ticket, _ = file(
        town, actor=town.grid_worker, channel=Channel.GRID_PATROL, category="municipal-streetlight", household=None,
        description="同心路路灯不亮", lon=BASE_LON + 0.005, lat=BASE_LAT + 0.005,
    )
    assert ticket.requester is None and ticket.requester_user is None
    assert ticket.grid == town.grid1
    # 市政设施 names no unit yet: it waits for a dispatcher.
    assert ticket.state == State.SUBMITTED and ticket.handling_org is None


def test_emergency_uses_the_calendar_time_policy(town):
    ticket, _ = file(town, urgency="emergency", category="safety", description="楼道电动车飞线充电")
    assert ticket.policy.code == "emergency"
    assert ticket.accept_due == NOW + datetime.timedelta(minutes=30)


def test_caller_lookup_finds_residents_in_scope_only(town):
    found = intake.caller_lookup(town.operator, "+86 138-1234-5678")
    assert found == [town.resident]
    assert found[0].household.building == town.b1
    other_operator = make_user(Role.HOTLINE_OPERATOR, CommunityFactory())
    assert intake.caller_lookup(other_operator, "13812345678") == []
    assert intake.caller_lookup(town.operator, "12") == []


# --- idempotency ----------------------------------------------------------------------


def test_same_client_request_id_twice_gives_one_ticket(town):
    first, created = file(town, client_request_id="phone-7f3a")
    again, created_again = file(town, client_request_id="phone-7f3a", description="重复提交的内容不同也不算新单")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(action="file").count() == 1


def test_another_users_request_id_is_not_handed_out(town):
    file(town, client_request_id="shared-id")
    with pytest.raises(Conflict) as error:
        file(town, actor=town.operator, client_request_id="shared-id")
    assert error.value.code == "client_request_id_taken"


# --- bad input changes nothing ---------------------------------------------------------


def html_named_jpg():
    return SimpleUploadedFile("p.jpg", b"<!doctype html><p>hi</p>", content_type="image/jpeg")


def twenty_megabytes():
    return SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\0" * (20 * 1024 * 1024), content_type="image/jpeg")


BAD_INPUT = {
    "unknown category": ({"category": "no-such-thing"}, Invalid, "unknown_category"),
    "empty description": ({"description": "   "}, Invalid, "description_required"),
    "too long": ({"description": "漏" * 4001}, Invalid, "description_too_long"),
    "no place": ({"household": None}, Invalid, "place_required"),
    "outside every grid": ({"household": None, "lon": 100.0, "lat": 20.0}, Invalid, "outside_grids"),
    "impossible point": ({"household": None, "lon": 200.0, "lat": 20.0}, Invalid, "invalid_location"),
    "bad channel": ({"channel": "fax"}, Invalid, "invalid_channel"),
    "bad urgency": ({"urgency": "yesterday"}, Invalid, "invalid_urgency"),
    "20 MB photo": ({"photos": "big"}, TooLarge, "photo_too_large"),
    "HTML named .jpg": ({"photos": "html"}, Invalid, "not_an_image"),
    "second photo bad": ({"photos": "good+html"}, Invalid, "not_an_image"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_and_changes_nothing(town, settings, case):
    changes, error_class, code = BAD_INPUT[case]
    changes = dict(changes)
    photo_sets = {"big": lambda: [twenty_megabytes()], "html": lambda: [html_named_jpg()], "good+html": lambda: [jpeg(), html_named_jpg()]}
    if "photos" in changes:
        changes["photos"] = photo_sets[changes["photos"]]()
    file(town, description="先有一张正常的单")
    before = counts(settings)
    with pytest.raises(error_class) as error:
        file(town, **changes)
    assert error.value.code == code
    assert counts(settings) == before


def test_property_staff_may_not_file(town, settings):
    before = counts(settings)
    with pytest.raises(NotPermitted):
        file(town, actor=town.property_staff)
    assert counts(settings) == before


def test_resident_may_not_file_for_another_household_or_person(town, settings):
    before = counts(settings)
    with pytest.raises(NotPermitted) as error:
        file(town, household=town.other_household)
    assert error.value.code == "not_own_household"
    with pytest.raises(NotPermitted) as error:
        file(town, requester=town.other_household.members.get())
    assert error.value.code == "not_own_request"
    assert counts(settings) == before


def test_grid_worker_may_not_file_for_a_household_of_another_grid(town, settings):
    before = counts(settings)
    with pytest.raises(NotFound):
        file(town, actor=town.grid_worker, channel=Channel.GRID_PATROL, household=town.other_household)
    with pytest.raises(NotFound):
        file(town, actor=town.grid_worker, channel=Channel.GRID_PATROL, household=None, building=town.b3)
    assert counts(settings) == before


def test_operator_of_another_community_cannot_reach_this_household(town):
    stranger = make_user(Role.HOTLINE_OPERATOR, make_town().community)
    with pytest.raises(NotFound):
        file(town, actor=stranger, channel=Channel.HOTLINE)


def test_every_refusal_is_a_domain_error_with_a_code(town):
    with pytest.raises(DomainError) as error:
        file(town, description="")
    assert error.value.as_dict() == {"detail": "请填写诉求内容。", "code": "description_required", "field": "description"}
