"""The main story: apply, review, 公示, the hash published, the draw, offers down the waiting
list, the lease; and the lottery re-run from its published inputs."""

import datetime
import io

import pytest
from django.core.management import call_command

from liulin.core import clock, lottery
from liulin.core.errors import Conflict, Invalid, NotPermitted
from liulin.core.masking import mask_name
from liulin.housing import services
from liulin.housing.models import Application, Draw, Invoice, Lease, Round
from liulin.notices import services as notices
from liulin.notices.models import Notice

from .factories import GOOD, Town

pytestmark = pytest.mark.django_db


def _drawn(town, n=4):
    round_ = town.round()
    applications = [town.apply(round_, tier="b" if i == 0 else "c") for i in range(n)]
    services.act_on_round(actor=town.staff, round=round_, action="close")
    for a in applications:
        services.act_on_application(actor=town.reviewer, application=a, action="approve")
    services.act_on_round(actor=town.staff, round=round_, action="publish")
    later = clock.now() + datetime.timedelta(days=14)
    services.act_on_round(actor=town.staff, round=round_, action="finalise", now=later)
    services.act_on_round(actor=town.reviewer, round=round_, action="draw", public_value="双色球 2026140 期 03 08 15 21 27 30 + 11", now=later)
    round_.refresh_from_db()
    return round_, applications


def test_ineligible_answers_are_refused_with_the_rule_named():
    town = Town()
    round_ = town.round()
    with pytest.raises(Invalid) as refused:
        town.apply(round_, answers={**GOOD, "annual_income_fen": 30_000_000})
    assert refused.value.code == "not_eligible" and "20 万" in str(refused.value)


def test_approval_needs_the_document_checklist_and_another_person():
    town = Town()
    round_ = town.round()
    application = services.submit_application(actor=town.staff, round=round_, applicant=town.resident(), tier="c", answers=GOOD)
    assert application.documents.count() == 3
    with pytest.raises(Conflict):
        services.act_on_application(actor=town.reviewer, application=application, action="approve")
    application.documents.update(provided=True)
    with pytest.raises(NotPermitted):  # who took it in at the counter does not review it
        services.act_on_application(actor=town.staff, application=application, action="approve")
    services.act_on_application(actor=town.reviewer, application=application, action="send_back", reason="社保证明不清晰")
    services.act_on_application(actor=application.applicant and town.staff, application=application, action="resubmit")
    services.act_on_application(actor=town.reviewer, application=application, action="approve")
    assert Application.objects.get(pk=application.pk).state == Application.State.QUALIFIED


def test_objection_window_then_hash_then_draw_reproduces():
    town = Town()
    round_, applications = _drawn(town)
    draw = Draw.objects.get(round=round_, current=True)
    # The hash was published before the draw, and the seed is made of it and the later value.
    assert round_.list_hash == draw.list_hash == lottery.applicants_hash([(a.pk, a.applicant_id, a.tier.group) for a in applications])
    assert draw.seed == lottery.seed_of(draw.public_value, draw.list_hash)
    assert draw.algorithm == lottery.ALGORITHM
    ranks = [row[0] for row in draw.ranks]
    assert ranks[0] == applications[0].pk  # the B tier is a higher priority group than C
    assert set(Application.objects.filter(round=round_).values_list("state", flat=True)) == {Application.State.WAITING}
    holds, expected, stored = services.verify_draw(draw)
    assert holds and expected == stored == ranks
    out = io.StringIO()
    call_command("verify_lottery", round_.pk, stdout=out)
    assert "reproduces" in out.getvalue()


def test_the_downloaded_file_reproduces_without_the_database(tmp_path):
    town = Town()
    round_, _applications = _drawn(town, n=3)
    path = tmp_path / "draw.txt"
    path.write_text(services.draw_file(Draw.objects.get(round=round_, current=True)), encoding="utf-8")
    out = io.StringIO()
    call_command("verify_lottery", file=str(path), stdout=out)
    assert "reproduces" in out.getvalue()
    tampered = path.read_text(encoding="utf-8").replace("seed: ", "seed: 0", 1)
    path.write_text(tampered, encoding="utf-8")
    with pytest.raises(Exception, match="NOT reproduce"):
        call_command("verify_lottery", file=str(path), stdout=io.StringIO())


