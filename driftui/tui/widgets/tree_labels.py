"""The resource tree's row labels, in the theme's status colours, and rows that build
their label only when it is first drawn.

A filter over 100,000 objects lists thousands of rows at once (the group the cursor was
in, opened with every match). Building each row's Rich Text and measuring it, as Tree
does for every row on every rebuild, was most of a keystroke's time on the screen's
thread (bench_tui: ~65 ms of 190). A :class:`LazyNode` is made with no label; its label
is built when the row is drawn, and the width the tree needs of every row comes from
plain text (:func:`leaf_width`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets.tree import NodeID, TreeNode

from driftui.model import DriftResult
from driftui.tui.formatting import shown
from driftui.tui.health_view import result_suffix
from driftui.tui.status_style import GLYPH, SEVERITY, DisplayStatus, display_status, variable
from driftui.tui.tree_model import Group, Grouping, leaf_label
from driftui.tui.widgets.group_note import group_note
from driftui.tui.widgets.tree_nodes import FoldedEntry, GroupEntry, NodeData

if TYPE_CHECKING:
    from textual.widgets import Tree

UNBUILT = Text()  # a LazyNode's label until it is first read; never shown


class Labels:
    """Builds row labels in the status colours of the current theme."""

    def __init__(self, variables: Callable[[], Mapping[str, str]]) -> None:
        self._variables = variables  # the app's CSS variables, read when first needed
        self._styles: dict[DisplayStatus, Style] = {}

    def refresh(self) -> None:
        """Read the status colours again (the theme changed)."""
        variables = self._variables()
        self._styles = {}
        for status in DisplayStatus:
            value = variables.get(variable(status), "")
            try:
                self._styles[status] = Style(color=Color.parse(value).rich_color)
            except Exception:
                self._styles[status] = Style()

    def style(self, status: DisplayStatus) -> Style:
        if not self._styles:
            self.refresh()
        return self._styles[status]

    def counts(self, group: Group) -> Text:
        text = Text()
        for status in SEVERITY:
            count = group.counts.get(status, 0)
            if count:
                text.append(f" {GLYPH[status]}{count}", self.style(status))
        return text

    def group(self, group: Group) -> Text:
        status = group.worst
        return Text.assemble(
            (f"{GLYPH[status]} ", self.style(status)),
            shown(group.label),
            self.counts(group),
            (group.health_suffix, "b"),
            group_note(
                group,
                warning=self.style(DisplayStatus.DRIFTED),
                error=self.style(DisplayStatus.ERROR),
            ),
        )

    def leaf(self, result: DriftResult, grouping: Grouping) -> Text:
        status, name, suffix = _leaf_parts(result, grouping)
        return Text.assemble((f"{GLYPH[status]} ", self.style(status)), name, (suffix, "b"))

    def folded(self, entry: FoldedEntry) -> Text:
        style = self.style(DisplayStatus.IN_SYNC)
        return Text.assemble(
            (f"{GLYPH[DisplayStatus.IN_SYNC]} ", style), (f"{entry.count} in sync", "dim")
        )

    def of(self, data: NodeData, grouping: Grouping) -> Text:
        if isinstance(data, GroupEntry):
            return self.group(data.group)
        if isinstance(data, FoldedEntry):
            return self.folded(data)
        return self.leaf(data, grouping)


def _leaf_parts(result: DriftResult, grouping: Grouping) -> tuple[DisplayStatus, str, str]:
    """Status, name and bold suffix of an object's row. The space before `` · ♥`` ends the
    name's span rather than opening the bold one: rsvg-convert (the README's PNGs) drops a
    styled span's leading space after plain text."""
    suffix = result_suffix(result)
    name = shown(leaf_label(result, grouping))
    return display_status(result), f"{name} " if suffix else name, suffix.removeprefix(" ")


def leaf_width(result: DriftResult, grouping: Grouping) -> int:
    """Cells of an object's row label, without building it (the same text as
    :meth:`Labels.leaf`)."""
    status, name, suffix = _leaf_parts(result, grouping)
    return _GLYPH_CELLS[status] + 1 + _cells(name) + _cells(suffix)


_GLYPH_CELLS = {status: cell_len(glyph) for status, glyph in GLYPH.items()}


def _cells(text: str) -> int:
    """``cell_len`` with a shortcut for printable ASCII, one cell a character (names
    mostly are): rich measures any text character by character (~2 µs a row)."""
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


class LazyNode(TreeNode[NodeData]):
    """A row made without its label: built from ``data`` by ``build`` when first read.

    Tree reads ``_label`` to draw a row, and :meth:`TreeNode.set_label` writes it."""

    def __init__(
        self,
        tree: Tree[NodeData],
        parent: TreeNode[NodeData],
        node_id: NodeID,
        data: NodeData,
        build: Callable[[NodeData], Text],
    ) -> None:
        self._built: Text = UNBUILT
        self._build_label = build
        super().__init__(
            tree,
            parent,
            node_id,
            UNBUILT,
            data,
            expanded=False,
            allow_expand=not isinstance(data, DriftResult),
        )

    @property
    def built(self) -> bool:
        return self._built is not UNBUILT

    def relabel(self) -> None:
        """Its data changed: the label is built again when next drawn, not now. A watch
        batch relabels objects all over a 10,000-row group, and a label built for each
        stayed on its row, drawn or not: ~0.5 kB a changed object (issue 21, bench_watch)."""
        self._built = UNBUILT
        self._updates += 1
        self._tree.call_later(self._tree._refresh_node, self)

    @property
    def _label(self) -> Text:
        if self._built is UNBUILT:
            assert self.data is not None
            self._built = self._tree.process_label(self._build_label(self.data))
        return self._built

    @_label.setter
    def _label(self, value: Any) -> None:
        self._built = value
