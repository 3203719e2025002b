"""The "Same object, every cluster" view: one object's status and health per cluster.

Enter (or ``W``) on a cluster's row compares the object there with the cluster the tree's
cursor came from, in the "Compare clusters" screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from driftui.tui.cluster_matrix import MatrixRow, verdict
from driftui.tui.formatting import plain, shown

COLUMNS = ("cluster", "status", "health", "fields", "note")


class ClusterMatrixScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("x", "close", "Close", show=False),
        Binding("W", "compare", "Compare with this cluster"),
    ]

    def __init__(
        self,
        title: str,
        rows: list[MatrixRow],
        origin: str,
        compare: Callable[[str, str], None],
    ) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows
        self.origin = origin  # the cluster the tree's cursor is in
        self.compare_with = compare

    def compose(self) -> ComposeResult:
        with Vertical(id="matrix-dialog"):
            yield Static(plain(f"{self.title_text} in every cluster"), id="matrix-title")
            yield Static(plain(verdict(self.rows)), id="matrix-verdict")
            yield DataTable(id="matrix-table", cursor_type="row", zebra_stripes=True)
            yield Static(
                Content(f"enter or W: compare with {shown(self.origin)} · esc closes"),
                id="matrix-hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for row in self.rows:
            marker = "▸ " if row.context == self.origin else "  "
            cells = (
                marker + row.context,
                row.status,
                row.health or "—",
                str(row.differences) if row.result is not None else "",
                row.note,
            )
            # rich Text: DataTable parses a str as markup, and measures Text's width
            table.add_row(*(Text(shown(cell)) for cell in cells), key=row.context)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._compare(event.cursor_row)

    def action_compare(self) -> None:
        self._compare(self.query_one(DataTable).cursor_row)

    def _compare(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.compare_with(self.origin, self.rows[index].context)

    def action_close(self) -> None:
        self.dismiss(None)
