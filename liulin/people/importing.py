"""Import residents from a community's xlsx ledger (台账): dry run first, then all or nothing.

`plan_import` reads the sheet and validates every row with the same `services.build_resident`
a form uses, so a rule lives in one place; it writes nothing. `commit_import` writes a clean
plan in one transaction with bulk inserts (10,000 rows in seconds). Between the two steps of the
web page the upload is kept encrypted (Fernet), never as a plain file.
"""

import base64
import io
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation

from liulin.core import audit, clock, crypto
from liulin.core.errors import Invalid, NotPermitted, TooLarge
from liulin.core.masking import mask_phone
from liulin.core.permissions import can
from liulin.territory.models import Building, Household

from . import services
from .models import CareTag, Resident

COLUMNS = ("姓名", "性别", "出生日期", "手机号", "身份证号", "小区", "楼栋", "房号", "与户主关系", "关爱标签", "党员")
REQUIRED_COLUMNS = ("姓名", "性别", "小区", "楼栋", "房号")
FIELD_COLUMNS = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "mobile": "手机号",
    "id_number": "身份证号",
    "relation": "与户主关系",
    "household": "房号",
    "room": "房号",
}
GENDERS = {"男": "M", "女": "F"}
# The sheet's words are Chinese whatever the page's language: the labels' source text.
with translation.override(None):
    RELATIONS = {str(label): value for value, label in Resident.Relation.choices} | {"本人": Resident.Relation.HEAD}
YES = {"是", "Y", "YES", "1", "TRUE", "党员"}
NO = {"否", "N", "NO", "0", "FALSE", ""}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
TAG_SEPARATORS = ("，", "、", ";", "；")
MAX_ROWS = 20_000
BATCH = 1000
STASH_HOURS = 2


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"第 {self.row} 行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class PlannedRow:
    row: int
    resident: Resident
    building: Building
    room: str
    tag_ids: list[int]

    @property
    def address(self):
        return f"{self.building.estate.name}{self.building.name}{self.room}室"

    @property
    def mobile_masked(self):
        return mask_phone(self.resident.mobile)


@dataclass
class ImportPlan:
    community: object
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors and bool(self.rows)

    @property
    def rows_with_errors(self):
        return len({e.row for e in self.errors})


