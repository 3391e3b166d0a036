"""The owners' register from a spreadsheet, with a dry run.

Columns (first row): 房号, 面积 (m², up to four decimals; read exactly, stored in cm²),
面积来源 (不动产登记簿 / 实测 / 买卖合同; blank: 登记簿), 业主 (name), 业主编号 (the register's number
for the owner: rows with one number are one owner, one head, their areas adding up; blank:
the unit's own owner), 业主类型 (业主 / 共有人 / 建设单位; all 建设单位 rows are one owner, the
developer's unsold units). `plan_register` reads and checks everything and writes nothing;
`commit_register` applies a plan without errors in one transaction: units by 房号, owners by
业主编号, created or updated; units missing from the sheet are left as they are and counted.
A vote in progress is not affected: its roll was frozen when it opened.
"""

import io
import logging
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import audit
from liulin.core.errors import DomainError, Invalid, NotPermitted, TooLarge
from liulin.territory.models import Household

from .models import Owner, Unit
from .rules import format_area, parse_area
from .selectors import keeps_register

logger = logging.getLogger("liulin.votes.importing")

MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024  # an xlsx of 20,000 rows is well under 2 MB
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what the workbook's parts may unpack to (a zip bomb is refused unread)
MAX_UNIT_AREA_CM2 = 1_000_000 * 10_000  # one exclusive unit of a million m² is a typing error
COLUMNS = {"房号": "label", "面积": "area", "面积来源": "source", "业主": "name", "业主编号": "code", "业主类型": "kind"}
HEADINGS = {key: name for name, key in COLUMNS.items()}
ALIASES = {"面积（平方米）": "面积", "面积(平方米)": "面积", "专有部分面积": "面积", "房屋": "房号"}
REQUIRED = ("房号", "面积", "业主")
LENGTHS = {"label": 64, "name": 64, "code": 32}
# The columns as the template writes them (the first sheet), each with what goes in it.
TEMPLATE_COLUMNS = ["房号", "面积（平方米）", "面积来源", "业主", "业主编号", "业主类型"]
SOURCES = {"": Unit.Source.REGISTER, "登记簿": Unit.Source.REGISTER, "不动产登记簿": Unit.Source.REGISTER,
           "实测": Unit.Source.SURVEY, "测绘": Unit.Source.SURVEY, "测绘机构实测": Unit.Source.SURVEY,
           "合同": Unit.Source.CONTRACT, "买卖合同": Unit.Source.CONTRACT, "房屋买卖合同": Unit.Source.CONTRACT}
KINDS = {"": Owner.Kind.PERSON, "业主": Owner.Kind.PERSON, "共有人": Owner.Kind.CO_OWNERS,
         "建设单位": Owner.Kind.DEVELOPER, "开发商": Owner.Kind.DEVELOPER}
DEVELOPER_CODE = "developer"
# C0 control characters other than tab, newline and CR, as they come out of a cell: raw, or
# as Excel writes them into the file (_x0001_). Excel writes a cell's tab, line feed and
# carriage return the same way (_x000D_ ends many a cell typed on Windows): those are whitespace.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_x00(?!0[9ADad]_)[01][0-9A-Fa-f]_")
WHITESPACE_ESCAPE = re.compile(r"_x000([9ADad])_")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)


@dataclass
class Row:
    number: int
    label: str
    area_cm2: int
    source: str
    name: str
    code: str
    kind: str


@dataclass
class RegisterPlan:
    estate: object
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row number, column, message)
    new_units: int = 0
    changed_units: int = 0
    unchanged_units: int = 0
    untouched_units: int = 0  # in the register, not in the sheet
    new_owners: int = 0
    changed_owners: int = 0  # an owner's name or kind that the sheet changes
    reassigned_units: int = 0  # units the sheet gives to another owner
    # The register as it will be once the plan is applied (the sheet's units and the ones
    # it leaves alone): what the next vote's roll will be frozen from.
    after_units: int = 0
    after_area_cm2: int = 0
    after_owners: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def total_area_cm2(self):
        return sum(r.area_cm2 for r in self.rows)

    @property
    def heads(self):
        """The sheet's headcount by the rules: one per 业主编号 (one owner of several units counts
        once), co-owners of a unit once, all the developer's unsold units once."""
        return len({r.code for r in self.rows})

    @property
    def heads_by_kind(self):
        """{kind: heads}, each owner counted once under his kind."""
        return dict(Counter(kind for _code, kind in {(r.code, r.kind) for r in self.rows}))

    @property
    def owners_of_several_units(self):
        return sum(1 for n in Counter(r.code for r in self.rows).values() if n > 1)

    @property
    def error_rows(self):
        return len({number for number, _column, _message in self.errors})

    def summary(self):
        """The figures a person confirms: if any differ when he confirms, the register changed
        under him and he is shown the new ones first."""
        return {"units": len(self.rows), "area_cm2": self.total_area_cm2, "owners": self.heads, "new_units": self.new_units,
                "changed_units": self.changed_units, "unchanged_units": self.unchanged_units,
                "untouched_units": self.untouched_units, "new_owners": self.new_owners, "changed_owners": self.changed_owners,
                "reassigned_units": self.reassigned_units, "after_units": self.after_units,
                "after_area_cm2": self.after_area_cm2, "after_owners": self.after_owners}


