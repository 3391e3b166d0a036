"""A young engineer applies for one of the 55 youth talent apartments on her phone and uploads
her proofs; the housing staff qualify her, publish the list, fix it with its hash, enter the
public value and draw, and offer her an apartment; she accepts and signs the lease."""

import datetime
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from liulin.accounts.tests.factories import PASSWORD
from liulin.core import clock
from liulin.housing.models import Application, Lease, Round
from liulin.housing.tests.factories import Town
from liulin.notices.models import Notice

from .conftest import assert_accessible, content_width, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_VALUE = "双色球 2026140 期 03 08 15 21 27 30 + 11"


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 200)).save(out, "JPEG")
    return {"name": "proof.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _as(page, user):
    page.context.clear_cookies()
    log_in(page, user.mobile, PASSWORD)


def test_a_youth_applicant_is_drawn_offered_and_signs(page, screenshot, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                         "OPTIONS": {"location": str(tmp_path)}}}
    town = Town(apartments=2)
    round_ = town.round()
    rival = town.apply(round_)  # one more qualified applicant, so the draw has an order
    me = town.resident()

    # She applies on her phone.
    _as(page, me.user)
    page.goto("/housing/")
    assert_accessible(page)
    page.click(f"[data-testid=round-{round_.pk}]")
    assert_accessible(page)
    page.click("[data-testid=apply]")
    page.select_option("#id_tier", "c")
    page.select_option("#id_answer_no_local_housing", "yes")
    page.fill("#id_answer_annual_income_fen", "150000")
    page.fill("#id_answer_local_employment_months", "14")
    assert_accessible(page)
    page.click("[data-testid=submit-application]")
    expect(page.locator("[data-testid=checklist]")).to_be_visible()
    application = Application.objects.get(applicant=me)
    for key in ("no_local_housing", "annual_income_fen", "local_employment_months"):
        page.locator(f"[data-testid=document-{key}] input[type=file]").set_input_files(_jpeg())
        page.click(f"[data-testid=upload-{key}]")
        expect(page.locator(f"[data-testid=document-{key}] .tag-ok")).to_be_visible()
    expect(page.locator("[data-testid=application-state]")).to_contain_text("已提交待审核")
    assert_accessible(page)

    # The staff close the round; a colleague reviews the queue, one tap a row (htmx).
    _as(page, town.staff)
    page.goto(f"/housing/rounds/{round_.pk}/")
    page.click("[data-testid=close]")
    expect(page.locator("[data-testid=round-state]")).to_contain_text("资格审核")
    _as(page, town.reviewer)
    page.goto(f"/housing/rounds/{round_.pk}/review/")
    assert_accessible(page)
    for a in (rival, application):
        page.click(f"[data-testid=approve-{a.pk}]")
        expect(page.locator(f"[data-testid=row-state-{a.pk}]")).to_contain_text("资格审核通过")

    # The qualified list goes on 公示 in the 公示栏; when its period has passed it is fixed and its hash published.
    _as(page, town.staff)
    page.goto(f"/housing/rounds/{round_.pk}/")
    page.click("[data-testid=publish]")
    expect(page.locator("[data-testid=round-state]")).to_contain_text("资格公示")
    expect(page.locator("[data-testid=round-notice]")).to_be_visible()
    Notice.objects.filter(pk=Round.objects.get(pk=round_.pk).notice_id).update(
        ends_at=clock.now() - datetime.timedelta(days=1), published_at=clock.now() - datetime.timedelta(days=8))
    page.reload()
    page.click("[data-testid=finalise]")
    expect(page.locator("[data-testid=list-hash]")).to_contain_text(Round.objects.get(pk=round_.pk).list_hash)

    # Another member of staff (not who fixed the list) enters the public value and draws, then offers.
    _as(page, town.reviewer)
    page.goto(f"/housing/rounds/{round_.pk}/")
    page.fill("#id_public_value", PUBLIC_VALUE)
    assert_accessible(page)
    page.click("[data-testid=draw]")
    expect(page.locator("[data-testid=round-state]")).to_contain_text("已抽签")
    page.click("[data-testid=ranks-link]")
    ranks = page.locator("[data-testid=ranks]")
    expect(ranks).to_contain_text(str(application.pk))
    assert me.name not in page.content() and rival.applicant.name not in page.content()
    assert_accessible(page)
    page.goto(f"/housing/rounds/{round_.pk}/")
    page.click("[data-testid=make-offers]")
    expect(page.locator("[data-testid=offers]")).to_contain_text(town.apartments[0].number)

    # She sees her rank and her offer, accepts, and signs.
    _as(page, me.user)
    page.goto(f"/housing/applications/{application.pk}/")
    expect(page.locator("[data-testid=rank]")).to_be_visible()
    expect(page.locator("[data-testid=offer]")).to_be_visible()
    assert_accessible(page)
    page.click("[data-testid=accept]")
    expect(page.locator("[data-testid=lease-state]")).to_contain_text("待签约")
    page.click("[data-testid=sign]")
    expect(page.locator("[data-testid=lease-state]")).to_contain_text("履约中")
    lease = Lease.objects.get(tenant=me)
    assert lease.state == Lease.State.ACTIVE and Application.objects.get(pk=application.pk).state == Application.State.HOUSED
    assert content_width(page) <= 360
    assert_accessible(page)
    screenshot(page, "housing-signed-lease")
