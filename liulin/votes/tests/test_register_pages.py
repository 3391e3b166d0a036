"""The owners' register pages: upload → dry-run preview (writes nothing) → confirm the same
file without sending it again → result. A confirmation for any other file than the one
previewed last is refused; bad files change nothing; only the estate's committee and the
community's staff reach the pages."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from liulin.accounts.tests.factories import make_user
from liulin.core import crypto, stash
from liulin.core.roles import Role
from liulin.votes import importing
from liulin.votes.models import Owner, State, Unit
from liulin.votes.register_views import SESSION_KEY, STASH_KIND

from .factories import drive, make_world, new_vote
from .test_importing import ROWS, sheet

pytestmark = pytest.mark.django_db
HIDDEN = re.compile(r'name="(token|sha256)" value="([^"]+)"')
OTHER_ROWS = [["5栋101", 70.5, "实测", "周五", "Z1", "业主"]]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def upload(rows=ROWS, name="register.xlsx"):
    return SimpleUploadedFile(name, sheet(rows).getvalue())


def register_state(estate):
    return sorted(Unit.objects.filter(estate=estate).values_list("label", "area_cm2", "owner__name")), Owner.objects.count()


def preview(client, world, rows=ROWS, *, data=None):
    file = SimpleUploadedFile("register.xlsx", data) if data is not None else upload(rows)
    response = client.post(reverse("votes:register", args=[world.estate.pk]), {"file": file})
    return response, dict(HIDDEN.findall(response.content.decode()))


def confirm(client, world, fields):
    return client.post(reverse("votes:register_confirm", args=[world.estate.pk]), fields)


def test_preview_changes_nothing_and_confirm_imports_the_same_file():
    world = make_world()
    chair = client_for(world.chair)
    before = register_state(world.estate)
    page = chair.get(reverse("votes:register", args=[world.estate.pk]))
    assert page.status_code == 200 and 'data-testid="register-form"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    data = sheet(ROWS).getvalue()  # one file: a workbook saved a second later has another timestamp inside
    shown, fields = preview(chair, world, data=data)
    body = shown.content.decode()
    assert shown.status_code == 200 and set(fields) == {"token", "sha256"}
    assert fields["sha256"] == stash.digest(data)
    assert 'data-testid="sheet-units">5 套' in body
    assert f'data-testid="sheet-area">{(895600 + 1183201 + 1367500 + 950000 + 951000) // 100 / 100:.2f} m²' in body
    assert 'data-testid="sheet-owners">3' in body  # 王一's two units once, the co-owners once, the developer's two units once
    assert "王*" in body and "王一" not in body  # names masked in the preview
    assert register_state(world.estate) == before  # the dry run wrote nothing
    done = confirm(chair, world, fields)
    assert done.status_code == 200 and 'data-testid="register-result"' in done.content.decode()
    assert Unit.objects.get(estate=world.estate, label="2栋102").area_cm2 == 1183201
    assert Owner.objects.get(estate=world.estate, kind=Owner.Kind.DEVELOPER).units.count() == 2
    assert SESSION_KEY not in chair.session
    assert not list((stash._folder(STASH_KIND)).glob("*.bin"))  # the kept upload is gone
    again = confirm(chair, world, fields)  # a second click imports nothing twice
    assert again.status_code == 409 and 'data-testid="register-error"' in again.content.decode()


def test_a_different_file_at_confirm_is_refused():
    world = make_world()
    chair = client_for(world.chair)
    before = register_state(world.estate)
    _, first = preview(chair, world)  # tab 1 previews the register
    _, second = preview(chair, world, OTHER_ROWS)  # tab 2 previews another file
    refused = confirm(chair, world, first)  # tab 1 confirms: not the file previewed last
    assert refused.status_code == 409 and "不同" in refused.content.decode()
    assert register_state(world.estate) == before
    forged = confirm(chair, world, {**second, "sha256": first["sha256"]})
    assert forged.status_code == 409 and register_state(world.estate) == before
    assert confirm(chair, world, second).status_code == 200  # the last preview is still there to confirm
    assert Unit.objects.filter(estate=world.estate, label="5栋101").exists()
    assert not Unit.objects.filter(estate=world.estate, label="2栋101").exists()


def test_a_kept_file_altered_before_confirm_is_refused():
    world = make_world()
    chair = client_for(world.chair)
    before = register_state(world.estate)
    _, fields = preview(chair, world)
    (kept,) = stash._folder(STASH_KIND).glob("*.bin")
    import base64

    kept.write_text(crypto.encrypt(base64.b64encode(sheet(OTHER_ROWS).getvalue()).decode()))
    refused = confirm(chair, world, fields)
    assert refused.status_code == 409 and register_state(world.estate) == before
    assert SESSION_KEY not in chair.session


def test_a_register_changed_since_the_preview_is_shown_again_before_it_is_imported():
    world = make_world()
    chair, clerk = client_for(world.chair), client_for(world.clerks[0])
    _, fields = preview(chair, world)
    importing.commit_register(actor=world.clerks[0], plan=importing.plan_register(sheet(ROWS[:1]), estate=world.estate))
    shown = confirm(chair, world, fields)
    assert shown.status_code == 409 and 'data-testid="register-changed"' in shown.content.decode()
    assert 'data-testid="new-units">4<' in shown.content.decode()
    assert not Unit.objects.filter(estate=world.estate, label="2栋102").exists()
    assert confirm(chair, world, fields).status_code == 200
    assert Unit.objects.filter(estate=world.estate, label="2栋102").exists()
    assert clerk.get(reverse("votes:register", args=[world.estate.pk])).status_code == 200


def _bad_file_refused(client, world, file, status, says):
    before = register_state(world.estate)
    response = client.post(reverse("votes:register", args=[world.estate.pk]), {"file": file})
    body = response.content.decode()
    assert response.status_code == status, body[:500]
    assert says in body
    assert register_state(world.estate) == before and SESSION_KEY not in client.session
    assert 'data-testid="register-confirm"' not in body


@pytest.mark.parametrize("content, name, status, says", [
    ("房号,面积,业主\n1栋101,89.5,王一\n".encode(), "register.csv", 400, "无法读取该文件"),
    (b"\x00" * 2048, "register.xlsx", 400, "文件是空的"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048, "register.xls", 400, "另存为 .xlsx"),
    (b"PK\x03\x04" + b"\x00" * 2048, "register.xlsx", 400, "无法读取该文件"),
    (b"", "register.xlsx", 400, "文件是空的"),
])
def test_a_file_that_is_not_an_xlsx_gets_a_form_message_and_changes_nothing(content, name, status, says):
    world = make_world()
    _bad_file_refused(client_for(world.chair), world, SimpleUploadedFile(name, content), status, says)


def test_a_huge_file_gets_a_form_message_and_changes_nothing(monkeypatch):
    world = make_world()
    monkeypatch.setattr(importing, "MAX_BYTES", 1024)
    _bad_file_refused(client_for(world.chair), world, upload(), 413, "文件太大")


@pytest.mark.parametrize("row, column, says", [
    (["3栋1", "-89.5", "", "甲", "", ""], "面积", "面积须大于零"),
    (["3栋1", "89.123456", "", "甲", "", ""], "面积", "最多四位小数"),
    (["3栋1", "八十九", "", "甲", "", ""], "面积", "面积须是数字"),
    (["3栋_x0000_1", 89.5, "", "甲", "", ""], "房号", "控制字符"),
    (["3栋1", 89.5, "", "甲_x0007_", "", ""], "业主", "控制字符"),
])
def test_every_row_error_is_listed_with_its_row_number_and_nothing_is_kept(row, column, says):
    world = make_world()
    chair = client_for(world.chair)
    before = register_state(world.estate)
    response, fields = preview(chair, world, [ROWS[0], row])
    body = response.content.decode()
    assert response.status_code == 400 and not fields
    (error,) = re.findall(r'<tr data-testid="register-error-row"><td>(\d+)</td><td translate="no">([^<]+)</td><td translate="no">([^<]+)</td>', body)
    assert error[:2] == ("3", column) and says in error[2]
    assert register_state(world.estate) == before and SESSION_KEY not in chair.session


def test_nul_in_the_confirm_form_is_refused_and_imports_nothing():
    world = make_world()
    chair = client_for(world.chair)
    _, fields = preview(chair, world)
    before = register_state(world.estate)
    refused = confirm(chair, world, {**fields, "token": fields["token"] + "\x00"})
    assert refused.status_code == 400 and register_state(world.estate) == before


def test_the_template_has_the_columns_the_import_reads_and_imports_as_it_is():
    world = make_world()
    chair = client_for(world.chair)
    response = chair.get(reverse("votes:register_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert list(header) == importing.TEMPLATE_COLUMNS
    examples = [list(r) for r in book.worksheets[2].iter_rows(values_only=True)][1:]
    plan = importing.plan_register(sheet(examples, header=list(header)), estate=world.estate)
    assert plan.ok and (len(plan.rows), plan.heads) == (4, 3)
    empty = importing.plan_register(data, estate=world.estate)
    assert empty.ok and not empty.rows


def test_the_committee_and_the_community_staff_find_the_pages_from_the_votes():
    world = make_world()
    vote = drive(world, new_vote(world), State.NOTICED)
    for user in (world.chair, world.clerks[0]):
        client = client_for(user)
        assert 'data-testid="registers-link"' in client.get(reverse("votes:list")).content.decode()
        listed = client.get(reverse("votes:registers")).content.decode()
        assert f'data-testid="register-{world.estate.pk}"' in listed
        assert 'data-testid="register-link"' in client.get(reverse("votes:detail", args=[vote.pk])).content.decode()
        page = client.get(reverse("votes:register", args=[world.estate.pk])).content.decode()
        assert 'data-testid="register-votes"' in page  # the noticed vote will take the register as it is when it opens


def test_an_owner_a_secretary_and_another_estates_committee_cannot_reach_it():
    world = make_world()
    other = make_world()
    vote = drive(world, new_vote(world), State.NOTICED)
    owner = client_for(world.owners[0].user)
    secretary = client_for(make_user(Role.COMMUNITY_SECRETARY, world.estate.community))
    stranger = client_for(other.chair)  # the committee of another estate
    outsider_staff = client_for(other.clerks[0])  # community staff of another community
    page, confirm_url = reverse("votes:register", args=[world.estate.pk]), reverse("votes:register_confirm", args=[world.estate.pk])
    for client in (owner, secretary, stranger, outsider_staff):
        assert client.get(page).status_code == 404
        assert client.post(page, {"file": upload()}).status_code == 404
        assert client.post(confirm_url, {"token": "a" * 32, "sha256": "0" * 64}).status_code == 404
    for client in (owner, secretary):
        assert client.get(reverse("votes:registers")).status_code == 403
        assert client.get(reverse("votes:register_template")).status_code == 403
        assert 'data-testid="registers-link"' not in client.get(reverse("votes:list")).content.decode()
    assert 'data-testid="register-link"' not in owner.get(reverse("votes:detail", args=[vote.pk])).content.decode()
    assert f'data-testid="register-{world.estate.pk}"' not in stranger.get(reverse("votes:registers")).content.decode()
    assert not Unit.objects.filter(estate=world.estate, label="2栋101").exists()


def test_a_preview_in_ones_session_cannot_be_confirmed_from_anothers():
    world = make_world()
    chair, clerk = client_for(world.chair), client_for(world.clerks[0])
    _, fields = preview(chair, world)
    refused = confirm(clerk, world, fields)
    assert refused.status_code == 409
    assert not Unit.objects.filter(estate=world.estate, label="2栋101").exists()


def test_every_register_page_speaks_english_when_asked():
    from tests.english import read

    world = make_world()
    drive(world, new_vote(world), State.NOTICED)
    world.chair.language = "en"
    world.chair.save(update_fields=["language"])
    chair = client_for(world.chair)
    pages = {
        "list": chair.get(reverse("votes:registers")),
        "estate": chair.get(reverse("votes:register", args=[world.estate.pk])),
        "errors": preview(chair, world, [ROWS[0], ["3栋1", "-1", "估算", "", "developer", ""]])[0],
        "bad file": chair.post(reverse("votes:register", args=[world.estate.pk]), {"file": SimpleUploadedFile("r.xls", b"x")}),
    }
    shown, fields = preview(chair, world)
    pages["preview"] = shown
    pages["result"] = confirm(chair, world, fields)
    pages["expired"] = confirm(chair, world, fields)
    for name, response in pages.items():
        html = response.content.decode()
        chinese, _links = read(html[html.index("<h1>"):])
        assert not chinese, (name, chinese)
        assert "Owners" in html or "register" in html, name
