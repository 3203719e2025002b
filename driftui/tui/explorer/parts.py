"""What every part of the explorer shares: its state, its widgets and the selection.

The state is declared here so that each mixin beside this one is type-checked against it;
:class:`driftui.tui.app.DriftExplorer` sets it in ``__init__``, where the parts are wired.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

from driftui.actions.registry import ActionSpec, ResourceOf, Suspensions
from driftui.gate import MutationGate
from driftui.model import DriftResult, ScanReport
from driftui.tui.health_view import Facet
from driftui.tui.responsiveness import Responsiveness
from driftui.tui.scan_worker import Scanner
from driftui.tui.scope import Scope
from driftui.tui.selection import selected_results
from driftui.tui.tree_frame import Frame
from driftui.tui.tree_model import Prepared, View
from driftui.tui.widgets.detail import DetailPane, HistoryFn
from driftui.tui.widgets.resource_tree import ResourceTree

if TYPE_CHECKING:
    from driftui.tui.action_flow import ActionFlow
    from driftui.tui.filter_flow import FilterFlow
    from driftui.tui.watch_flow import WatchFlow


class ExplorerParts(App[None]):
    """The explorer's state and the widgets and selection every key and message reads."""

    # what it was handed
    scanner: Scanner
    read_only: bool
    gate: MutationGate
    history: HistoryFn | None
    clock: Callable[[], datetime]
    watch_interval: float
    suspensions: Suspensions | None
    resource_of: ResourceOf
    # the machinery it calls
    actions: ActionFlow
    responsiveness: Responsiveness
    watching: WatchFlow
    filtering: FilterFlow
    # what the last scan said, and how it is shown
    report: ScanReport | None
    scope: Scope | None  # the clusters and apps the report covers
    frame: Frame
    _prepared: Prepared | None  # the report, grouped for the current view
    suspended: list[str]
    refreshed: datetime | None
    progress_text: str
    error_text: str
    query_text: str
    status_filter: Facet | None
    scanning: bool
    _rebuilding: bool
    scans_finished: int
    _binding_state: tuple[object, ...]

    @property
    def main_screen(self) -> Screen[Any]:
        """The explorer's own screen. Scans finish whenever they finish, also while a dialog
        or the help screen is on top, and ``App.query_one`` would search that one instead."""
        return self.screen_stack[0]

    @property
    def resource_tree(self) -> ResourceTree:
        return self.main_screen.query_one("#tree", ResourceTree)

    @property
    def detail(self) -> DetailPane:
        return self.main_screen.query_one("#detail", DetailPane)

    def _view(self) -> View:
        return View(self.query_text, self.status_filter, self.resource_tree.grouping, self.frame)

    def current_view(self) -> View:
        return self._view()

    def selected_object(self) -> DriftResult | None:
        node = self.resource_tree.cursor_node
        if node is not None and isinstance(node.data, DriftResult):
            return node.data
        return None

    def selected_results(self) -> list[DriftResult]:
        """What an action acts on: the object under the cursor, or every object in its group."""
        node = self.resource_tree.cursor_node
        return selected_results(node.data if node is not None else None)

    def _applies(self, spec: ActionSpec) -> bool:
        """Whether the action makes sense for the selection (the gate is not asked here)."""
        if spec.needs_commit:
            return self.detail.selected_commit() is not None
        return any(r.status in spec.applies_to for r in self.selected_results())
