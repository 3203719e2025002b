"""What the resource tree's nodes hold, and how a node is found again: its key.

A group's node holds a :class:`GroupEntry`, the in-sync objects folded away a
:class:`FoldedEntry`, an object's node the :class:`DriftResult` itself. Every node of a
tree has its own :func:`node_key`, so a watch batch finds the node of what it changed
without walking the tree.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from textual.widgets.tree import TreeNode

from driftui.model import DriftResult
from driftui.tui.scope import identity
from driftui.tui.status_style import DisplayStatus, display_status
from driftui.tui.tree_model import Group, leaf_order


@dataclass
class GroupEntry:
    group: Group
    populated: bool = False


@dataclass
class FoldedEntry:
    """In-sync objects folded into one "✓ N in sync" node; it lists them when opened.

    Read from its group whenever asked, so a watch batch that changes the group (in place,
    :mod:`driftui.tui.tree_delta`) changes what the fold holds too."""

    group: Group
    populated: bool = False

    @property
    def parent_key(self) -> tuple[str, ...]:
        return self.group.key

    @property
    def groups(self) -> list[Group]:
        return [g for g in self.group.sorted_children() if g.all_in_sync]

    @property
    def leaves(self) -> list[DriftResult]:
        in_sync = DisplayStatus.IN_SYNC
        return [r for r in self.group.sorted_leaves() if display_status(r) is in_sync]

    @property
    def count(self) -> int:
        """The group's in-sync objects less those in the groups it still shows."""
        group, in_sync = self.group, DisplayStatus.IN_SYNC
        shown = sum(c.counts[in_sync] for c in group.children.values() if not c.all_in_sync)
        return group.counts[in_sync] - shown


NodeData = GroupEntry | FoldedEntry | DriftResult
Node = TreeNode[NodeData]


def node_status(data: NodeData | None) -> DisplayStatus:
    if isinstance(data, DriftResult):
        return display_status(data)
    if isinstance(data, GroupEntry):
        return data.group.worst
    return DisplayStatus.IN_SYNC


def node_key(data: NodeData | None) -> object:
    """What a node stands for, whatever its current status: one node per key in a tree."""
    if isinstance(data, DriftResult):
        return identity(data)
    return expansion_key(data)


def leaf_state(data: DriftResult) -> object:
    """What a leaf's label depends on, besides its name."""
    return (display_status(data), data.health)


FOLD = "\x00in-sync"  # the last label of a fold node's key (no group label is this)


def expansion_key(data: NodeData | None) -> tuple[str, ...] | None:
    if isinstance(data, GroupEntry):
        return data.group.key
    if isinstance(data, FoldedEntry):
        return (*data.parent_key, FOLD)
    return None


def populated(node: Node) -> bool:
    data = node.data
    return isinstance(data, GroupEntry | FoldedEntry) and data.populated


def leaf_slot(parent: Node, result: DriftResult) -> int:
    """Where ``result`` goes among ``parent``'s children: groups first, then leaves in
    :data:`leaf_order`, then the fold (found by bisection, not a pass over 10,000)."""
    children = parent.children
    end = len(children) - (1 if children and isinstance(children[-1].data, FoldedEntry) else 0)
    first = bisect_left(children, True, hi=end, key=lambda n: isinstance(n.data, DriftResult))
    order = leaf_order(result)
    return bisect_left(children, order, lo=first, hi=end, key=lambda n: leaf_order(n.data))