def read_upload(upload):
    """The bytes of an uploaded register, or a domain error that says what is wrong with it:
    too large, empty, an old .xls, or not an Excel workbook at all (a CSV, a picture, NUL bytes)."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise TooLarge(_("文件太大（上限 %(mb)d MB），请分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)}, field="file")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(_("文件太大（上限 %(mb)d MB），请分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)}, field="file")
    _check_workbook_bytes(data)
    return data


def _check_workbook_bytes(data):
    if not data.strip(b"\x00 \t\r\n"):
        raise Invalid(_("文件是空的。"), code="empty_file", field="file")
    if data.startswith(OLE_MAGIC):
        raise Invalid(_("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后上传。"), code="bad_file", field="file")
    if not data.startswith(ZIP_MAGIC):
        raise Invalid(_("无法读取该文件，请上传 Excel（.xlsx）名册。"), code="bad_file", field="file")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return WHITESPACE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value)).strip()


def _area_text(value):
    """A cell's area as text without ever passing through a float's rounding: a number typed
    into Excel arrives as a float, whose shortest repr is the decimal that was typed."""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return _text(value)


def _area(value):
    """(area in cm², None) or (0, the reason it is refused)."""
    text = _area_text(value)
    if not text:
        return 0, _("面积不能为空。")
    if CONTROL.search(text):
        return 0, _("含有不可见的控制字符，请删除后重新上传。")
    try:
        area = parse_area(text.lstrip("-"))
    except ValueError:
        whole, dot, fraction = text.lstrip("-").partition(".")
        if dot and whole.isdigit() and fraction.isdigit():
            return 0, _("面积最多四位小数（单位平方米，精确到平方厘米）。")
        return 0, _("面积须是数字，单位平方米，例如 89.56。")
    if text.startswith("-") or area == 0:
        return 0, _("面积须大于零。")
    if area > MAX_UNIT_AREA_CM2:
        return 0, _("面积超过 %(max)s 平方米，请核对。") % {"max": format_area(MAX_UNIT_AREA_CM2)}
    return area, None


def _open(source):
    """The first worksheet's rows, after the workbook's parts were measured unpacked."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise Invalid(_("无法读取该文件，请上传 Excel（.xlsx）名册。"), code="bad_file", field="file") from e
    if len(members) > 10000 or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise TooLarge(_("文件解压后过大，请检查是否为名册，或分批导入。"), field="file")
    source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        return workbook, workbook.worksheets[0].iter_rows(values_only=True)
    except Exception as e:  # noqa: BLE001 - any failure to parse an untrusted file is "not a register"
        logger.info("unreadable register: %r", e)
        raise Invalid(_("无法读取该文件，请上传 Excel（.xlsx）名册。"), code="bad_file", field="file") from e


def _sheet_rows(source):
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    workbook, rows = _open(source)
    try:
        header = next(rows, None)
        if header is None:
            raise Invalid(_("文件是空的。"), code="empty_file", field="file")
        names = [ALIASES.get(_text(h), _text(h)) for h in header]
        index = {}
        for i, name in enumerate(names):
            if name in COLUMNS:
                index.setdefault(name, i)
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise Invalid(_("第 1 行缺少列：%(columns)s。") % {"columns": "、".join(missing)}, code="missing_columns", field="file")
        for number, values in enumerate(rows, start=2):
            if values is None or all(_text(v) == "" for v in values):
                continue
            if number - 1 > MAX_ROWS:
                raise TooLarge(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, field="file")
            yield number, {COLUMNS[name]: (values[i] if i < len(values) else None) for name, i in index.items()}
    except DomainError:
        raise
    except Exception as e:  # noqa: BLE001 - a part that fails to parse half-way through the sheet
        logger.info("unreadable register: %r", e)
        raise Invalid(_("无法读取该文件，请上传 Excel（.xlsx）名册。"), code="bad_file", field="file") from e
    finally:
        workbook.close()


