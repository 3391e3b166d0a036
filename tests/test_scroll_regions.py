"""A table that scrolls sideways on a phone must be reachable by keyboard (WCAG 2.1.1, axe
"scrollable-region-focusable"): every scroll container (.table-wrap) takes focus
(tabindex="0") and is a named region, so a keyboard user can scroll it with the arrow keys
and a screen reader says what it holds."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "liulin"
WRAP = re.compile(r"<div\b[^>]*class=\"table-wrap\"[^>]*>")


def test_every_scroll_container_takes_focus_and_is_named():
    found = []
    for template in ROOT.rglob("templates/**/*.html"):
        for tag in WRAP.findall(template.read_text()):
            found.append(template.name)
            assert 'tabindex="0"' in tag, (template, tag)
            assert 'role="region"' in tag, (template, tag)
            assert "aria-label=" in tag or "aria-labelledby=" in tag, (template, tag)
    assert len(found) >= 10  # the walk found the tables
