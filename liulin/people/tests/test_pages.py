import pytest
from django.urls import reverse

from liulin.accounts.tests.factories import make_user
from liulin.core.models import AccessLog
from liulin.core.roles import Role
from liulin.people.models import Resident
from liulin.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def detail_url(resident):
    return reverse("people:resident_detail", args=[resident.pk])


def reveal_url(resident):
    return reverse("people:resident_reveal", args=[resident.pk])


def login(client, role, scope=None, **kw):
    user = make_user(role, scope, **kw)
    client.force_login(user)
    return user


def test_detail_shows_masked_phone_and_id_and_never_the_plain_values(staff_client, town):
    zhang = town["zhang"]
    html = staff_client.get(detail_url(zhang)).content.decode()
    plain_id = _plain_id(zhang)
    assert "138****5678" in html
    assert zhang.id_masked in html and zhang.id_masked.endswith("X")
    assert "13812345678" not in html
    assert plain_id not in html
    assert "中南小苑3栋301室" in html
    assert "岁" in html


def test_list_shows_masked_phone(staff_client, town):
    html = staff_client.get(reverse("people:resident_list")).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "张三" in html and "李四" in html


def test_reveal_with_reason_shows_value_once_and_logs_access(staff_client, staff, town):
    zhang = town["zhang"]
    response = staff_client.post(reveal_url(zhang), {"field": "id_number", "reason": "上门核实低保材料"})
    assert response.status_code == 200
    assert _plain_id(zhang) in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.target_id, log.field, log.reason) == (staff, str(zhang.pk), "id_number", "上门核实低保材料")
    # The value is not kept anywhere: the next page is masked again.
    again = staff_client.get(detail_url(zhang)).content.decode()
    assert _plain_id(zhang) not in again


def test_reveal_without_reason_is_refused_and_not_logged(staff_client, town):
    response = staff_client.post(reveal_url(town["zhang"]), {"field": "mobile", "reason": ""})
    assert response.status_code == 400
    assert "13812345678" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_auditor_sees_no_reveal_form_and_gets_403_on_post(client, town):
    login(client, Role.AUDITOR, town["community"])
    page = client.get(detail_url(town["zhang"]))
    assert page.status_code == 200
    assert b'data-testid="reveal-form"' not in page.content
    response = client.post(reveal_url(town["zhang"]), {"field": "mobile", "reason": "想看看"})
    assert response.status_code == 403
    assert b"13812345678" not in response.content
    assert not AccessLog.objects.exists()


def test_hotline_operator_may_reveal_phone_but_not_id(client, town):
    login(client, Role.HOTLINE_OPERATOR, town["community"])
    zhang = town["zhang"]
    assert client.post(reveal_url(zhang), {"field": "id_number", "reason": "核实身份"}).status_code == 403
    ok = client.post(reveal_url(zhang), {"field": "mobile", "reason": "回访来电"})
    assert ok.status_code == 200 and b"13812345678" in ok.content
    assert list(AccessLog.objects.values_list("field", flat=True)) == ["mobile"]


def test_grid_worker_gets_404_for_resident_of_another_grid(client, town):
    login(client, Role.GRID_WORKER, town["grid1"])
    assert client.get(detail_url(town["zhang"])).status_code == 200
    assert client.get(detail_url(town["li"])).status_code == 404
    assert client.post(reveal_url(town["li"]), {"field": "mobile", "reason": "走访"}).status_code == 404
    assert client.get(reverse("people:resident_edit", args=[town["li"].pk])).status_code == 404
    listing = client.get(reverse("people:resident_list")).content.decode()
    assert "张三" in listing and "李四" not in listing


def test_resident_sees_only_his_household(client, town):
    zhang = town["zhang"]
    wife = ResidentFactory(name="王芳", household=zhang.household, relation=Resident.Relation.SPOUSE)
    login(client, Role.RESIDENT, resident=zhang)
    listing = client.get(reverse("people:resident_list")).content.decode()
    assert "张三" in listing and "王芳" in listing and "李四" not in listing
    assert "王芳" in client.get(detail_url(zhang)).content.decode()  # household members
    assert client.get(detail_url(wife)).status_code == 200
    assert client.get(detail_url(town["li"])).status_code == 404


def test_auditor_reads_but_edit_and_import_are_refused(client, town):
    login(client, Role.AUDITOR, town["community"])
    zhang = town["zhang"]
    assert client.get(reverse("people:resident_list")).status_code == 200
    edit = client.post(reverse("people:resident_edit", args=[zhang.pk]), {"name": "改名"})
    assert edit.status_code == 403
    assert client.post(reverse("people:import"), {}).status_code == 403
    assert client.post(reverse("people:resident_create"), {"name": "新人"}).status_code == 403
    zhang.refresh_from_db()
    assert zhang.name == "张三"


def test_registry_pages_are_never_cached(staff_client, town):
    zhang = town["zhang"]
    for url in (
        reverse("people:resident_list"),
        detail_url(zhang),
        reverse("people:resident_edit", args=[zhang.pk]),
        reverse("people:resident_create"),
        reverse("people:import"),
        reverse("people:export"),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    reveal = staff_client.post(reveal_url(zhang), {"field": "mobile", "reason": "回访"})
    assert "no-store" in reveal["Cache-Control"]


def test_htmx_search_returns_only_the_results_partial(staff_client, town):
    response = staff_client.get(reverse("people:resident_list"), {"q": "zs"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "张三" in html and "李四" not in html
    assert "<html" not in html


def test_anonymous_user_is_sent_to_login(client, town):
    response = client.get(detail_url(town["zhang"]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def _plain_id(resident):
    from liulin.core import crypto

    return crypto.decrypt(resident.id_cipher)


def test_htmx_history_restore_gets_the_whole_page_and_no_local_copy(staff_client, town):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = staff_client.get(reverse("people:resident_list"), {"q": "zs"}, headers=headers).content.decode()
    assert "<html" in html and "张三" in html
    assert 'hx-history="false"' in html  # htmx must not keep registry pages in localStorage


def test_the_reveal_page_is_limited_per_user_per_hour(staff_client, town, settings, rate_window_held):
    settings.LIULIN_REVEAL_RATE_LIMIT = "1/h"
    assert staff_client.post(reveal_url(town["zhang"]), {"field": "mobile", "reason": "回访"}).status_code == 200
    limited = staff_client.post(reveal_url(town["zhang"]), {"field": "mobile", "reason": "回访"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "13812345678" not in limited.content.decode() and "频繁" in limited.content.decode()
    assert AccessLog.objects.count() == 1