def plan_register(source, *, estate):
    """Read and check every row of a register (a file, or its bytes) against the estate's;
    writes nothing. A problem with the file as a whole raises; a problem with a row is an
    error of the plan with its row number and column."""
    plan = RegisterPlan(estate=estate)
    seen_labels, owners = {}, {}
    for number, cells in _sheet_rows(source):
        problems = []
        texts = {key: _text(cells.get(key)) for key in ("label", "source", "name", "code", "kind")}
        for key, text in texts.items():
            if CONTROL.search(text):
                problems.append((HEADINGS[key], _("含有不可见的控制字符，请删除后重新上传。")))
                texts[key] = CONTROL.sub("", text)
            if len(texts[key]) > LENGTHS.get(key, 64):
                problems.append((HEADINGS[key], _("最多 %(n)d 个字。") % {"n": LENGTHS.get(key, 64)}))
        label, name, source_text, kind_text = texts["label"], texts["name"], texts["source"], texts["kind"]
        if not label:
            problems.append(("房号", _("房号不能为空。")))
        elif label in seen_labels:
            problems.append(("房号", _("与第 %(n)d 行重复。") % {"n": seen_labels[label]}))
        area, problem = _area(cells.get("area"))
        if problem:
            problems.append(("面积", problem))
        if source_text not in SOURCES:
            problems.append(("面积来源", _("面积来源须是 不动产登记簿、实测 或 买卖合同。")))
        if kind_text not in KINDS:
            problems.append(("业主类型", _("业主类型须是 业主、共有人 或 建设单位。")))
        if not name:
            problems.append(("业主", _("业主不能为空。")))
        kind = KINDS.get(kind_text, Owner.Kind.PERSON)
        code = DEVELOPER_CODE if kind == Owner.Kind.DEVELOPER else (texts["code"] or f"#{label}")
        if kind != Owner.Kind.DEVELOPER and code == DEVELOPER_CODE:
            problems.append(("业主编号", _("业主编号 developer 留给建设单位，请换一个。")))
        elif code in owners and owners[code][:2] != (name, kind) and kind != Owner.Kind.DEVELOPER:
            problems.append(("业主编号", _("同一业主编号在第 %(n)d 行是另一位业主。") % {"n": owners[code][2]}))
        owners.setdefault(code, (name, kind, number))
        if label:
            seen_labels.setdefault(label, number)
        if not problems:
            plan.rows.append(Row(number, label, area, SOURCES[source_text], name, code, kind))
        plan.errors += [(number, column, message) for column, message in problems]
    _compare(plan)
    return plan


def _compare(plan):
    """What applying the plan would change, and the register it would leave."""
    units = {u.label: u for u in Unit.objects.filter(estate=plan.estate).select_related("owner")}
    existing = {o.code: o for o in Owner.objects.filter(estate=plan.estate).exclude(code="")}
    developer = next((u.owner for u in units.values() if u.owner.kind == Owner.Kind.DEVELOPER), None)
    if developer is None:
        developer = Owner.objects.filter(estate=plan.estate, kind=Owner.Kind.DEVELOPER).first()
    if developer is not None:
        existing.setdefault(DEVELOPER_CODE, developer)
    wanted = {}
    for row in plan.rows:
        wanted.setdefault(row.code, (row.name, row.kind))
        unit = units.get(row.label)
        if unit is None:
            plan.new_units += 1
            continue
        owner = existing.get(row.code)
        if owner is None or unit.owner_id != owner.pk:
            plan.reassigned_units += 1
        if (unit.area_cm2, unit.area_source) != (row.area_cm2, row.source) or owner is None or unit.owner_id != owner.pk:
            plan.changed_units += 1
        else:
            plan.unchanged_units += 1
    plan.new_owners = len(set(wanted) - set(existing))
    plan.changed_owners = sum(1 for code, (name, kind) in wanted.items()
                              if code in existing and (existing[code].name, existing[code].kind) != (name, kind))
    # The register afterwards: one head per owner holding a unit (an owner is the same head
    # whether the sheet names him by his number or a unit it leaves alone is already his).
    sheet_labels = {r.label for r in plan.rows}
    left_alone = [u for label, u in units.items() if label not in sheet_labels]
    plan.untouched_units = len(left_alone)
    heads = {("owner", existing[r.code].pk) if r.code in existing else ("new", r.code) for r in plan.rows}
    heads |= {("owner", u.owner_id) for u in left_alone}
    plan.after_units = len(plan.rows) + len(left_alone)
    plan.after_area_cm2 = plan.total_area_cm2 + sum(u.area_cm2 for u in left_alone)
    plan.after_owners = len(heads)


def authorise_register(actor, estate):
    """The estate's owners' committee, or community staff of its community, keep its register."""
    if actor is None or not keeps_register(actor, estate.pk):
        raise NotPermitted(_("只有本小区业主委员会或社区工作人员可以导入业主名册。"))


