"""Spreadsheets out: every export writes its cells through here, so none can run as a formula.

A cell that starts with = + - @ (or a tab / carriage return) would be run as a formula by
Excel or WPS ("CSV/formula injection"); such cells get a leading apostrophe so they stay text.
Workbooks are write-only (rows streamed out, constant memory) and saved to a temporary file
that the view streams to the browser. openpyxl (about 30 MB) is imported where a sheet is
written, not by every process.
"""

import tempfile

from django.http import FileResponse

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would treat as a formula, made literal."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_sheets(sheets):
    """An open temporary xlsx file of `sheets`: (title, header, rows) each, every cell
    neutralised. Returns (file, number of data rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count = 0
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append([neutralise(c) for c in header])
        for row in rows:
            sheet.append([neutralise(c) for c in row])
            count += 1
    out = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(out)
    out.seek(0)
    return out, count


def download(out, filename):
    return FileResponse(out, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
