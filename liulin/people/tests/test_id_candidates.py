"""What a role without the ID reveal sees of a person leaves at least 10,000 ID numbers.

The count is driven by the responses that role actually gets - list and detail pages, API
list and detail, the xlsx export where it may export - parsed for the masks, birth dates,
ages and gender they show. The attacker is granted the 6-digit region code (the county
code is taken as known); an 18-digit GB 11643 number is region + birth date + 3-digit
sequence (odd for men) + check character.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from liulin.accounts.tests.factories import make_user
from liulin.core import clock, crypto
from liulin.core.permissions import has_perm_anywhere, roles_with
from liulin.core.roles import GRID_ROLES, ORG_ROLES, Role
from liulin.core.validators import id_check_char
from liulin.people.models import Resident
from liulin.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/people/residents"
ENOUGH = 10_000
MASK_RE = re.compile(r"(?<![0-9X*])[0-9X*]{18}(?![0-9X*])")
DATE_RE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
AGE_RE = re.compile(r"(\d{1,3}) 岁")
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}


class Seen:
    """What one role was shown of one person, across all its responses."""

    def __init__(self):
        self.masks, self.dates, self.ages, self.genders, self.sources = set(), set(), set(), set(), []

    def text(self, source, text):
        """Anything in free text (an HTML fragment about the person)."""
        self.sources.append(source)
        self.masks |= {m for m in MASK_RE.findall(text) if "*" in m}
        self.dates |= {_date(*m) for m in DATE_RE.findall(text)} - {None}
        self.ages |= {int(a) for a in AGE_RE.findall(text)}
        self.genders |= {GENDERS[g] for g in re.findall(r">\s*(男|女)\b", text)}

    def fields(self, source, values):
        """Named values (a JSON object or a spreadsheet row): read every one as text too."""
        self.sources.append(source)
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool):
                continue
            value = "" if value is None else str(value)
            if value in GENDERS:
                self.genders.add(GENDERS[value])
            self.masks |= {m for m in MASK_RE.findall(value) if "*" in m}
            self.dates |= {_date(*m) for m in DATE_RE.findall(value)} - {None}


def _date(y, m, d):
    try:
        return datetime.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _age(birth, today):
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _dates_for(ages, today):
    if not ages:
        start, end = datetime.date(1900, 1, 1), today
    else:
        start, end = datetime.date(today.year - max(ages) - 1, 1, 1), datetime.date(today.year - min(ages), 12, 31)
    day, days = start, []
    while day <= min(end, today):
        if not ages or _age(day, today) in ages:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def id_candidates(region, seen, today, *, stop_at=None):
    """How many 18-digit ID numbers agree with the region and everything in `seen`."""
    days = _dates_for(seen.ages, today)
    shown = {d for d in seen.dates if d in days}
    if shown:  # a date beside the person that fits his age is taken for his birth date
        days = sorted(shown)
    sequences = [s for s in range(1000) if not seen.genders or ("M" if s % 2 else "F") in seen.genders]
    masks = [[(i, c) for i, c in enumerate(m) if c != "*"] for m in seen.masks]
    count = 0
    for day in days:
        for seq in sequences:
            first17 = f"{region}{day:%Y%m%d}{seq:03d}"
            number = first17 + id_check_char(first17)
            if all(number[i] == c for mask in masks for i, c in mask):
                count += 1
                if stop_at and count >= stop_at:
                    return count
    return count


def _item(items, name):
    return next((i for i in items if i["name"] == name), None)


def _list_row(html, name):
    rows = re.findall(r'<li class="card resident-row">.*?</li>', html, re.S)
    return next((r for r in rows if f">{name}</a>" in r), None)


def what_role_sees(client, user, resident):
    seen = Seen()
    html = client.get(reverse("people:resident_list")).content.decode()
    if row := _list_row(html, resident.name):
        seen.text("list page", row)
    detail = client.get(reverse("people:resident_detail", args=[resident.pk]))
    if detail.status_code == 200:
        seen.text("detail page", detail.content.decode())
    if item := _item(client.get(API).json().get("items", []), resident.name):
        seen.fields("api list", item.values())
        seen.ages.add(item["age"])
    api_detail = client.get(f"{API}/{resident.pk}")
    if api_detail.status_code == 200:
        seen.fields("api detail", api_detail.json().values())
        seen.ages.add(api_detail.json()["age"])
    if has_perm_anywhere(user, "people.export"):
        response = client.get(reverse("people:export"))
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0].iter_rows(values_only=True))
        header = rows[0]
        for row in rows[1:]:
            if row[0] == resident.name:
                seen.fields("export", row)
                seen.ages.add(int(row[header.index("年龄")]))
    return seen


def _user_for(role, town, household_member):
    role = Role(role)
    if role == Role.RESIDENT:
        return make_user(role, resident=household_member)
    if role in GRID_ROLES:
        return make_user(role, town["grid1"])
    if role in ORG_ROLES:
        return None  # organisation roles reach no resident
    return make_user(role, town["community"])


ROLES_WITHOUT_REVEAL = sorted(roles_with("people.view") - roles_with("people.reveal_id"))


@pytest.mark.parametrize("role", ROLES_WITHOUT_REVEAL)
def test_what_a_role_without_the_reveal_sees_leaves_ten_thousand_id_numbers(client, town, role):
    zhang = town["zhang"]
    wife = ResidentFactory(name="王芳", household=zhang.household, relation=Resident.Relation.SPOUSE)
    user = _user_for(role, town, wife)
    if user is None:
        pytest.skip("an organisation role sees no resident")
    client.force_login(user)
    seen = what_role_sees(client, user, zhang)
    assert seen.sources and seen.masks, f"{role} was shown nothing of 张三: the count would prove nothing"
    region = crypto.decrypt(zhang.id_cipher)[:6]
    count = id_candidates(region, seen, clock.today(), stop_at=ENOUGH)
    assert count >= ENOUGH, f"{role} narrows 张三's ID number to {count} from {seen.sources}"


def test_a_role_that_may_reveal_still_sees_the_birth_date(staff_client, town):
    """The narrowing is for roles without the reveal: staff keep the birth date they may get anyway."""
    zhang = town["zhang"]
    assert staff_client.get(f"{API}/{zhang.pk}").json()["birth_date"] == "1958-03-09"
    assert "1958-03-09" in staff_client.get(reverse("people:resident_detail", args=[zhang.pk])).content.decode()


def test_the_counter_sees_the_old_leak():
    """The old display - birth date beside 4301**********019X - left one number."""
    number = "43011219580309019" + id_check_char("43011219580309019")
    seen = Seen()
    seen.fields("old", [f"{number[:4]}**********{number[-4:]}", "1958-03-09", "男"])
    assert id_candidates("430112", seen, datetime.date(2026, 1, 1)) == 1
