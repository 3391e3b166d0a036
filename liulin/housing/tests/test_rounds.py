"""Opening a call for applications: the service checks every row of conditions and tiers
before it writes anything; the manager's list and form (rows, blank rows left out, an error
shown on its row, more rows without losing what was typed); POST /api/v1/housing/rounds.
Allowed for community staff and secretary in their own community, refused to everyone else,
and bad input changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liulin.accounts.tests.factories import make_user
from liulin.core.errors import Invalid, NotFound
from liulin.core.roles import Role
from liulin.housing import services
from liulin.housing.models import Round, RoundEvent, Rule, Tier

from .factories import RULES, TIERS, Town

pytestmark = pytest.mark.django_db


# --- the service ------------------------------------------------------------------------------


def test_a_round_is_made_with_its_rules_and_tiers_and_the_event_carries_them():
    town = Town()
    round_ = services.create_round(actor=town.secretary, community=town.community, title=" 2026 年第二批 ", rules=RULES, tiers=TIERS,
                                   offer_days="10")
    assert round_.state == Round.State.OPEN and round_.title == "2026 年第二批" and round_.offer_days == 10
    assert [(r.key, r.kind, r.limit) for r in round_.rules.all()] == [(k, kind, limit) for k, _l, kind, limit, _d in RULES]
    assert [(t.code, t.group) for t in round_.tiers.all()] == [(c, g) for c, _l, g in TIERS]
    event = RoundEvent.objects.get(round=round_)
    assert event.action == "create" and [row[0] for row in event.data["rules"]] == [r[0] for r in RULES]


def test_a_yes_or_no_rule_keeps_no_limit():
    town = Town()
    round_ = services.create_round(actor=town.staff, community=town.community, title="批次",
                                   rules=[("no_local_housing", "本市无自有住房", "yes", 5, "")], tiers=TIERS)
    assert round_.rules.get().limit is None


BAD_ROWS = [
    ("no rules", {"rules": []}, "rules_required", "rules"),
    ("a key with capitals", {"rules": [("Income", "收入", "max", 1, "")]}, "invalid_key", "rules.0.key"),
    ("a key with a hyphen", {"rules": [("in-come", "收入", "max", 1, "")]}, "invalid_key", "rules.0.key"),
    ("a key too long", {"rules": [("k" * 33, "收入", "max", 1, "")]}, "invalid_key", "rules.0.key"),
    ("a key twice", {"rules": [RULES[0], RULES[0]]}, "duplicate_key", "rules.1.key"),
    ("no condition", {"rules": [("income_fen", "  ", "max", 1, "")]}, "label_required", "rules.0.label"),
    ("an unknown kind", {"rules": [("income_fen", "收入", "between", 1, "")]}, "invalid_kind", "rules.0.kind"),
    ("at most without a limit", {"rules": [RULES[0], ("income_fen", "收入", "max", None, "")]}, "limit_required", "rules.1.limit"),
    ("a negative limit", {"rules": [("months", "月数", "min", -1, "")]}, "limit_required", "rules.0.limit"),
    ("a true limit", {"rules": [("months", "月数", "min", True, "")]}, "limit_required", "rules.0.limit"),
    ("a NUL in the proof", {"rules": [("months", "月数", "min", 6, "证\x00明")]}, "invalid_character", "rules.0.document"),
    ("too many rules", {"rules": [(f"k{i}", "条件", "yes", None, "") for i in range(31)]}, "too_many_rules", "rules"),
    ("no tiers", {"tiers": []}, "tiers_required", "tiers"),
    ("a tier code twice", {"tiers": [TIERS[0], TIERS[0]]}, "duplicate_code", "tiers.1.code"),
    ("a tier without a name", {"tiers": [("a", "", 0)]}, "label_required", "tiers.0.label"),
    ("a group of 100", {"tiers": [("a", "A 类", 100)]}, "invalid_group", "tiers.0.group"),
    ("a group that is not a number", {"tiers": [("a", "A 类", "first")]}, "invalid_group", "tiers.0.group"),
    ("no title", {"title": "  "}, "title_required", "title"),
    ("no days to answer", {"offer_days": 0}, "invalid_offer_days", "offer_days"),
    ("a year to answer", {"offer_days": 365}, "invalid_offer_days", "offer_days"),
]


@pytest.mark.parametrize(("case", "changes", "code", "field"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_row_is_refused_by_name_and_nothing_is_written(case, changes, code, field):
    town = Town()
    kwargs = {"title": "批次", "rules": RULES, "tiers": TIERS, **changes}
    with pytest.raises(Invalid) as refused:
        services.create_round(actor=town.staff, community=town.community, **kwargs)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Round.objects.exists() and not Rule.objects.exists() and not Tier.objects.exists()


@pytest.mark.parametrize("who", ["resident", "auditor", "grid_worker", "other_staff"])
def test_only_the_communitys_staff_and_secretary_open_a_round(who):
    town, there = Town(), Town()
    actor = {"resident": lambda: town.resident().user, "auditor": lambda: make_user(Role.AUDITOR, town.community),
             "grid_worker": lambda: make_user(Role.GRID_WORKER, town.grid), "other_staff": lambda: there.staff}[who]()
    with pytest.raises(NotFound):
        services.create_round(actor=actor, community=town.community, title="批次", rules=RULES, tiers=TIERS)
    assert not Round.objects.exists()


# --- the pages --------------------------------------------------------------------------------


def _management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "30"}


def _post(town, rules, tiers, **form):
    data = {"community": town.community.pk, "title": "2026 年第二批青年人才公寓", "offer_days": "7",
            **_management("rules", len(rules) + 1), **_management("tiers", len(tiers) + 1), **form}
    for i, (key, label, kind, limit, document) in enumerate(rules):
        data.update({f"rules-{i}-key": key, f"rules-{i}-label": label, f"rules-{i}-kind": kind,
                     f"rules-{i}-limit": "" if limit is None else str(limit), f"rules-{i}-document": document})
    for i, (code, label, group) in enumerate(tiers):
        data.update({f"tiers-{i}-code": code, f"tiers-{i}-label": label, f"tiers-{i}-group": str(group)})
    return data  # one blank row of each left at the end


YUAN_RULES = [
    ("no_local_housing", "本市无自有住房", "yes", None, "不动产登记查询证明"),
    ("annual_income_fen", "家庭年收入不超过 20 万元", "max", 200_000, "收入证明"),  # yuan on the form
    ("local_employment_months", "本地稳定就业满 6 个月", "min", 6, ""),
]


def test_the_manager_opens_a_round_from_the_form_with_rows(client):
    town = Town()
    client.force_login(town.staff)
    home = client.get("/housing/").content.decode()
    assert 'data-testid="new-round"' in home and 'data-testid="rounds-link"' in home
    page = client.get("/housing/rounds/new/").content.decode()
    assert 'data-testid="rule-row-4"' in page and 'data-testid="rule-row-5"' not in page and 'data-testid="tier-row-2"' in page
    response = client.post("/housing/rounds/new/", _post(town, YUAN_RULES, TIERS))
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/housing/rounds/{round_.pk}/"
    assert [(r.key, r.limit, r.document) for r in round_.rules.all()] == [
        ("no_local_housing", None, "不动产登记查询证明"), ("annual_income_fen", 20_000_000, "收入证明"), ("local_employment_months", 6, "")]
    assert [t.code for t in round_.tiers.all()] == ["a", "b", "c"]
    # Residents of the community can apply to it at once, and the applicant form asks the income in yuan.
    me = town.resident()
    client.force_login(me.user)
    assert f'data-testid="round-{round_.pk}"' in client.get("/housing/").content.decode()
    assert "单位：元" in client.get(f"/housing/rounds/{round_.pk}/apply/").content.decode()


def test_a_bad_row_shows_its_error_on_that_row_and_nothing_is_made(client):
    town = Town()
    client.force_login(town.staff)
    rules = [YUAN_RULES[0], ("annual_income_fen", "收入", "max", None, "")]
    response = client.post("/housing/rounds/new/", _post(town, rules, TIERS))
    page = response.content.decode()
    assert response.status_code == 200 and "第 2 条条件须填写限值" in page
    row = page[page.index('data-testid="rule-row-1"'):page.index('data-testid="rule-row-2"')]
    assert "第 2 条条件须填写限值" in row
    assert 'value="annual_income_fen"' in page  # what was typed is kept
    assert not Round.objects.exists()
    none = client.post("/housing/rounds/new/", _post(town, [], TIERS))
    assert 'data-testid="rules-error"' in none.content.decode() and not Round.objects.exists()
    twice = client.post("/housing/rounds/new/", _post(town, YUAN_RULES, [TIERS[0], TIERS[0]]))
    assert "人才层次代码“a”重复" in twice.content.decode() and not Round.objects.exists()
    bad_number = client.post("/housing/rounds/new/", {**_post(town, YUAN_RULES, TIERS), "tiers-0-group": "一"})
    assert bad_number.status_code == 200 and not Round.objects.exists()
    no_title = client.post("/housing/rounds/new/", {**_post(town, YUAN_RULES, TIERS), "title": ""})
    assert no_title.status_code == 200 and not Round.objects.exists()


def test_more_rows_keep_what_was_typed_and_make_nothing(client):
    town = Town()
    client.force_login(town.staff)
    response = client.post("/housing/rounds/new/", {**_post(town, YUAN_RULES, TIERS), "more": "rules"})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="rule-row-6"' in page and 'data-testid="rule-row-7"' not in page
    assert 'value="local_employment_months"' in page and 'value="C 类青年人才"' in page
    assert not Round.objects.exists()
    capped = client.post("/housing/rounds/new/", {**_post(town, YUAN_RULES, TIERS), "rules-TOTAL_FORMS": "29", "more": "rules"})
    assert 'data-testid="rule-row-29"' in capped.content.decode() and 'data-testid="rule-row-30"' not in capped.content.decode()


def test_who_may_not_open_a_round_is_refused_and_nothing_is_made(client):
    town, there = Town(), Town()
    for user in (town.resident().user, make_user(Role.AUDITOR, town.community), make_user(Role.GRID_WORKER, town.grid)):
        client.force_login(user)
        assert client.get("/housing/rounds/new/").status_code == 404
        assert client.post("/housing/rounds/new/", _post(town, YUAN_RULES, TIERS)).status_code == 404
        assert 'data-testid="new-round"' not in client.get("/housing/rounds/").content.decode()
    # Another community's staff cannot name this community.
    client.force_login(there.staff)
    response = client.post("/housing/rounds/new/", _post(town, YUAN_RULES, TIERS))
    assert response.status_code == 200 and 'data-testid="round-form"' in response.content.decode()
    assert not Round.objects.exists()


def test_the_round_list_shows_each_role_its_own(client):
    town, there = Town(), Town()
    here_round, there_round = town.round(), there.round()
    town.apply(here_round)
    client.force_login(town.staff)
    page = client.get("/housing/rounds/").content.decode()
    assert f'data-testid="round-row-{here_round.pk}"' in page and f'data-testid="round-row-{there_round.pk}"' not in page
    assert "1 份申请" in page and 'data-testid="new-round"' in page
    client.force_login(town.resident().user)
    page = client.get("/housing/rounds/").content.decode()
    assert f'data-testid="round-row-{here_round.pk}"' in page and f'data-testid="round-row-{there_round.pk}"' not in page
    assert "份申请" not in page  # counts are the manager's


def test_the_round_list_does_not_query_per_row(client):
    town = Town()
    client.force_login(town.staff)

    def count():
        client.get("/housing/rounds/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/housing/rounds/").status_code == 200
        return len(queries)

    town.apply(town.round())
    few = count()
    for _ in range(3):
        town.apply(town.round())
    assert count() == few


# --- the API ----------------------------------------------------------------------------------


def _body(**changes):
    return {"title": "2026 年第二批", "offer_days": 7,
            "rules": [{"key": k, "label": lb, "kind": kind, "limit": limit, "document": doc} for k, lb, kind, limit, doc in RULES],
            "tiers": [{"code": c, "label": lb, "group": g} for c, lb, g in TIERS], **changes}


def test_the_api_opens_a_round_in_the_managers_community(client):
    town = Town()
    client.force_login(town.staff)
    response = client.post("/api/v1/housing/rounds", _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["community_id"] == town.community.pk and body["state"] == "open"
    assert [r["limit"] for r in body["rules"]] == [None, 20_000_000, 6] and [t["code"] for t in body["tiers"]] == ["a", "b", "c"]
    named = client.post("/api/v1/housing/rounds", _body(community_id=town.community.pk), content_type="application/json")
    assert named.status_code == 201
    assert Round.objects.count() == 2


def test_the_api_refuses_bad_rows_and_other_people_and_changes_nothing(client):
    town, there = Town(), Town()
    client.force_login(town.staff)
    bad = _body(rules=[{"key": "income_fen", "label": "收入", "kind": "max", "limit": None}])
    response = client.post("/api/v1/housing/rounds", bad, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "limit_required" and response.json()["field"] == "rules.0.limit"
    response = client.post("/api/v1/housing/rounds", _body(tiers=[]), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "tiers_required"
    response = client.post("/api/v1/housing/rounds", _body(rules="none"), content_type="application/json")
    assert response.status_code == 422
    response = client.post("/api/v1/housing/rounds", _body(community_id=there.community.pk), content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(town.resident().user)
    response = client.post("/api/v1/housing/rounds", _body(), content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = client.post("/api/v1/housing/rounds", _body(community_id=town.community.pk), content_type="application/json")
    assert response.status_code == 404
    assert not Round.objects.exists() and not Rule.objects.exists()
