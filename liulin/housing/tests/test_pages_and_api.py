"""Pages and API of housing: allowed and refused, scoping (another community's objects are
not found; a resident sees only his own application), the public ranks without names, and
query counts of the list pages."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from liulin.core import clock
from liulin.housing import services
from liulin.housing.models import Application, Invoice, Lease, Round

from .factories import GOOD, Town

pytestmark = pytest.mark.django_db

PUBLIC_VALUE = "双色球 2026140 期 03 08 15 21 27 30 + 11"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                         "OPTIONS": {"location": str(tmp_path)}}}


def _photo(name="p.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _drawn(town, n=3):
    round_ = town.round()
    applications = [town.apply(round_) for _ in range(n)]
    services.act_on_round(actor=town.staff, round=round_, action="close")
    for a in applications:
        services.act_on_application(actor=town.reviewer, application=a, action="approve")
    services.act_on_round(actor=town.staff, round=round_, action="publish")
    later = clock.now() + datetime.timedelta(days=14)
    services.act_on_round(actor=town.staff, round=round_, action="finalise", now=later)
    services.act_on_round(actor=town.reviewer, round=round_, action="draw", public_value=PUBLIC_VALUE, now=later)
    round_.refresh_from_db()
    return round_, applications


# --- the applicant on a phone -----------------------------------------------------------------


def test_a_resident_applies_uploads_the_checklist_and_sees_his_state(client):
    town = Town()
    round_ = town.round()
    me = town.resident()
    client.force_login(me.user)
    home = client.get("/housing/")
    assert home.status_code == 200 and f"/housing/rounds/{round_.pk}/" in home.content.decode()
    assert "我要申请" in client.get(f"/housing/rounds/{round_.pk}/").content.decode()
    refused = client.post(f"/housing/rounds/{round_.pk}/apply/", {"tier": "c", "answer_no_local_housing": "yes",
                                                                   "answer_annual_income_fen": "300000",
                                                                   "answer_local_employment_months": "18"})
    assert refused.status_code == 200 and "不符合申请条件" in refused.content.decode()
    assert not Application.objects.exists()
    response = client.post(f"/housing/rounds/{round_.pk}/apply/", {"tier": "c", "answer_no_local_housing": "yes",
                                                                    "answer_annual_income_fen": "120000",
                                                                    "answer_local_employment_months": "18"})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/housing/applications/{application.pk}/"
    assert application.answers == GOOD and application.applicant == me
    page = client.get(response["Location"]).content.decode()
    assert "未上传" in page and 'data-testid="upload-no_local_housing"' in page
    client.post(f"/housing/applications/{application.pk}/documents/no_local_housing/", {"file": _photo()})
    assert application.documents.get(rule__key="no_local_housing").provided
    # A second application in the same round goes back to the first.
    assert client.get(f"/housing/rounds/{round_.pk}/apply/")["Location"] == f"/housing/applications/{application.pk}/"


def test_a_resident_sees_only_his_own_application_not_his_housemates():
    town = Town()
    round_ = town.round()
    mine = town.apply(round_)
    housemate = town.resident()
    housemate.household = mine.applicant.household
    housemate.save()
    other = town.apply(round_, resident=housemate)
    from django.test import Client

    client = Client()
    client.force_login(mine.applicant.user)
    assert client.get(f"/housing/applications/{mine.pk}/").status_code == 200
    assert client.get(f"/housing/applications/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/housing/applications/{other.pk}").json()["code"] == "not_found"
    assert [a["id"] for a in client.get(f"/api/v1/housing/rounds/{round_.pk}/applications").json()] == [mine.pk]
    # Nor may he approve his own.
    assert client.post(f"/api/v1/housing/applications/{mine.pk}/actions/approve", {}, content_type="application/json").status_code == 403


def test_another_communitys_round_application_and_lease_are_not_found(client):
    here, there = Town(), Town()
    lease = there.lease_in(Lease.State.ACTIVE)
    round_, application = lease.application.round, lease.application
    for user in (here.staff, here.secretary, here.resident().user):
        client.force_login(user)
        for url in (f"/housing/rounds/{round_.pk}/", f"/housing/applications/{application.pk}/", f"/housing/leases/{lease.pk}/",
                    f"/housing/rounds/{round_.pk}/review/"):
            assert client.get(url).status_code == 404, (user, url)
        for url in (f"/api/v1/housing/rounds/{round_.pk}", f"/api/v1/housing/applications/{application.pk}",
                    f"/api/v1/housing/leases/{lease.pk}", f"/api/v1/housing/leases/{lease.pk}/invoices"):
            response = client.get(url)
            assert response.status_code == 404 and response.json()["code"] == "not_found", (user, url)
        assert client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "close"}).status_code == 404
        assert client.get("/api/v1/housing/leases").json() == []


def test_a_resident_cannot_run_the_round(client):
    town = Town()
    round_ = town.round()
    client.force_login(town.resident().user)
    assert client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "close"}).status_code == 404
    assert client.get(f"/housing/rounds/{round_.pk}/review/").status_code == 404
    response = client.post(f"/api/v1/housing/rounds/{round_.pk}/actions/close", {}, content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Round.objects.get(pk=round_.pk).state == Round.State.OPEN


# --- the housing manager ----------------------------------------------------------------------


def test_the_review_queue_decides_a_row_by_htmx_and_refuses_without_reason(client):
    town = Town()
    round_ = town.round()
    ready, missing = town.apply(round_), town.apply(round_, documents=False)
    client.force_login(town.reviewer)
    queue = client.get(f"/housing/rounds/{round_.pk}/review/").content.decode()
    assert f'data-testid="row-{ready.pk}"' in queue and f'data-testid="row-{missing.pk}"' in queue
    row = client.post(f"/housing/applications/{ready.pk}/act/", {"action": "approve", "row": "1"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "资格审核通过" in row.content.decode() and "<html" not in row.content.decode()
    refused = client.post(f"/housing/applications/{missing.pk}/act/", {"action": "approve", "row": "1"}, HTTP_HX_REQUEST="true")
    assert "材料清单未齐全" in refused.content.decode()
    no_reason = client.post(f"/housing/applications/{missing.pk}/act/", {"action": "reject", "row": "1"}, HTTP_HX_REQUEST="true")
    assert "请填写原因" in no_reason.content.decode()
    client.post(f"/housing/applications/{missing.pk}/act/", {"action": "send_back", "reason": "缺收入证明"})
    assert Application.objects.get(pk=missing.pk).state == Application.State.RETURNED
    assert Application.objects.get(pk=ready.pk).state == Application.State.QUALIFIED


def test_the_round_steps_through_the_pages_and_the_ranks_carry_no_names(client):
    town = Town()
    round_ = town.round()
    applications = [town.apply(round_) for _ in range(3)]
    client.force_login(town.staff)
    client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "close"})
    client.force_login(town.reviewer)
    for a in applications:
        client.post(f"/housing/applications/{a.pk}/act/", {"action": "approve"})
    client.force_login(town.staff)
    client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "publish"})
    with time_machine.travel(clock.now() + datetime.timedelta(days=14)):
        client.force_login(town.staff)  # the session would have lapsed in a fortnight
        client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "finalise"})
        round_.refresh_from_db()
        assert round_.state == Round.State.FINAL and len(round_.list_hash) == 64
        # Who fixed the list does not draw.
        client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "draw", "public_value": PUBLIC_VALUE})
        assert Round.objects.get(pk=round_.pk).state == Round.State.FINAL
        client.force_login(town.reviewer)
        client.post(f"/housing/rounds/{round_.pk}/act/", {"action": "draw", "public_value": PUBLIC_VALUE})
    assert Round.objects.get(pk=round_.pk).state == Round.State.DRAWN
    client.logout()
    ranks = client.get(f"/housing/rounds/{round_.pk}/ranks/").content.decode()
    for a in applications:
        assert a.applicant.name not in ranks
        assert f"<td>{a.pk}</td>" in ranks
    draw_file = client.get(f"/housing/rounds/{round_.pk}/draw.txt")
    assert draw_file.status_code == 200 and PUBLIC_VALUE in draw_file.content.decode()
    api = client.get(f"/api/v1/housing/rounds/{round_.pk}/ranks").json()
    assert sorted(r["application_id"] for r in api["ranks"]) == sorted(a.pk for a in applications)
    assert all(set(r) == {"rank", "application_id", "applicant_id", "group", "lot"} for r in api["ranks"])


def test_offer_accept_sign_invoice_and_inspection_through_the_pages(client):
    town = Town(apartments=1)
    round_, applications = _drawn(town)
    client.force_login(town.staff)
    client.post(f"/housing/rounds/{round_.pk}/offers/")
    first = Application.objects.get(round=round_, rank=1)
    first.applicant = {a.pk: a for a in applications}[first.pk].applicant
    assert first.state == Application.State.OFFERED
    client.force_login(first.applicant.user)
    page = client.get(f"/housing/applications/{first.pk}/").content.decode()
    assert town.apartments[0].number in page and 'data-testid="accept"' in page
    response = client.post(f"/housing/applications/{first.pk}/act/", {"action": "accept"})
    lease = Lease.objects.get(application=first)
    assert response["Location"] == f"/housing/leases/{lease.pk}/"
    client.post(f"/housing/leases/{lease.pk}/act/", {"action": "sign"})
    lease.refresh_from_db()
    assert lease.state == Lease.State.ACTIVE and Application.objects.get(pk=first.pk).state == Application.State.HOUSED
    invoice = Invoice.objects.create(lease=lease, month=datetime.date(2026, 1, 1), amount_fen=lease.rent_fen)
    assert client.post(f"/housing/invoices/{invoice.pk}/pay/").status_code == 403  # the tenant does not record his own payment
    assert Invoice.objects.get(pk=invoice.pk).paid_at is None
    client.force_login(town.staff)
    assert "1 期未缴" in client.get("/housing/leases/").content.decode()
    client.post(f"/housing/invoices/{invoice.pk}/pay/")
    assert Invoice.objects.get(pk=invoice.pk).paid_at is not None
    client.post(f"/housing/leases/{lease.pk}/inspect/", {"kind": "move_in", "notes": "钥匙两把"})
    assert lease.inspections.get().notes == "钥匙两把"


def test_the_api_story_from_application_to_signed_lease(client):
    town = Town(apartments=1)
    round_ = town.round()
    me = town.resident()
    client.force_login(me.user)
    assert [r["id"] for r in client.get("/api/v1/housing/rounds").json()] == [round_.pk]
    assert [r["key"] for r in client.get(f"/api/v1/housing/rounds/{round_.pk}").json()["rules"]] == [
        "no_local_housing", "annual_income_fen", "local_employment_months"]
    bad = client.post(f"/api/v1/housing/rounds/{round_.pk}/applications", {"tier": "c", "answers": {**GOOD, "no_local_housing": False}},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "not_eligible"
    made = client.post(f"/api/v1/housing/rounds/{round_.pk}/applications", {"tier": "c", "answers": GOOD},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    for key in ("no_local_housing", "annual_income_fen", "local_employment_months"):
        response = client.post(f"/api/v1/housing/applications/{pk}/documents/{key}", {"file": _photo()})
        assert response.status_code == 200, response.content
    assert all(d["provided"] for d in response.json()["documents"])
    post = lambda user, url, body=None: (client.force_login(user), client.post(url, body or {}, content_type="application/json"))[1]  # noqa: E731
    assert post(town.staff, f"/api/v1/housing/rounds/{round_.pk}/actions/close").json()["state"] == "reviewing"
    assert post(town.reviewer, f"/api/v1/housing/applications/{pk}/actions/approve").json()["state"] == "qualified"
    post(town.staff, f"/api/v1/housing/rounds/{round_.pk}/actions/publish")
    with time_machine.travel(clock.now() + datetime.timedelta(days=14)):
        assert post(town.staff, f"/api/v1/housing/rounds/{round_.pk}/actions/finalise").json()["state"] == "final"
        refused = post(town.staff, f"/api/v1/housing/rounds/{round_.pk}/actions/draw", {"public_value": PUBLIC_VALUE})
        assert refused.status_code == 403
        missing = post(town.reviewer, f"/api/v1/housing/rounds/{round_.pk}/actions/draw")
        assert missing.status_code == 400 and missing.json()["code"] == "public_value_required"
        assert post(town.reviewer, f"/api/v1/housing/rounds/{round_.pk}/actions/draw", {"public_value": PUBLIC_VALUE}).json()["state"] == "drawn"
        offers = post(town.staff, f"/api/v1/housing/rounds/{round_.pk}/offers").json()
        assert [(o["application_id"], o["apartment"]) for o in offers] == [(pk, town.apartments[0].number)]
        assert offers[0]["deadline"] is not None
        mine = post(me.user, f"/api/v1/housing/applications/{pk}/actions/accept").json()
        assert mine["state"] == "accepted" and mine["rank"] == 1
        lease = client.get("/api/v1/housing/leases").json()[0]
        assert post(me.user, f"/api/v1/housing/leases/{lease['id']}/actions/sign").json()["state"] == "active"
    client.force_login(town.staff)
    assert client.get("/api/v1/housing/arrears").json() == []
    response = client.post(f"/api/v1/housing/leases/{lease['id']}/inspections", {"kind": "sideways"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_kind"


# --- query counts -----------------------------------------------------------------------------


def _count(client, url):
    client.get(url)  # caches of the first request (content types, translations) warmed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_list_pages_do_not_query_per_row(client):
    town = Town(apartments=6)
    round_ = town.round()
    for _ in range(2):
        town.apply(round_)
    leases = [town.lease_in(Lease.State.ACTIVE) for _ in range(2)]
    for lease in leases:
        Invoice.objects.create(lease=lease, month=datetime.date(2026, 1, 1), amount_fen=100)
    client.force_login(town.staff)
    urls = [f"/housing/rounds/{round_.pk}/review/?state=all", "/housing/leases/", "/housing/", f"/housing/rounds/{round_.pk}/",
            f"/api/v1/housing/rounds/{round_.pk}/applications", "/api/v1/housing/leases", "/api/v1/housing/arrears"]
    few = {url: _count(client, url) for url in urls}
    for _ in range(4):
        town.apply(round_)
    for lease in [town.lease_in(Lease.State.ACTIVE) for _ in range(3)]:
        Invoice.objects.create(lease=lease, month=datetime.date(2026, 1, 1), amount_fen=100)
    many = {url: _count(client, url) for url in urls}
    assert many == few
