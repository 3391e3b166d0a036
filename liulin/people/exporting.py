"""Export the residents a user may see to xlsx: masked, and safe to open in any spreadsheet.

Masked as on the pages: phone and ID number masked, the birth date only for rows whose ID
number the user may reveal (for the rest the age column stands alone).

Every cell passes through `core.xlsx.neutralise`, so none runs as a formula in Excel or WPS.
The workbook is write-only (rows streamed out, constant memory) and saved to a temporary
file that the view streams to the browser.
"""

import tempfile

from liulin.core import audit
from liulin.core.masking import mask_phone
from liulin.core.xlsx import neutralise

from . import selectors
from .importing import COLUMNS, GENDERS, RELATIONS

HEADER = ("姓名", "性别", "出生日期", "年龄", "手机号", "身份证号", "小区", "楼栋", "房号", "与户主关系", "关爱标签", "党员", "备注")
CHUNK = 1000


def _iso(day):
    return day.isoformat() if day else ""


def resident_row(resident):
    household = resident.household
    building = household.building if household else None
    cells = (
        resident.name,
        resident.get_gender_display(),
        _iso(selectors.shown_birth_date(resident)),
        resident.age,
        mask_phone(resident.mobile),
        resident.id_masked,
        building.estate.name if building else "",
        building.name if building else "",
        household.room if household else "",
        resident.get_relation_display(),
        "，".join(tag.name for tag in resident.care_tags.all()),
        "是" if resident.is_party_member else "否",
        resident.notes,
    )
    return [neutralise(c) for c in cells]


def write_residents(user, q=""):
    """An open temporary file holding the xlsx of the residents `user` may see matching `q`."""
    residents = selectors.search_residents(user, q, perm="people.export")
    from openpyxl import Workbook  # imported where a sheet is written: see importing._open_sheet

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append(HEADER)
    count = 0
    for resident in residents.iterator(chunk_size=CHUNK):
        sheet.append(resident_row(resident))
        count += 1
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    # An export carries many people's data at once, so it is recorded like a change.
    audit.record(actor=user, action="resident.export", target=user, rows=count, q=q)
    return out, count


def import_template():
    """An empty ledger with the import header, and a sheet explaining each column."""
    from openpyxl import Workbook  # imported where a sheet is written: see importing._open_sheet

    workbook = Workbook(write_only=True)
    workbook.create_sheet("居民").append(COLUMNS)
    notes = workbook.create_sheet("填写说明")
    notes.append(("列", "说明"))
    for row in (
        ("性别", "、".join(GENDERS)),
        ("出生日期", "如 1960-05-17；填写身份证号时可留空"),
        ("身份证号", "18 位，单元格请设为“文本”格式"),
        ("小区 / 楼栋", "须为本社区已登记的小区和楼栋名称"),
        ("房号", "如 301；新房号会自动登记为住户"),
        ("与户主关系", "、".join(RELATIONS)),
        ("关爱标签", "多个用逗号分隔，如：独居老人，高龄"),
        ("党员", "是 / 否"),
    ):
        notes.append(row)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out