class _RowInvalid(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.error = (column, message)


# --- reading cells -------------------------------------------------------------------------

def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _RowInvalid("出生日期", "日期格式应为 1960-05-17。")


def _parse_id_number(value):
    # Excel turns an 18-digit number into a float and loses the last digits: insist on text.
    if isinstance(value, int | float):
        raise _RowInvalid("身份证号", "身份证号请设置为“文本”格式后重新填写（数字格式会丢失末几位）。")
    return _text(value).upper()


def _parse_choice(value, choices, column):
    text = _text(value)
    if text not in choices:
        raise _RowInvalid(column, f"应填写：{'、'.join(choices)}。")
    return choices[text]


def _parse_party(value):
    text = _text(value).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _RowInvalid("党员", "应填写“是”或“否”。")


def _split_tags(value):
    text = _text(value)
    for sep in TAG_SEPARATORS:
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


# --- the sheet -----------------------------------------------------------------------------

def _open_sheet(source):
    # openpyxl (about 30 MB) is imported by the workers that read or write a sheet, not by all.
    from openpyxl import load_workbook
    from openpyxl.utils import exceptions as xlsx_errors

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (xlsx_errors.InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise Invalid("无法读取该文件，请上传 Excel（.xlsx）台账。", code="bad_file", field="file") from e
    return workbook, workbook.worksheets[0]


def _header_index(header):
    names = [_text(h) for h in header]
    index = {name: i for i, name in enumerate(names) if name}
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        raise Invalid(f"第 1 行缺少列：{'、'.join(missing)}。请使用导入模板的表头。", code="missing_columns", field="file")
    if "出生日期" not in index and "身份证号" not in index:
        raise Invalid("第 1 行需要“出生日期”或“身份证号”列。", code="missing_columns", field="file")
    return index


def _rows(sheet) -> Iterable[tuple[int, dict]]:
    """(row number as Excel shows it, {column: value}) for every non-empty row under the header."""
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise Invalid("文件是空的。", code="empty_file", field="file")
    index = _header_index(header)
    for number, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        if number - 1 > MAX_ROWS:
            raise TooLarge(f"一次最多导入 {MAX_ROWS} 行，请分批导入。", field="file")
        yield number, {name: (values[i] if i < len(values) else None) for name, i in index.items()}


class _Lookups:
    """Estates, buildings, households and care tags of one community, loaded once per import."""

    def __init__(self, community):
        buildings = Building.objects.filter(community=community).select_related("estate")
        self.buildings = {(b.estate.name, b.name): b for b in buildings}
        self.estates = {b.estate.name for b in buildings}
        self.tags = {t.name: t.pk for t in CareTag.objects.all()}

    def building(self, estate_name, building_name):
        if estate_name not in self.estates:
            raise _RowInvalid("小区", f"本社区没有名为“{estate_name}”的小区（或该小区尚无楼栋）。")
        building = self.buildings.get((estate_name, building_name))
        if building is None:
            raise _RowInvalid("楼栋", f"“{estate_name}”没有“{building_name}”。")
        return building

    def tag_ids(self, names):
        unknown = [n for n in names if n not in self.tags]
        if unknown:
            raise _RowInvalid("关爱标签", f"未知的关爱标签：{'、'.join(unknown)}。")
        return [self.tags[n] for n in names]


def _plan_row(number, cells, lookups):
    building = lookups.building(_text(cells.get("小区")), _text(cells.get("楼栋")))
    room = _text(cells.get("房号"))
    if not room:
        raise _RowInvalid("房号", "请填写房号。")
    relation_text = _text(cells.get("与户主关系")) or "户主"
    fields = {
        "name": _text(cells.get("姓名")),
        "gender": _parse_choice(cells.get("性别"), GENDERS, "性别"),
        "birth_date": _parse_date(cells.get("出生日期")),
        "mobile": _text(cells.get("手机号")),
        "relation": _parse_choice(relation_text, RELATIONS, "与户主关系"),
        "is_party_member": _parse_party(cells.get("党员")),
    }
    tag_ids = lookups.tag_ids(_split_tags(cells.get("关爱标签")))
    try:
        resident = services.build_resident(id_number=_parse_id_number(cells.get("身份证号")), **fields)
    except Invalid as e:
        raise _RowInvalid(FIELD_COLUMNS.get(e.field, ""), e.detail) from None
    return PlannedRow(row=number, resident=resident, building=building, room=room, tag_ids=tag_ids)


def _check_duplicate_ids(plan):
    """An ID number may appear once in the file and must not already be registered."""
    first_row = {}
    for planned in plan.rows:
        id_hash = planned.resident.id_hash
        if not id_hash:
            continue
        if id_hash in first_row:
            plan.errors.append(RowError(planned.row, "身份证号", f"与第 {first_row[id_hash]} 行的身份证号重复。"))
        else:
            first_row[id_hash] = planned.row
    hashes = list(first_row)
    for start in range(0, len(hashes), BATCH):
        for id_hash in Resident.objects.filter(id_hash__in=hashes[start : start + BATCH]).values_list("id_hash", flat=True):
            plan.errors.append(RowError(first_row[id_hash], "身份证号", "该身份证号已登记在册。"))


def plan_import(source, *, community):
    """Read and validate every row; write nothing. `source` is a path or a binary file object."""
    plan = ImportPlan(community=community)
    lookups = _Lookups(community)
    workbook, sheet = _open_sheet(source)
    try:
        for number, cells in _rows(sheet):
            try:
                plan.rows.append(_plan_row(number, cells, lookups))
            except _RowInvalid as e:
                plan.errors.append(RowError(number, *e.error))
    finally:
        workbook.close()
    if not plan.rows and not plan.errors:
        raise Invalid("表中没有居民数据（表头下面是空的）。", code="empty_file", field="file")
    _check_duplicate_ids(plan)
    plan.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))
    return plan


