"""The resource tree: the explorer's keys and cursor on the grouped results, and the
updates a watch batch or a rescan makes in place. Rows are made as groups open
(:mod:`.group_tree`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widget import Widget

from driftui.model import DriftResult, ObjectRef
from driftui.tui.scope import identity
from driftui.tui.status_style import RANK, DisplayStatus, display_status
from driftui.tui.tree_delta import Touched
from driftui.tui.tree_model import Group, group_path
from driftui.tui.widgets.group_tree import GroupTree
from driftui.tui.widgets.tree_labels import LazyNode
from driftui.tui.widgets.tree_nodes import (
    FOLD,
    FoldedEntry,
    GroupEntry,
    Node,
    NodeData,
    expansion_key,
    leaf_slot,
    leaf_state,
    node_key,
    node_status,
    populated,
)

__all__ = ["FoldedEntry", "GroupEntry", "Node", "NodeData", "ResourceTree", "node_key"]


class ResourceTree(GroupTree):
    """Tree of drift results.

    ``on_cursor`` is called as soon as the cursor lands on another node, in the same turn
    as the key that moved it, so a cached diff reaches the screen in the same frame as the
    cursor. Tree's NodeHighlighted message arrives a frame (>= 16 ms) later.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(
        self, *, on_cursor: Callable[[], None] | None = None, id: str | None = None
    ) -> None:
        self._on_cursor = on_cursor  # before Tree's own set-up moves the cursor
        super().__init__(id=id)

    def notify_style_update(self) -> None:
        """Repaint on a style change (focus, hover, theme) without Tree's full invalidation.

        Tree rebuilds every line and re-lays out the whole screen whenever its style
        changes, which on a large tree made each enter/escape (a focus move) cost ~20 ms.
        Styles change colours, not the tree's shape, so dropping the rendered lines is enough.
        """
        Widget.notify_style_update(self)
        self._line_cache.clear()
        self._updates += 1
        self.refresh()

    # -- updating in place ---------------------------------------------------------------------

    def patch(self, touched: Touched) -> None:
        """Show a watch batch (:func:`driftui.tui.tree_delta.apply_changes` changed the
        groups in place): only the nodes of what changed are touched; the others, the
        cursor and the open groups stay as they are."""
        show_all = self.show_in_sync or self.reveal_all
        redo = touched.reshaped if show_all else touched.reshaped | touched.refolded
        for key in sorted(redo, key=len):  # parents first
            node = self._node_of.get(key) if key else self.root
            if node is not None and populated(node):
                self._reconcile(node)
        for ident in touched.gone:
            if (node := self._node_of.get(ident)) is not None:
                self._drop(node)
        for path, result in touched.leaves.values():
            self._settle_leaf(path, result, show_all=show_all)
        if not show_all:
            for path in {path for path, _ in touched.leaves.values()}:
                self._settle_fold(path)
        for key in touched.counted:
            node = self._node_of.get(key)
            if node is not None and isinstance(node.data, GroupEntry):
                node.set_label(self.group_label(node.data.group))

    def _settle_leaf(self, path: tuple[str, ...], result: DriftResult, *, show_all: bool) -> None:
        """``result``'s node where its group lists it now: in place, moved between the group
        and its fold, or not at all where that is not open."""
        parent = self._node_of.get(path)
        existing = self._node_of.get(identity(result))
        target = None
        if parent is not None and populated(parent):
            direct = show_all or display_status(result) is not DisplayStatus.IN_SYNC
            target = parent if direct else self._node_of.get((*path, FOLD))
        if target is not None and not populated(target):
            target = None
        if existing is not None and existing.parent is target:
            self._refill(existing, result)
            return
        if existing is not None:
            self._drop(existing)
        if target is not None:
            self._add(target, result, before=leaf_slot(target, result))

    def _settle_fold(self, path: tuple[str, ...]) -> None:
        """The group's "✓ N in sync" row: there while it folds anything, with its count."""
        parent = self._node_of.get(path)
        if parent is None or not populated(parent) or not isinstance(parent.data, GroupEntry):
            return
        fold, entry = self._node_of.get((*path, FOLD)), FoldedEntry(parent.data.group)
        if fold is not None and not entry.count:
            self._drop(fold)
        elif fold is None and entry.count:
            self._add(parent, entry)
        elif fold is not None:
            fold.set_label(self.folded_label(entry))

    def update_in_place(self, index: Group) -> None:
        """Give the existing nodes a rescan's results: nodes that stay keep their place
        (and the cursor and open groups with them); only changed labels are redrawn.
        Rebuilding 10,000 nodes took ~0.9 s of the UI thread (benchmarks/bench_watch)."""
        self._refill(self.root, GroupEntry(index))

    def _reconcile(self, node: Node) -> None:
        """Make ``node``'s children what its group or fold lists now, adding and removing
        only the nodes that differ (cost: one pass over its children)."""
        wanted = self._children_of(node.data)
        keys = [node_key(data) for data in wanted]
        keep = set(keys)
        for child in list(node.children):
            if node_key(child.data) not in keep:
                self._drop(child)
        for at, (key, data) in enumerate(zip(keys, wanted, strict=True)):
            children = node.children
            if at < len(children) and node_key(children[at].data) == key:
                self._refill(children[at], data)
                continue
            misplaced = self._node_of.get(key)
            if misplaced is not None and misplaced.parent is node:
                self._drop(misplaced)
            self._add(node, data, before=at)

    def _refill(self, node: Node, data: NodeData) -> None:
        """Give ``node`` the new ``data`` for the same key; an open group is reconciled."""
        old = node.data
        if isinstance(data, DriftResult):
            if old is not data:
                node.data = data
                if not isinstance(old, DriftResult) or leaf_state(old) != leaf_state(data):
                    self._relabel_leaf(node, data)
            return
        if not isinstance(old, GroupEntry | FoldedEntry):
            return
        data.populated = old.populated
        same = isinstance(old, GroupEntry) and isinstance(data, GroupEntry)
        same = same and old.group is data.group
        node.data = data
        if same:
            return  # the same group, changed in place: its row is relabelled if counted
        node.set_label(self._label(data))
        if data.populated:
            self._reconcile(node)

    def _relabel_leaf(self, node: Node, data: DriftResult) -> None:
        if isinstance(node, LazyNode):
            node.relabel()  # built when drawn
        else:
            node.set_label(self.leaf_label(data))

    def expanded_keys(self) -> set[tuple[str, ...]]:
        keys: set[tuple[str, ...]] = set()
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            if node.is_expanded:
                key = expansion_key(node.data)
                if key is not None:
                    keys.add(key)
                stack.extend(node.children)
        return keys

    # -- cursor -------------------------------------------------------------------------------

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        if previous_line != line and self._on_cursor is not None and self.is_mounted:
            self._on_cursor()

    def neighbours(self, radius: int = 2) -> list[DriftResult]:
        """The objects on the lines around the cursor, nearest first: what j/k show next."""
        found: list[DriftResult] = []
        for distance in range(1, radius + 1):
            for line in (self.cursor_line + distance, self.cursor_line - distance):
                node = self.get_node_at_line(line) if line >= 0 else None
                if node is not None and isinstance(node.data, DriftResult):
                    found.append(node.data)
        return found

    def go_to(self, node: Node) -> None:
        """Move the cursor to ``node`` now, even if the tree's lines are stale."""
        self._refresh_lines()
        self.move_cursor(node, animate=False)

    def _refresh_lines(self) -> None:
        _ = self._tree_lines  # rebuilds the line cache so node line numbers are current

    def open_group(self, node: Node) -> None:
        self._populate(node)
        node.expand()

    def open_all(self) -> None:
        """Open every group (used when a filter leaves few matches)."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            if isinstance(node.data, GroupEntry):
                self.open_group(node)
                stack.extend(node.children)

    def open_on_worst(self, node: Node) -> None:
        """Expand a group and put the cursor on its worst child (k9s habit: go to trouble)."""
        self._populate(node)
        node.expand()
        if node.children:
            worst = min(node.children, key=lambda c: RANK[node_status(c.data)])
            self.go_to(worst)

    def reveal(self, ref: ObjectRef, result_path: tuple[str, ...]) -> bool:
        """Open the groups on the way to ``ref`` and put the cursor on it."""
        node: Node = self.root
        while True:
            self._populate(node)
            step: Node | None = None
            for child in node.children:
                data = child.data
                if isinstance(data, DriftResult) and data.ref == ref:
                    self.go_to(child)
                    return True
                if (
                    isinstance(data, GroupEntry)
                    and result_path[: len(data.group.key)] == data.group.key
                ) or (
                    isinstance(data, FoldedEntry)
                    and step is None
                    and self._folds(data, ref, result_path)
                ):
                    step = child
            if step is None:
                return False
            step.expand()
            node = step

    @staticmethod
    def _folds(entry: FoldedEntry, ref: ObjectRef, path: tuple[str, ...]) -> bool:
        if any(r.ref == ref for r in entry.leaves):
            return True
        return any(path[: len(g.key)] == g.key for g in entry.groups)

    def path_of(self, result: DriftResult) -> tuple[str, ...]:
        return group_path(result, self.grouping, self.frame)

    def first_leaf_of_worst(self) -> bool:
        """On first load: open the worst group chain and land on its worst object."""
        node: Node = self.root
        for _ in range(8):
            self._populate(node)
            if not node.children:
                return False
            worst = min(node.children, key=lambda c: RANK[node_status(c.data)])
            if isinstance(worst.data, DriftResult):
                if node is not self.root:
                    node.expand()
                self.go_to(worst)
                return True
            if isinstance(worst.data, FoldedEntry):
                self.go_to(worst)
                return False
            if node is not self.root:
                node.expand()
            node = worst
        return False
