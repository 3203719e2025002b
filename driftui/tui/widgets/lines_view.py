"""A scrollable view of pre-rendered rows that only renders the lines on screen.

YAML of a large ConfigMap can run to thousands of lines; the Line API keeps opening
such an object as cheap as opening a small one.
"""

from __future__ import annotations

import textwrap
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from driftui.tui.diff_render import Row, SplitRow
from driftui.tui.formatting import plain, shown

SEPARATOR_STYLE = "$text-muted"


class LinesView(ScrollView, can_focus=True):
    """Shows either unified rows or side-by-side rows, with an optional placeholder."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[Row] = []
        self._split: list[SplitRow] | None = None

    @property
    def line_count(self) -> int:
        return len(self._split) if self._split is not None else len(self._rows)

    def plain_lines(self) -> list[str]:
        """The text on display, for tests and copying."""
        if self._split is not None:
            return [f"{r.left.plain} │ {r.right.plain}" for r in self._split]
        return [r.content.plain for r in self._rows]

    def show_rows(self, rows: list[Row]) -> None:
        self._rows = rows
        self._split = None
        width = max((r.content.cell_length for r in rows), default=0)
        self.virtual_size = Size(width, len(rows))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def show_split(self, rows: list[SplitRow]) -> None:
        self._split = rows
        self._rows = []
        self.virtual_size = Size(0, len(rows))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def show_message(self, text: str, style: str = "$text-muted") -> None:
        """Prose instead of rows, wrapped to the view's width."""
        width = max(20, (self.scrollable_content_region.width or 80) - 1)
        lines: list[str] = []
        for paragraph in shown(text, multiline=True).split("\n"):
            lines.extend(textwrap.wrap(paragraph, width) or [""])
        self.show_rows([Row(plain(line, style)) for line in lines])

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.visual_style
        if index >= self.line_count:
            return Strip.blank(width, base.rich_style)
        if self._split is not None:
            content = self._split_line(self._split[index], width)
            scroll_x = 0
        else:
            row = self._rows[index]
            content = row.content
            if row.fill:
                visible_end = max(width + scroll_x, self.virtual_size.width)
                content = content.pad_right(max(0, visible_end - content.cell_length))
                content = content.stylize_before(row.fill)
        strip = Strip(content.render_segments(base), content.cell_length)
        return strip.crop_extend(scroll_x, scroll_x + width, base.rich_style)

    @staticmethod
    def _split_line(row: SplitRow, width: int) -> Content:
        left_width = max(1, (width - 1) // 2)
        right_width = max(1, width - 1 - left_width)
        left = row.left.truncate(left_width, pad=True, ellipsis=True)
        right = row.right.truncate(right_width, pad=True, ellipsis=True)
        if row.left_fill:
            left = left.stylize_before(row.left_fill)
        if row.right_fill:
            right = right.stylize_before(row.right_fill)
        return left + Content.styled("│", SEPARATOR_STYLE) + right