def commit_register(*, actor, plan):
    """Apply a checked plan; returns the plan. Refuses one with errors (nothing written)."""
    authorise_register(actor, plan.estate)
    if not plan.ok:
        raise Invalid(_("名册有 %(n)d 处错误，请改正后再导入。") % {"n": len(plan.errors)}, code="register_errors", field="file")
    estate = plan.estate
    with transaction.atomic():
        owners = {o.code: o for o in Owner.objects.select_for_update().filter(estate=estate).exclude(code="")}
        developer = Owner.objects.filter(estate=estate, kind=Owner.Kind.DEVELOPER).first()
        if developer is not None:
            owners.setdefault(DEVELOPER_CODE, developer)
        wanted = {}
        for row in plan.rows:
            wanted.setdefault(row.code, (row.name, row.kind))
        new = [Owner(estate=estate, code=code, name=name, kind=kind) for code, (name, kind) in wanted.items() if code not in owners]
        Owner.objects.bulk_create(new)
        # By the key it was matched under: the developer may be matched as "developer" with a
        # code of its own, or none.
        changed = {o.pk: (o, wanted[code]) for code, o in owners.items() if code in wanted and (o.name, o.kind) != wanted[code]}
        for owner, (name, kind) in changed.values():
            owner.name, owner.kind = name, kind
        Owner.objects.bulk_update([owner for owner, _wanted in changed.values()], ["name", "kind"])
        owners.update({o.code: o for o in Owner.objects.filter(estate=estate, code__in=[o.code for o in new])})
        households = {f"{h.building.name}{h.room}": h.pk
                      for h in Household.objects.filter(building__estate=estate).select_related("building")}
        taken = set(Unit.objects.filter(estate=estate, household__isnull=False).values_list("household_id", flat=True))
        units = {u.label: u for u in Unit.objects.select_for_update().filter(estate=estate)}
        creates, updates = [], []
        for row in plan.rows:
            unit = units.get(row.label)
            if unit is None:
                household = households.get(row.label)
                creates.append(Unit(estate=estate, label=row.label, area_cm2=row.area_cm2, area_source=row.source,
                                    owner=owners[row.code], household_id=household if household not in taken else None))
            elif (unit.area_cm2, unit.area_source, unit.owner_id) != (row.area_cm2, row.source, owners[row.code].pk):
                unit.area_cm2, unit.area_source, unit.owner = row.area_cm2, row.source, owners[row.code]
                updates.append(unit)
        Unit.objects.bulk_create(creates, batch_size=1000)
        Unit.objects.bulk_update(updates, ["area_cm2", "area_source", "owner"], batch_size=1000)
        audit.record(actor=actor, action="votes.import_register", target=estate, new_units=len(creates),
                     changed_units=len(updates), new_owners=len(new))
    return plan


def template_workbook():
    """The register template: the columns on the first sheet (the one the import reads), what
    goes in each on the second, and example rows on the third. An open temporary file."""
    from liulin.core.xlsx import write_sheets

    guide = [
        ["房号", _("必填"), _("专有部分的编号，在本小区内唯一，如 1栋1单元101。再次导入时按房号更新。"), "1栋1单元101"],
        ["面积（平方米）", _("必填"), _("专有部分面积，单位平方米，最多四位小数，须大于零。"), "89.56"],
        ["面积来源", _("可空"), _("不动产登记簿、实测 或 买卖合同；空为不动产登记簿。"), "不动产登记簿"],
        ["业主", _("必填"), _("业主姓名；共有人写全体共有人并指定一人表决。"), "王一"],
        ["业主编号", _("可空"), _("同一业主的多套房屋填同一编号（计一人，面积合计）；空则按一套一人。"), "A001"],
        ["业主类型", _("可空"), _("业主、共有人 或 建设单位；空为业主。建设单位未售出的房屋合计为一人。"), "业主"],
    ]
    examples = [
        ["1栋1单元101", 89.56, "不动产登记簿", "王一", "A001", "业主"],
        ["1栋1单元102", 118.32, "实测", "王一", "A001", "业主"],
        ["1栋1单元201", 136.75, "买卖合同", "李二、赵三（李二表决）", "", "共有人"],
        ["3栋1单元601", 95, "", "某房地产开发有限公司", "", "建设单位"],
    ]
    out, _count = write_sheets([
        (_("业主名册"), TEMPLATE_COLUMNS, []),
        (_("填写说明"), [_("列"), _("是否必填"), _("说明"), _("示例")], guide),
        (_("示例"), TEMPLATE_COLUMNS, examples),
    ])
    return out
