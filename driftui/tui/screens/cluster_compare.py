"""The "Compare clusters" screen: one object live in cluster A against live in cluster B.

The comparison is the core's (:func:`driftui.compare.across.compare_live`): both sides
normalised as Git against live normalises, Secrets masked with the session's one key.
This screen only draws it, A as the old side (``-``) and B as the new (``+``).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from driftui.compare.across import LiveComparison
from driftui.model import Path
from driftui.tui.diff_render import Row, plain_diff_rows
from driftui.tui.formatting import plain
from driftui.tui.widgets.lines_view import LinesView

PATHS_NAMED = 4


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path) or "(the whole object)"


def summary(comparison: LiveComparison, left: str, right: str) -> str:
    if comparison.left is None or comparison.right is None:
        absent = left if comparison.left is None else right
        return f"not in {absent}: nothing to compare"
    if comparison.same:
        return f"the same in {left} and {right}"
    paths = [dotted(p) for p in comparison.paths]
    named = ", ".join(paths[:PATHS_NAMED]) + (" …" if len(paths) > PATHS_NAMED else "")
    return f"{len(paths)} field(s) differ: {named}"


class CompareClustersScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("W", "close", "Close", show=False),
    ]

    def __init__(self, title: str, left: str, right: str, comparison: LiveComparison) -> None:
        super().__init__()
        self.title_text = title
        self.left = left
        self.right = right
        self.comparison = comparison

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-dialog"):
            yield Static(
                plain(f"{self.title_text}: live in {self.left} ⇄ live in {self.right}"),
                id="compare-title",
            )
            yield Static(
                plain(summary(self.comparison, self.left, self.right)), id="compare-summary"
            )
            yield Static(plain(f"- {self.left}   + {self.right}"), id="compare-legend")
            yield LinesView(id="compare-diff")

    def on_mount(self) -> None:
        view = self.query_one(LinesView)
        view.show_rows(self.rows())
        view.focus()

    def rows(self) -> list[Row]:
        c = self.comparison
        if c.left is None or c.right is None:
            return []
        return plain_diff_rows(c.left, c.right, context=None) if not c.same else []

    def lines(self) -> list[str]:
        return self.query_one(LinesView).plain_lines()

    def action_close(self) -> None:
        self.dismiss(None)
