"""The Fields tab's rows: one a difference, sized so that path, type, manager and time
always fit the pane and the values get what is left; the highlighted row is shown whole
underneath, so nothing the table had to cut is out of reach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.content import Content

from driftui.model import Difference
from driftui.tui.formatting import attribution, fit_middle, full_value, plain, short_value, shown

CELL_PADDING = 2 * 5  # two cells of padding a column, five columns


def field_rows(differences: Sequence[Difference], now: datetime, width: int) -> list[list[Text]]:
    """The table's cells for ``differences`` in a pane ``width`` cells wide."""
    who = [attribution(d.manager, d.time, now) or "—" for d in differences]
    paths = [shown(d.dotted) for d in differences]
    fixed = max((len(d.type.value) for d in differences), default=0)
    fixed += max((len(w) for w in who), default=0) + CELL_PADDING
    rest = max(width - 2 - fixed, 40)
    path_width = min(max((len(p) for p in paths), default=0), max(16, rest // 2))
    value_width = max(8, (rest - path_width) // 2)
    rows = []
    for diff, path, manager in zip(differences, paths, who, strict=True):
        cells = (
            fit_middle(path, path_width),
            diff.type.value,
            manager,
            short_value(diff.git, value_width),
            short_value(diff.live, value_width),
        )
        # Text, not str: a str cell is parsed as markup, and `[name=web]` would vanish.
        rows.append([Text(cell) for cell in cells])
    return rows


def whole_field(diff: Difference) -> Content:
    """One difference in full: its path (and JSON pointer), its Git and its live value."""
    text = (
        f"{shown(diff.dotted)}" + (f"  ({shown(diff.pointer)})" if diff.pointer else "") + "\n"
        f"git:  {full_value(diff.git)}\nlive: {full_value(diff.live)}"
    )
    return plain(text, multiline=True)