def test_the_qualified_list_goes_on_notice_and_finalising_waits_for_it():
    town = Town()
    round_ = town.round()
    a, b = town.apply(round_), town.apply(round_)
    services.act_on_round(actor=town.staff, round=round_, action="close")
    for application in (a, b):
        services.act_on_application(actor=town.reviewer, application=application, action="approve")
    services.act_on_round(actor=town.staff, round=round_, action="publish")
    notice = Notice.objects.get(pk=Round.objects.get(pk=round_.pk).notice_id)
    assert (notice.origin, notice.kind.code, notice.state) == (services.ORIGIN, "housing_qualification", "published")
    body = notice.versions.get().body
    assert a.applicant.name not in body and mask_name(a.applicant.name) in body  # the list as published: names masked
    with pytest.raises(Conflict) as refused:
        services.act_on_round(actor=town.staff, round=round_, action="finalise", now=notice.ends_at - datetime.timedelta(seconds=1))
    assert refused.value.code == "window_open"

    # A neighbour objects to one applicant; it is found upheld, so the list cannot be fixed with him on it.
    objection = notices.object_to(actor=town.resident().user, notice=notice, text="该申请人在本市已有住房", item=str(b.pk))
    with pytest.raises(Conflict) as refused:
        services.act_on_round(actor=town.staff, round=round_, action="finalise", now=notice.ends_at)
    assert refused.value.code == "objections_open"
    notices.answer(actor=town.secretary, objection=objection, text="经核查属实", upheld=True)
    with pytest.raises(Conflict) as refused:
        services.act_on_round(actor=town.staff, round=round_, action="finalise", now=notice.ends_at)
    assert refused.value.code == "upheld_not_rejected"
    assert Notice.objects.get(pk=notice.pk).state == "published"  # the refusal changed nothing
    services.act_on_application(actor=town.reviewer, application=b, action="reject", reason="公示异议成立：本市已有住房")
    services.act_on_round(actor=town.staff, round=round_, action="finalise", now=notice.ends_at)
    assert Round.objects.get(pk=round_.pk).state == Round.State.FINAL
    assert Application.objects.filter(round=round_, draw_group__isnull=False).get().pk == a.pk
    with pytest.raises(NotPermitted):  # who fixed the list does not draw
        services.act_on_round(actor=town.staff, round=round_, action="draw", public_value="双色球 2026140 期", now=notice.ends_at)


def test_rerun_keeps_the_earlier_draw_and_needs_a_reason_and_another_person():
    town = Town()
    round_, _applications = _drawn(town)
    services.act_on_round(actor=town.secretary, round=round_, action="rerun", reason="开奖号码录入有误", public_value="双色球 2026141 期")
    draws = list(Draw.objects.filter(round=round_))
    assert [d.current for d in draws] == [False, True] and draws[1].rerun_reason == "开奖号码录入有误"
    assert services.verify_draw(draws[1])[0]


def test_offers_go_down_the_list_and_a_lapsed_offer_passes_on():
    town = Town(apartments=2)
    round_, _applications = _drawn(town, n=4)
    made = services.make_offers(round=round_)
    assert [a.rank for a, _ap in made] == [1, 2]
    first, second = (Application.objects.get(pk=a.pk) for a, _ap in made)
    lease = services.act_on_application(actor=first.applicant.account, application=first, action="accept")
    assert isinstance(lease, Lease) and lease.state == Lease.State.PENDING
    later = clock.now() + datetime.timedelta(days=8)
    assert services.sweep_offers(now=later) == 1
    assert Application.objects.get(pk=second.pk).state == Application.State.EXPIRED
    third = Application.objects.get(round=round_, rank=3)
    assert third.state == Application.State.OFFERED and third.offered_apartment_id == second.offered_apartment_id
    services.act_on_lease(actor=town.staff, lease=lease, action="sign")
    assert Application.objects.get(pk=first.pk).state == Application.State.HOUSED


def test_lease_term_is_at_most_five_years_in_the_database():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE)
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        Lease.objects.filter(pk=lease.pk).update(term_months=61)


def test_renewal_only_in_its_window_with_eligibility_rechecked():
    town = Town()
    early = town.lease_in(Lease.State.ACTIVE, ends_in_days=200)
    with pytest.raises(Conflict):
        services.act_on_lease(actor=town.staff, lease=early, action="renew", answers=GOOD)
    lease = town.lease_in(Lease.State.ACTIVE, ends_in_days=30)
    with pytest.raises(Invalid):
        services.act_on_lease(actor=town.staff, lease=lease, action="renew", answers={**GOOD, "no_local_housing": False})
    renewal = services.act_on_lease(actor=town.staff, lease=lease, action="renew", answers=GOOD, term_months=24)
    assert renewal.starts_on == lease.ends_on and renewal.state == Lease.State.ACTIVE
    assert Lease.objects.get(pk=lease.pk).state == Lease.State.RENEWED


def test_invoices_and_arrears_alerts_at_set_months():
    town = Town()
    lease = town.lease_in(Lease.State.ACTIVE)
    today = clock.today()
    months = [datetime.date(today.year, today.month, 1) - datetime.timedelta(days=31 * k) for k in (3, 2, 1)]
    for month in months:
        services.issue_invoices(month=month)
        services.issue_invoices(month=month)  # idempotent
    assert Invoice.objects.filter(lease=lease).count() == 3
    assert services.arrears_alerts() == [(lease, 3)]
    assert services.arrears_alerts() == []  # once per level
    services.pay_invoice(actor=town.staff, invoice=Invoice.objects.filter(lease=lease).first())
    assert services.arrears() == [(lease, 2)]


def test_anyone_downloads_the_draw_file_and_it_names_nobody(client):
    town = Town()
    round_, applications = _drawn(town, n=2)
    response = client.get(f"/housing/rounds/{round_.pk}/draw.txt")
    assert response.status_code == 200
    text = response.content.decode()
    assert f"applicants_hash: {round_.list_hash}" in text
    assert all(a.applicant.name not in text for a in applications)
    assert client.get("/housing/rounds/999999/draw.txt").status_code == 404
