"""Putting a prepared report into the resource tree: which groups open, where the cursor
lands, and what the tree panel's titles say."""

from __future__ import annotations

from driftui.model import DriftResult
from driftui.tui.health_view import Facet, facet_label
from driftui.tui.scope import identity
from driftui.tui.tree_model import Prepared
from driftui.tui.widgets.resource_tree import ResourceTree, node_key

EXPAND_ALL_LIMIT = 200  # a filter with this many matches or fewer opens every group


def load_keeping(
    tree: ResourceTree,
    prepared: Prepared,
    keep: DriftResult | None,
    expanded: set[tuple[str, ...]] | None,
    *,
    filtering: bool,
) -> None:
    """Load ``prepared`` with the ``expanded`` groups open and the cursor on ``keep`` if it
    is still shown, else on the first object of the worst group. A filter that matches
    few objects opens every group, so the matches are in view."""
    tree.load(prepared.index, expanded=expanded)
    if filtering and prepared.shown <= EXPAND_ALL_LIMIT:
        tree.open_all()
    revealed = keep is not None and tree.reveal(keep.ref, tree.path_of(keep))
    if not revealed and not tree.first_leaf_of_worst() and tree.root.children:
        tree.go_to(tree.root.children[0])


def keep_cursor(tree: ResourceTree, keep: DriftResult | None) -> None:
    """After the tree changed in place: the cursor back on ``keep`` if its node went
    (it folded away, or moved to another group) and it is still shown somewhere."""
    node = tree.cursor_node  # Tree keeps a removed node as its cursor node
    here = node is not None and tree.holds(node)
    if keep is None or (here and node_key(node.data) == identity(keep)):  # type: ignore[union-attr]
        return
    if not tree.reveal(keep.ref, tree.path_of(keep)) and not here and tree.root.children:
        tree.go_to(tree.root.children[0])


def panel_titles(
    tree: ResourceTree,
    *,
    status_filter: Facet | None,
    query: str,
    shown: int | None,
    total: int | None,
) -> tuple[str, str]:
    """(title, subtitle) of the tree panel: the grouping, then the filters and counts."""
    parts = []
    if status_filter is not None:
        parts.append(facet_label(status_filter))
    if query:
        parts.append(f"/{query}")
    if total is not None and shown is not None:
        parts.append(f"{shown}/{total}")
    if not (tree.show_in_sync or tree.reveal_all):
        parts.append("in sync folded")
    return f"Resources · {tree.grouping.heading}", " · ".join(parts)
