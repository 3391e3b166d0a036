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

import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from liulin.core import audit
from liulin.core.errors import Invalid, NotPermitted, TooLarge
from liulin.core.permissions import can
from liulin.core.text import clean_text
from liulin.orgs.models import Organisation
from liulin.territory.models import Household

from .models import Owner, Unit
from .rules import parse_area

MAX_ROWS = 20000
COLUMNS = {"房号": "label", "面积": "area", "面积来源": "source", "业主": "name", "业主编号": "code", "业主类型": "kind"}
ALIASES = {"面积（平方米）": "面积", "专有部分面积": "面积", "房屋": "房号"}
REQUIRED = ("房号", "面积", "业主")
SOURCES = {"": Unit.Source.REGISTER, "登记簿": Unit.Source.REGISTER, "不动产登记簿": Unit.Source.REGISTER,
           "实测": Unit.Source.SURVEY, "测绘": Unit.Source.SURVEY, "测绘机构实测": Unit.Source.SURVEY,
           "合同": Unit.Source.CONTRACT, "买卖合同": Unit.Source.CONTRACT, "房屋买卖合同": Unit.Source.CONTRACT}
KINDS = {"": Owner.Kind.PERSON, "业主": Owner.Kind.PERSON, "共有人": Owner.Kind.CO_OWNERS,
         "建设单位": Owner.Kind.DEVELOPER, "开发商": Owner.Kind.DEVELOPER}
DEVELOPER_CODE = "developer"


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

    @property
    def ok(self):
        return not self.errors

    @property
    def total_area_cm2(self):
        return sum(r.area_cm2 for r in self.rows)

    @property
    def heads(self):
        return len({r.code for r in self.rows})


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def _area_text(value):
    """A cell's area as text without ever passing through a float's rounding: a number typed
    into Excel arrives as a float, whose shortest repr is the decimal that was typed."""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return _text(value)


def _sheet_rows(source):
    from openpyxl import load_workbook
    from openpyxl.utils import exceptions as xlsx_errors

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (xlsx_errors.InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise Invalid(_("无法读取该文件，请上传 Excel（.xlsx）名册。"), code="bad_file", field="file") from e
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise Invalid(_("文件是空的。"), code="empty_file", field="file")
    names = [ALIASES.get(_text(h), _text(h)) for h in header]
    index = {name: i for i, name in enumerate(names) if name in COLUMNS}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise Invalid(_("第 1 行缺少列：%(columns)s。") % {"columns": "、".join(missing)}, code="missing_columns", field="file")
    for number, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        if number - 1 > MAX_ROWS:
            raise TooLarge(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, field="file")
        yield number, {COLUMNS[name]: (values[i] if i < len(values) else None) for name, i in index.items()}


def plan_register(source, *, estate):
    plan = RegisterPlan(estate=estate)
    seen_labels, owners = {}, {}
    for number, cells in _sheet_rows(source):
        problems = []
        label = _text(cells.get("label"))[:64]
        if not label:
            problems.append(("房号", _("房号不能为空。")))
        elif label in seen_labels:
            problems.append(("房号", _("与第 %(n)d 行重复。") % {"n": seen_labels[label]}))
        try:
            area = parse_area(_area_text(cells.get("area")))
            if area <= 0:
                raise ValueError
        except ValueError:
            area = 0
            problems.append(("面积", _("面积须是正数，单位平方米，最多四位小数。")))
        source_text = _text(cells.get("source"))
        kind_text = _text(cells.get("kind"))
        if source_text not in SOURCES:
            problems.append(("面积来源", _("面积来源须是 不动产登记簿、实测 或 买卖合同。")))
        if kind_text not in KINDS:
            problems.append(("业主类型", _("业主类型须是 业主、共有人 或 建设单位。")))
        name = _text(cells.get("name"))[:64]
        if not name:
            problems.append(("业主", _("业主不能为空。")))
        kind = KINDS.get(kind_text, Owner.Kind.PERSON)
        code = DEVELOPER_CODE if kind == Owner.Kind.DEVELOPER else (_text(cells.get("code"))[:32] or f"#{label}")
        if code in owners and owners[code][:2] != (name, kind) and kind != Owner.Kind.DEVELOPER:
            problems.append(("业主编号", _("同一业主编号在第 %(n)d 行是另一位业主。") % {"n": owners[code][2]}))
        owners.setdefault(code, (name, kind, number))
        seen_labels.setdefault(label, number)
        plan.errors += [(number, column, message) for column, message in problems]
        if not problems:
            plan.rows.append(Row(number, label, area, SOURCES[source_text], name, code, kind))
    _compare(plan)
    return plan


def _compare(plan):
    units = {u.label: u for u in Unit.objects.filter(estate=plan.estate).select_related("owner")}
    codes = set(Owner.objects.filter(estate=plan.estate).exclude(code="").values_list("code", flat=True))
    for row in plan.rows:
        unit = units.get(row.label)
        if unit is None:
            plan.new_units += 1
        elif (unit.area_cm2, unit.area_source, unit.owner.code) != (row.area_cm2, row.source, row.code):
            plan.changed_units += 1
        else:
            plan.unchanged_units += 1
    plan.untouched_units = len(set(units) - {r.label for r in plan.rows})
    plan.new_owners = len({r.code for r in plan.rows} - codes)


def authorise_register(actor, estate):
    """The estate's owners' committee, or community staff of its community, keep its register."""
    committee = Organisation.objects.filter(kind=Organisation.Kind.OWNERS_COMMITTEE, estate=estate).first()
    if committee is None or not can(actor, "votes.manage_register", committee):
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
        changed = [o for code, o in owners.items() if code in wanted and (o.name, o.kind) != wanted[code]]
        for owner in changed:
            owner.name, owner.kind = wanted[owner.code]
        Owner.objects.bulk_update(changed, ["name", "kind"])
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
