"""The rules of a notice: it cannot end early, objections are filed only inside the window
and answered by their due time, an open objection blocks finalising, a correction is a new
version with the old kept, receipts per household, and scoping."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Conflict, Invalid, NotFound, NotPermitted
from liulin.core.notifications.models import Notification
from liulin.core.roles import Role
from liulin.core.workflow import IllegalTransition
from liulin.notices import selectors, services
from liulin.notices.models import Channel, NoticeEvent, Receipt, State
from liulin.territory.tests.factories import BuildingFactory

from .factories import after_period, at, draft, notice_in_state, resident_user

D = datetime.date


def test_publish_sets_the_kinds_period(world):
    notice = draft(world, now=at(D(2024, 9, 24)))
    services.act(actor=world.staff, notice=notice, action="publish", now=at(D(2024, 9, 24)))
    notice.refresh_from_db()
    assert notice.state == State.PUBLISHED
    assert notice.last_day == D(2024, 10, 8)  # 7 days from 25 Sep, moved past the National Day break


def test_a_publication_cannot_end_early(world):
    notice = notice_in_state(world, State.PUBLISHED)
    with pytest.raises(Conflict) as refused:
        services.act(actor=world.staff, notice=notice, action="finalise", now=notice.ends_at - datetime.timedelta(seconds=1))
    assert refused.value.code == "window_open"
    with pytest.raises(IllegalTransition):
        services.act(actor=world.staff, notice=notice, action="discard", reason="想撤回")
    notice.refresh_from_db()
    assert notice.state == State.PUBLISHED


def test_finalise_at_the_end_of_the_period(world):
    notice = notice_in_state(world, State.PUBLISHED)
    services.act(actor=world.staff, notice=notice, action="finalise", now=notice.ends_at)
    notice.refresh_from_db()
    assert notice.state == State.FINALISED and notice.finalised_at == notice.ends_at


def test_objection_inside_the_window_gets_a_due_time(world):
    notice = notice_in_state(world, State.PUBLISHED)
    resident = world.residents[0]
    objection = services.object_to(actor=resident, notice=notice, text="第二户家庭收入情况与公示不符。")
    # 低保: 15 working days to answer, counted from the next day
    assert objection.answer_due > objection.raised_at + datetime.timedelta(days=15)


def test_objection_outside_the_window_is_refused(world):
    notice = notice_in_state(world, State.PUBLISHED)
    with pytest.raises(Conflict) as refused:
        services.object_to(actor=world.residents[0], notice=notice, text="太晚了", now=notice.ends_at)
    assert refused.value.code == "objections_closed"
    assert not notice.objections.exists()


def test_objection_to_a_draft_is_not_found_for_a_resident(world):
    notice = draft(world)
    with pytest.raises(NotFound):
        services.object_to(actor=world.residents[0], notice=notice, text="异议")


def test_an_open_objection_blocks_finalising_until_answered(world):
    notice = notice_in_state(world, State.PUBLISHED)
    objection = services.object_to(actor=world.residents[0], notice=notice, text="收入情况与公示不符。")
    with pytest.raises(Conflict) as refused:
        services.act(actor=world.staff, notice=notice, action="finalise", now=after_period(notice))
    assert refused.value.code == "objections_open"
    services.answer(actor=world.staff, objection=objection, text="经入户核实，收入情况属实。")
    with pytest.raises(Conflict):
        services.answer(actor=world.staff, objection=objection, text="再答一次")
    services.act(actor=world.staff, notice=notice, action="finalise", now=after_period(notice))
    notice.refresh_from_db()
    assert notice.state == State.FINALISED


def test_a_late_answer_is_recorded_as_late(world):
    notice = notice_in_state(world, State.PUBLISHED)
    objection = services.object_to(actor=world.residents[0], notice=notice, text="异议")
    services.answer(actor=world.staff, objection=objection, text="答复", now=objection.answer_due + datetime.timedelta(hours=1))
    assert NoticeEvent.objects.filter(notice=notice, action="answer").get().data["late"] is True


def test_a_resident_cannot_answer(world):
    notice = notice_in_state(world, State.PUBLISHED)
    objection = services.object_to(actor=world.residents[0], notice=notice, text="异议")
    with pytest.raises(NotPermitted):
        services.answer(actor=world.residents[1], objection=objection, text="我来答")


def test_a_correction_is_a_new_version_and_restarts_the_period(world):
    notice = draft(world, now=at(D(2024, 3, 1)))
    services.act(actor=world.staff, notice=notice, action="publish", now=at(D(2024, 3, 1)))
    services.mark_read(actor=world.residents[0], notice=notice, now=at(D(2024, 3, 2)))
    services.correct(actor=world.staff, notice=notice, title="更正：低保名单", body="拟新增低保 3 户。", reason="漏列一户",
                     now=at(D(2024, 3, 5)))
    notice.refresh_from_db()
    versions = list(selectors.versions_of(notice))
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].body == "拟新增低保 2 户。"  # the old one stays
    assert notice.last_day == D(2024, 3, 12)
    # every household is told again; what was read before the correction is unread again
    assert not Receipt.objects.filter(notice=notice, read_at__isnull=False).exists()
    with pytest.raises(Invalid):
        services.correct(actor=world.staff, notice=notice, title="再改", body="内容", reason="")


def test_a_finalised_notice_cannot_be_corrected(world):
    notice = notice_in_state(world, State.FINALISED)
    with pytest.raises(Conflict):
        services.correct(actor=world.staff, notice=notice, title="改", body="改", reason="理由")


def test_receipts_per_household_delivered_and_read(world):
    notice = notice_in_state(world, State.PUBLISHED)
    assert set(Receipt.objects.filter(notice=notice, channel=Channel.IN_APP).values_list("household_id", flat=True)) == {
        h.pk for h in world.households}
    assert Notification.objects.filter(user__in=world.residents, kind=services.NOTIFY_KIND).count() == 2
    services.mark_read(actor=world.residents[0], notice=notice)
    assert selectors.receipt_summary(notice) == {"delivered": 2, "read": 1}
    read = Receipt.objects.get(notice=notice, household=world.households[0], channel=Channel.IN_APP)
    assert read.read_by == world.residents[0] and read.read_at is not None
    assert not Notification.objects.filter(user=world.residents[0], read_at__isnull=True, kind=services.NOTIFY_KIND).exists()
    # a second reading does not move the first
    first = read.read_at
    services.mark_read(actor=world.residents[0], notice=notice, now=first + datetime.timedelta(days=1))
    read.refresh_from_db()
    assert read.read_at == first


def test_an_outside_channel_records_its_delivery(world):
    notice = notice_in_state(world, State.PUBLISHED)
    services.record_delivery(notice=notice, household=world.households[1], channel=Channel.SMS)
    services.record_delivery(notice=notice, household=world.households[1], channel=Channel.SMS)
    assert Receipt.objects.filter(notice=notice, channel=Channel.SMS).count() == 1
    with pytest.raises(Invalid):
        services.record_delivery(notice=notice, household=world.households[1], channel="pigeon")
    other = resident_user(BuildingFactory()).resident.household
    with pytest.raises(Invalid):
        services.record_delivery(notice=notice, household=other, channel=Channel.EMAIL)


def test_scoping(world):
    notice = notice_in_state(world, State.PUBLISHED)
    hidden = draft(world)
    outsider = resident_user(BuildingFactory())
    other_staff = make_user(Role.COMMUNITY_STAFF, BuildingFactory().community)
    grid_worker = make_user(Role.GRID_WORKER, world.building.grid)
    assert set(selectors.notices_for(world.residents[0])) == {notice}
    assert set(selectors.notices_for(world.staff)) == {notice, hidden}
    assert set(selectors.notices_for(grid_worker)) == {notice, hidden}
    assert not selectors.notices_for(outsider).exists()
    assert not selectors.notices_for(other_staff).exists()
    with pytest.raises(NotFound):
        services.object_to(actor=outsider, notice=notice, text="异议")
    with pytest.raises(NotFound):
        services.act(actor=other_staff, notice=hidden, action="publish")
    # a resident sees his own household's receipt, not his neighbour's
    assert {r.household_id for r in selectors.receipts_of(world.residents[0], notice)} == {world.households[0].pk}
    # and only his own objections
    services.object_to(actor=world.residents[1], notice=notice, text="邻居的异议")
    assert not selectors.objections_of(world.residents[0], notice).exists()
    assert selectors.objections_of(world.staff, notice).count() == 1


def test_bad_input_changes_nothing(world):
    with pytest.raises(Invalid):
        draft(world, title="")
    with pytest.raises(Invalid):
        draft(world, title="x" * 81)
    with pytest.raises(Invalid):
        draft(world, body="\x00")
    notice = notice_in_state(world, State.PUBLISHED)
    with pytest.raises(Invalid):
        services.object_to(actor=world.residents[0], notice=notice, text="   ")
    with pytest.raises(Invalid):
        services.act(actor=world.staff, notice=notice, action="end_early")
    assert not notice.objections.exists()


def _jpeg(name="board.jpg"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_photo_of_the_paper_notice_is_kept_as_proof_of_posting(world, client):
    from liulin.core.attachments.models import Attachment

    draft_notice = draft(world)
    with pytest.raises(Conflict) as refused:
        services.record_posting(actor=world.staff, notice=draft_notice, upload=_jpeg())
    assert refused.value.code == "not_published"
    notice = notice_in_state(world, State.PUBLISHED)
    with pytest.raises(NotPermitted):  # a resident sees the notice but keeps no proof of its posting
        services.record_posting(actor=world.residents[0], notice=notice, upload=_jpeg())
    with pytest.raises(Invalid):
        services.record_posting(actor=world.staff, notice=notice, upload=SimpleUploadedFile("x.jpg", b"not a picture"))
    assert not Attachment.objects.exists()
    photo = services.record_posting(actor=world.staff, notice=notice, upload=_jpeg())
    assert list(selectors.posting_photos(notice)) == [photo]
    assert NoticeEvent.objects.filter(notice=notice, action="record_posting", data__attachment=photo.pk).exists()
    client.force_login(world.staff)
    assert client.get(f"/attachments/{photo.pk}/").status_code == 200
    assert f"/attachments/{photo.pk}/" in client.get(f"/notices/{notice.pk}/").content.decode()
    client.force_login(world.residents[0])
    assert client.get(f"/attachments/{photo.pk}/").status_code == 404
    assert client.post(f"/notices/{notice.pk}/posting/", {"photo": _jpeg()}).status_code == 302
    assert Attachment.objects.count() == 1


def test_an_sms_delivered_about_a_notice_is_the_households_receipt(world, settings, tmp_path, django_capture_on_commit_callbacks):
    from liulin.core.notifications import services as notifications
    from liulin.core.notifications.models import Delivery
    from liulin.core.notifications.tasks import deliver

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.LIULIN_SMS_PROVIDER = "liulin.core.notifications.sms.FileSmsProvider"
    settings.LIULIN_SMS_FILE = str(tmp_path / "sms.jsonl")
    reader = world.residents[0]
    reader.mobile = "13912345678"
    reader.save(update_fields=["mobile"])
    notifications.set_preferences(user=reader, choices={services.NOTIFY_KIND: {"sms"}})
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_in_state(world, State.PUBLISHED)
    delivery = Delivery.objects.get(channel="sms", notification__user=reader)
    assert not Receipt.objects.filter(notice=notice, channel=Channel.SMS).exists()  # queued is not delivered
    assert deliver.call(delivery.pk) == "sent"
    receipt = Receipt.objects.get(notice=notice, channel=Channel.SMS)
    assert (receipt.household, receipt.delivered_at) == (reader.resident.household, Delivery.objects.get(pk=delivery.pk).sent_at)
    assert deliver.call(delivery.pk) is None and Receipt.objects.filter(notice=notice, channel=Channel.SMS).count() == 1