# --- writing -------------------------------------------------------------------------------

def _households_for(plan):
    """Household ids for every planned row, registering the rooms that are new in one insert."""
    building_ids = {p.building.pk for p in plan.rows}
    known = {
        (h.building_id, h.room): h.pk
        for h in Household.objects.filter(building_id__in=building_ids).only("pk", "building_id", "room")
    }
    new = {}
    for p in plan.rows:
        key = (p.building.pk, p.room)
        if key not in known and key not in new:
            # bulk_create skips Household.save, so copy its grid and community the same way.
            new[key] = Household(
                building=p.building, room=p.room, grid_id=p.building.grid_id, community_id=p.building.community_id
            )
    Household.objects.bulk_create(new.values(), batch_size=BATCH)
    known.update({key: h.pk for key, h in new.items()})
    return known, len(new)


@transaction.atomic
def commit_import(*, actor, plan):
    """Write a clean plan: all rows or none. Returns the number of residents created."""
    if actor is not None and not can(actor, "people.import", plan.community):
        raise NotPermitted("您的角色不能导入居民台账。")
    if plan.errors:
        raise Invalid(f"有 {plan.rows_with_errors} 行有错误，未导入任何数据。", code="import_has_errors")
    if not plan.rows:
        raise Invalid("没有可导入的居民。", code="empty_file")
    households, new_households = _households_for(plan)
    residents = []
    for p in plan.rows:
        p.resident.household_id = households[(p.building.pk, p.room)]
        residents.append(p.resident)
    try:
        with transaction.atomic():
            Resident.objects.bulk_create(residents, batch_size=BATCH)
    except IntegrityError:
        raise Invalid("导入期间有身份证号被他人登记，请重新上传核对。", code="duplicate_id") from None
    through = Resident.care_tags.through
    links = [through(resident_id=p.resident.pk, caretag_id=t) for p in plan.rows for t in p.tag_ids]
    through.objects.bulk_create(links, batch_size=BATCH)
    audit.record(
        actor=actor,
        action="resident.import",
        target=plan.community,
        residents=len(residents),
        households_created=new_households,
    )
    return len(residents)


# --- keeping an upload between the dry run and the confirmation ----------------------------

def _stash_dir():
    return Path(settings.MEDIA_ROOT) / "people-imports"


def _stash_path(token):
    if not token.replace("-", "").replace("_", "").isalnum():
        raise Invalid("导入已过期，请重新上传。", code="import_expired")
    return _stash_dir() / f"{token}.bin"


def _drop_stale_stashes():
    """Uploads nobody confirmed are removed after STASH_HOURS, so personal data does not pile up."""
    cutoff = clock.now().timestamp() - STASH_HOURS * 3600
    for path in _stash_dir().glob("*.bin"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stash_upload(data: bytes) -> str:
    """Keep an uploaded ledger encrypted until it is confirmed or dropped; returns its token."""
    token = secrets.token_urlsafe(24)
    _stash_dir().mkdir(parents=True, exist_ok=True)
    _drop_stale_stashes()
    _stash_path(token).write_text(crypto.encrypt(base64.b64encode(data).decode()))
    return token


def load_stash(token) -> io.BytesIO:
    path = _stash_path(token)
    if not path.exists():
        raise Invalid("导入已过期，请重新上传。", code="import_expired")
    return io.BytesIO(base64.b64decode(crypto.decrypt(path.read_text())))


def drop_stash(token):
    _stash_path(token).unlink(missing_ok=True)
