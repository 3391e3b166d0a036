"""The separation-of-duties matrix as docs/kpi.md writes it ("Who may act"), for the tests:
the doc is the one statement of who may take each step, and the tests check the code
against it, so the two cannot drift apart."""

import functools
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "kpi.md"
START, END = "<!-- duties-matrix:start -->", "<!-- duties-matrix:end -->"
CELLS = {"✓": {"own", "other"}, "own": {"own"}, "other": {"other"}, "—": set()}
CODE = re.compile(r"`([a-z_]+)`")


@functools.cache
def matrix():
    """{action: {role: the cases ("own", "other") in which the role may take it}}."""
    text = DOC.read_text(encoding="utf-8")
    rows = [line.strip() for line in text[text.index(START) + len(START) : text.index(END)].strip().splitlines()]
    header, _rule, *body = (_cells(row) for row in rows)
    roles = [CODE.search(cell).group(1) for cell in header[1:]]
    table = {}
    for cells in body:
        action = CODE.search(cells[0]).group(1)
        if len(cells) != len(header):
            raise ValueError(f"docs/kpi.md: the row of {action} has {len(cells)} cells, the header {len(header)}")
        table[action] = {role: CELLS[cell] for role, cell in zip(roles, cells[1:], strict=True)}
    return table


def _cells(row):
    return [cell.strip() for cell in row.strip("|").split("|")]


def may(action, role, case):
    """Whether `role` may take `action` on a ticket in its scope dispatched to its own unit
    (case "own") or to another unit ("other")."""
    return case in matrix()[action][str(role)]
