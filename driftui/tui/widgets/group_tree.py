"""A tree of grouped results whose rows are made only when their group opens.

With 100,000 objects the widget holds a few dozen rows until the user opens groups, so
loading, filtering and regrouping stay fast; a group's rows are made in one go, their
labels built when drawn (:mod:`.tree_labels`). Every row is found again by its key
(:func:`node_key`), so an update touches only the rows of what changed.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.text import Text, TextType
from textual.widgets import Tree

from driftui.model import DriftResult
from driftui.tui.tree_model import NO_FRAME, Group, Grouping, visible_children
from driftui.tui.widgets.tree_labels import UNBUILT, Labels, LazyNode, leaf_width
from driftui.tui.widgets.tree_nodes import (
    FoldedEntry,
    GroupEntry,
    Node,
    NodeData,
    expansion_key,
    node_key,
)

BULK = 20  # children from which a group's nodes are made in one go


class GroupTree(Tree[NodeData]):
    """Grouped results: the building half of :class:`ResourceTree`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("resources", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.grouping = Grouping.NAMESPACE
        self.frame = NO_FRAME  # clusters and apps above the grouping's levels
        self.show_in_sync = False  # the user's choice (key i)
        self.reveal_all = False  # set while filtering: matches are shown even when in sync
        self.labels = Labels(lambda: self.app.get_css_variables())
        self._node_of: dict[object, Node] = {}  # node_key -> the node, for nodes that exist

    # -- labels -------------------------------------------------------------------------------

    def refresh_status_styles(self) -> None:
        self.labels.refresh()

    def group_label(self, group: Group) -> Text:
        return self.labels.group(group)

    def leaf_label(self, result: DriftResult) -> Text:
        return self.labels.leaf(result, self.grouping)

    def folded_label(self, entry: FoldedEntry) -> Text:
        return self.labels.folded(entry)

    def process_label(self, label: TextType) -> Text:
        return label if label is UNBUILT else super().process_label(label)

    def get_label_width(self, node: Node) -> int:
        """The row's width from plain text: Tree's own renders every row's label, every
        row of every rebuild (a filter's thousands of matches)."""
        data = node.data
        if isinstance(node, LazyNode) and not node.built and isinstance(data, DriftResult):
            width = leaf_width(data, self.grouping)
        else:
            width = node._label.cell_len
        if node.allow_expand:
            width += cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        return width

    # -- building -----------------------------------------------------------------------------

    def load(self, index: Group, *, expanded: set[tuple[str, ...]] | None = None) -> None:
        """Replace the tree's content; re-open the groups whose keys are in ``expanded``."""
        self.clear()
        self._node_of.clear()
        self.root.data = GroupEntry(index)
        self._populate(self.root)
        if expanded:
            self._reopen(self.root, expanded)

    def _reopen(self, node: Node, expanded: set[tuple[str, ...]]) -> None:
        for child in node.children:
            key = expansion_key(child.data)
            if key is not None and key in expanded:
                self._populate(child)
                child.expand()
                self._reopen(child, expanded)

    def _children_of(self, data: NodeData | None) -> list[NodeData]:
        """What a group or fold node lists when opened, in display order."""
        if isinstance(data, GroupEntry):
            shown = visible_children(data.group, show_in_sync=self.show_in_sync or self.reveal_all)
            children: list[NodeData] = [GroupEntry(g) for g in shown.groups]
            children += shown.leaves
            if shown.folded_count:
                children.append(FoldedEntry(data.group))
            return children
        if isinstance(data, FoldedEntry):
            return [*(GroupEntry(g) for g in data.groups), *data.leaves]
        return []

    def _label(self, data: NodeData) -> Text:
        return self.labels.of(data, self.grouping)

    def _populate(self, node: Node) -> None:
        data = node.data
        if not isinstance(data, GroupEntry | FoldedEntry) or data.populated:
            return
        data.populated = True
        children = self._children_of(data)
        if len(children) < BULK:
            for child in children:
                self._add(node, child)
            return
        # Tree.add lays the whole tree out again for each node: 250 objects of a group
        # opened took ~0.1 s of the screen's thread (bench_batch). Made here in one go,
        # with one invalidation, as Tree._add_node makes each (textual 8), and with
        # their labels left to be built when drawn (:mod:`.tree_labels`).
        for child in children:
            made = LazyNode(self, node, self._new_id(), child, self._label)
            self._tree_nodes[made._id] = made
            node._children.append(made)
            self._node_of[node_key(child)] = made
        node._updates += 1
        self._invalidate()

    def _add(self, parent: Node, data: NodeData, before: int | None = None) -> Node:
        if isinstance(data, DriftResult):
            node = self._add_lazy_leaf(parent, data, before)
        else:
            node = parent.add(self._label(data), data=data, before=before, allow_expand=True)
        self._node_of[node_key(data)] = node
        return node

    def _add_lazy_leaf(self, parent: Node, data: DriftResult, before: int | None) -> Node:
        """An object's row as ``TreeNode.add_leaf`` adds it (textual 8), its label built
        when drawn: a watch batch adds rows anywhere in a group, mostly off screen."""
        node = LazyNode(self, parent, self._new_id(), data, self._label)
        self._tree_nodes[node._id] = node
        self._updates += 1
        parent._children.insert(len(parent._children) if before is None else before, node)
        parent._updates += 1
        self._invalidate()
        return node

    def holds(self, node: Node) -> bool:
        """Whether ``node`` is still in the tree (not removed by an update)."""
        return node is self.root or self._node_of.get(node_key(node.data)) is node

    def _drop(self, node: Node) -> None:
        for gone in (node, *self.walk(node)):
            key = node_key(gone.data)
            if self._node_of.get(key) is gone:
                del self._node_of[key]
        node.remove()

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        self._populate(event.node)

    def walk(self, node: Node | None = None) -> Iterator[Node]:
        """Nodes that exist now, depth first (children of unopened groups do not exist yet)."""
        for child in (node or self.root).children:
            yield child
            yield from self.walk(child)
