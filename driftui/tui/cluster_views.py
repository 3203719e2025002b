"""Opening the multi-cluster views from the tree: which object, which two clusters.

The explorer calls these with the object under the cursor and the scan's scope; the
comparison itself is the core's (:func:`driftui.compare.across.compare_live`).
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from driftui.compare.across import compare_live
from driftui.model import DriftResult
from driftui.tui.cluster_matrix import matrix_rows, object_title
from driftui.tui.scope import Scope, cluster_of
from driftui.tui.screens.cluster_compare import CompareClustersScreen
from driftui.tui.screens.cluster_matrix import ClusterMatrixScreen
from driftui.tui.status_style import display_status


def why_not(scope: Scope | None, selected: DriftResult | None) -> str:
    """Why neither view can open now; "" when they can."""
    if scope is None or not scope.multi_cluster:
        return "one cluster is scanned: name several with --context a,b or --all-contexts"
    if selected is None:
        return "put the cursor on an object"
    return ""


def same_object(app: App[Any], scope: Scope | None, selected: DriftResult | None) -> None:
    """The ``x`` key: the matrix of the object under the cursor, or why not."""
    reason = why_not(scope, selected)
    if reason or scope is None or selected is None:
        app.notify(reason, title="Same object, every cluster", severity="warning")
        return
    open_matrix(app, scope, selected)


def compare_here(app: App[Any], scope: Scope | None, selected: DriftResult | None) -> None:
    """The ``W`` key: the object here against the first other cluster whose copy differs."""
    reason = why_not(scope, selected)
    if reason or scope is None or selected is None:
        app.notify(reason, title="Compare clusters", severity="warning")
        return
    open_compare(app, scope, selected, cluster_of(selected), None)


def open_matrix(app: App[Any], scope: Scope, selected: DriftResult) -> None:
    """Same object, every cluster."""
    ref = selected.ref
    rows = matrix_rows(scope, ref)

    def compare(left: str, right: str) -> None:
        open_compare(app, scope, selected, left, right)

    app.push_screen(ClusterMatrixScreen(object_title(ref), rows, cluster_of(selected), compare))


def other_cluster(scope: Scope, selected: DriftResult) -> str | None:
    """The cluster to compare with when none is named: the first other cluster whose copy
    of the object stands differently from this one (else the first other that has it)."""
    here = cluster_of(selected)
    others = [r for r in scope.report.results if r.ref == selected.ref and cluster_of(r) != here]
    order = {c: i for i, c in enumerate(scope.contexts())}
    others.sort(key=lambda r: order.get(cluster_of(r), len(order)))
    status = display_status(selected)
    differing = [r for r in others if display_status(r) is not status]
    chosen = differing or others
    return cluster_of(chosen[0]) if chosen else None


def open_compare(
    app: App[Any], scope: Scope, selected: DriftResult, left: str, right: str | None
) -> None:
    """Compare clusters: ``selected``'s object live in ``left`` against live in ``right``."""
    right = right or other_cluster(scope, selected)
    if right is None or right == left:
        app.notify(
            "No other cluster to compare with: pick one in the every-cluster view (x).",
            severity="warning",
        )
        return
    found = {cluster_of(r): r for r in scope.report.results if r.ref == selected.ref}
    a, b = found.get(left), found.get(right)
    comparison = compare_live(a.live if a else None, b.live if b else None)
    app.push_screen(CompareClustersScreen(object_title(selected.ref), left, right, comparison))
