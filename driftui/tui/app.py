"""The drift explorer: a Textual front end over a scanner callable.

The app holds no drift logic and no machinery of its own: it composes the widgets, routes
messages and key actions, and starts workers. The scan runs in :mod:`.scan_worker`,
mutating actions in :mod:`.action_flow` (through the one :class:`MutationGate`), the
keys are declared in :mod:`.keys`, and the pacing and collector policy that keep the
screen responsive live in :mod:`.responsiveness`.

Longer than the ~400-line habit (about 560) for a reason: what is left is the App's own
job, the scan and tree message handlers and some twenty key actions of a few lines each;
splitting them further would scatter one screen's routing over several files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, Static, Tree

from driftui.actions.registry import (
    ACTIONS,
    ActionRequest,
    ActionSpec,
    Executor,
    Previewer,
    ResourceOf,
    Suspensions,
    action_by_id,
    unavailable_reason,
)
from driftui.gate import MutationGate
from driftui.live.discovery import guess_resource
from driftui.model import DriftResult, ScanReport
from driftui.tui import cluster_views, keys
from driftui.tui.action_flow import ActionFlow, ClusterParts, Placer
from driftui.tui.filter_flow import FilterFlow
from driftui.tui.formatting import plain, shown
from driftui.tui.health_view import Facet, facet_label
from driftui.tui.messages import (
    EventsJudged,
    Filtered,
    ScanFailed,
    ScanFinished,
    ScanProgress,
    WatchStarted,
)
from driftui.tui.responsiveness import SETTLE_EVERY, Responsiveness
from driftui.tui.scan_worker import Scanner, problems_notice, run_scan
from driftui.tui.scope import Scope
from driftui.tui.screens.help import HelpScreen
from driftui.tui.selection import selected_results, subject_of
from driftui.tui.status_style import DisplayStatus, status_css_variables
from driftui.tui.tree_delta import apply_changes
from driftui.tui.tree_frame import Frame
from driftui.tui.tree_model import (
    NO_FRAME,
    Grouping,
    Prepared,
    View,
    next_status_filter,
    prepare,
)
from driftui.tui.tree_view import keep_cursor, load_keeping, panel_titles
from driftui.tui.watch_flow import Watcher, WatchFlow
from driftui.tui.widgets.detail import DetailPane, HistoryFn
from driftui.tui.widgets.header import HeaderState, SummaryHeader
from driftui.tui.widgets.key_bar import KeyBar
from driftui.tui.widgets.resource_tree import NodeData, ResourceTree

__all__ = ["DriftExplorer", "Scanner", "run_explorer"]


def _local_now() -> datetime:
    return datetime.now().astimezone()


class DriftExplorer(App[None]):
    """The explorer. See issue 4 for the screen it draws."""

    CSS_PATH = Path(__file__).with_name("driftui.tcss")  # absolute: subclasses live elsewhere
    TITLE = "driftui"
    CURSOR_BLINK: ClassVar[bool] = True  # snapshot tests turn it off

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.KEYS)

    def __init__(
        self,
        scanner: Scanner,
        *,
        read_only: bool,
        gate: MutationGate,
        history: HistoryFn | None = None,
        clock: Callable[[], datetime] = _local_now,
        watch_interval: float = 10.0,
        executors: Mapping[str, Executor] | None = None,
        previewers: Mapping[str, Previewer] | None = None,
        resource_of: ResourceOf = guess_resource,
        suspensions: Suspensions | None = None,
        watcher: Watcher | None = None,
        clusters: Mapping[str, ClusterParts] | Placer | None = None,
    ) -> None:
        super().__init__()
        self.scanner = scanner
        self.read_only = read_only or gate.read_only
        self.gate = gate
        self.history = history
        self.clock = clock
        self.watch_interval = watch_interval
        self.suspensions = suspensions
        self.suspended: list[str] = []
        self.resource_of = resource_of
        self.actions = ActionFlow(
            self,
            gate=gate,
            executors=executors or {},
            previewers=previewers or {},
            resource_of=resource_of,
            suspensions=suspensions,
            after_success=self.start_scan,
            cursor_blink=self.CURSOR_BLINK,
            clusters=clusters,
        )
        self.responsiveness = Responsiveness()
        self.report: ScanReport | None = None
        self.scope: Scope | None = None  # the clusters and apps the report covers
        self.frame: Frame = NO_FRAME
        self._prepared: Prepared | None = None  # the report, grouped for the current view
        self.refreshed: datetime | None = None
        self.progress_text = ""
        self.error_text = ""
        self.query_text = ""
        self.status_filter: Facet | None = None
        self.scanning = False
        self._rebuilding = False
        self.scans_finished = 0
        self.watching = WatchFlow(self, watcher, watch_interval)
        self.filtering = FilterFlow(self)
        self._binding_state: tuple[object, ...] = ()

    # -- theme --------------------------------------------------------------------------------

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        return {**variables, **status_css_variables(variables)}

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain, safe text: messages quote object names, server errors and
        warnings, so ``[@click=app.quit]`` or an escape sequence in them is only shown."""
        super().notify(
            shown(message, multiline=True),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SummaryHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="tree-panel"):
                yield Input(placeholder="filter: kind namespace name", id="filter")
                yield Static("Starting scan…", id="scan-status")
                yield ResourceTree(on_cursor=self._cursor_moved, id="tree")
            yield DetailPane(clock=self.data_clock, history=self.history, id="detail")
        yield KeyBar(id="keys")

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

    def on_mount(self) -> None:
        self.responsiveness.start()
        self.main_screen.query_one("#filter", Input).cursor_blink = self.CURSOR_BLINK
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._update_header()
        self._update_tree_title()
        self.resource_tree.focus()
        self.set_interval(SETTLE_EVERY, self.responsiveness.settle_heap)
        self.start_scan()

    async def on_event(self, event: events.Event) -> None:
        self.responsiveness.input_arrived(event, self.call_after_refresh)
        await super().on_event(event)

    def _theme_changed(self, _theme: object) -> None:
        self.resource_tree.refresh_status_styles()
        self._rebuild(keep=self.selected_object())
        self.detail.redraw()

    # -- scanning -----------------------------------------------------------------------------

    def data_clock(self) -> datetime:
        """ "Now" for the ages shown beside managers: while refreshes fail, the data stays as
        it was read, so its ages stop at the last good read instead of ageing as if fresh."""
        if self.error_text and self.refreshed is not None:
            return self.refreshed
        return self.clock()

    def start_scan(self) -> None:
        if self.scanning:
            self.notify("A scan is already running.", timeout=2)
            return
        self.scanning = True
        self.progress_text = "starting"
        self._update_header()
        self._scan(self._view())

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def _scan(self, view: View) -> None:
        run_scan(
            self.scanner,
            view,
            post=self.post_message,
            clock=self.clock,
            suspensions=self.suspensions,
        )

    def on_scan_progress(self, message: ScanProgress) -> None:
        if self.scanning:
            self.progress_text = str(message.event)
            self._update_header()
            if self.report is None:
                self.main_screen.query_one("#scan-status", Static).update(
                    plain(f"Scanning… {message.event}")
                )

    def on_scan_finished(self, message: ScanFinished) -> None:
        refresh = self.report is not None
        keep = self.selected_object()
        if self.report is None or self.report.problems != message.report.problems:
            self._tell_problems(message.report)
        self.scanning = False
        self.progress_text = ""
        self.error_text = ""
        self.report = message.report
        self._take_scope(message.scope, message.report, message.prepared)
        self._prepared = message.prepared
        self.filtering.scan_landed(message.report.results, message.prepared)
        self.refreshed = message.at
        self.suspended = list(message.suspended)
        self.scans_finished += 1
        self.main_screen.query_one("#scan-status", Static).display = False
        for warning in message.report.warnings:
            self.notify(warning, severity="warning", timeout=6)
        self._rebuild(keep=keep, refresh=refresh)
        self.watching.scan_finished()
        if not refresh:  # the first scan's garbage goes once it is on screen
            self.call_after_refresh(self.responsiveness.settle_heap)

    def on_events_judged(self, message: EventsJudged) -> None:
        """A watch batch: only the changed objects' nodes and their groups' rows are
        touched (:mod:`.tree_delta`); the cursor and the open groups stay."""
        self.scanning = False
        if self._prepared is None or message.base is not self.report:  # not the report shown
            prepared = prepare(message.report.results, self._view())
            self.on_scan_finished(ScanFinished(message.report, prepared, message.at))
            return
        tree, keep = self.resource_tree, self.selected_object()
        same_places = all(c.old is not None and c.new is not None for c in message.changes)
        same_places = same_places and len(message.base.results) == len(message.report.results)
        self.filtering.batch_landed(message.base, message.report, same_places)
        self.report, self.refreshed = message.report, message.at
        self.scope = replace(self.scope, report=message.report) if self.scope else None
        self.suspended, self.error_text = list(message.suspended), ""
        self.scans_finished += 1
        self._prepared, touched = apply_changes(
            self._prepared, message.changes, self.report.results
        )
        tree.patch(touched)
        keep_cursor(tree, keep)
        self._update_header()
        self._update_tree_title(self._prepared.shown)
        if self.selected_object() is not keep or keep is None:
            self._show_cursor_subject()

    def _take_scope(self, scope: Scope | None, report: ScanReport, prepared: Prepared) -> None:
        """The clusters and apps of a landed scan (watch events judged again keep the
        last scan's); the first scan that compared apps opens on the app tree, as the
        user asked with --app or --all-apps."""
        first = self.scope is None
        if scope is None:
            scope = replace(self.scope, report=report) if self.scope else Scope(report)
        self.scope = scope
        self.frame = prepared.view.frame
        self.resource_tree.frame = self.frame
        if first and self.frame.has_apps and self.resource_tree.grouping is Grouping.NAMESPACE:
            self.resource_tree.grouping = Grouping.APPS

    def _tell_problems(self, report: ScanReport) -> None:
        """Files the scan could not use are not in the tree: say which, once per change."""
        notice = problems_notice(report)
        if notice is not None:
            title, message = notice
            self.notify(message, title=title, severity="error", timeout=10)

    def on_scan_failed(self, message: ScanFailed) -> None:
        self.scanning = False
        self.progress_text = ""
        self.error_text = str(message.error) or type(message.error).__name__
        self.scans_finished += 1
        self._update_header()
        self.detail.redraw()  # ages now stand at the last good read
        self.notify(self.error_text, title="Refresh failed", severity="error", timeout=8)
        if self.report is None:
            self.main_screen.query_one("#scan-status", Static).update(
                plain(f"Scan failed: {self.error_text}\nPress r to try again.", multiline=True)
            )

    # -- tree ---------------------------------------------------------------------------------

    def _view(self) -> View:
        return View(self.query_text, self.status_filter, self.resource_tree.grouping, self.frame)

    def _rebuild(
        self,
        *,
        keep: DriftResult | None = None,
        expanded: set[tuple[str, ...]] | None = None,
        refresh: bool = False,
    ) -> None:
        """Show the visible results in the tree, keeping ``keep`` selected.

        ``refresh``: a rescan landed. If the tree keeps its shape its nodes are updated in
        place (rebuilding 10,000 nodes took ~0.9 s); otherwise the open groups reopen.
        """
        if self.report is None or self._prepared is None:  # both arrive with a scan
            return
        tree = self.resource_tree
        view = self._view()
        if self._prepared.view != view:
            self._prepared = self.filtering.regroup(self.report.results, self._prepared, view)
        prepared = self._prepared
        tree.reveal_all = bool(self.query_text) or self.status_filter is DisplayStatus.IN_SYNC
        self._rebuilding = True  # the cursor passes through several nodes: show the last
        try:
            if refresh:
                tree.update_in_place(prepared.index)
                keep_cursor(tree, keep)
            else:
                load_keeping(tree, prepared, keep, expanded, filtering=bool(self.query_text))
        finally:
            self._rebuilding = False
        self._update_header()
        self._update_tree_title(prepared.shown)
        self._show_cursor_subject()

    def _update_tree_title(self, shown: int | None = None) -> None:
        panel = self.main_screen.query_one("#tree-panel")
        total = len(self.report.results) if self.report is not None else None
        titles = panel_titles(
            self.resource_tree,
            status_filter=self.status_filter,
            query=self.query_text,
            shown=shown,
            total=total,
        )
        if titles != (panel.border_title, panel.border_subtitle):  # each set repaints the panel
            panel.border_title, panel.border_subtitle = titles

    @property
    def prepared(self) -> Prepared | None:
        """The report as the tree shows it now."""
        return self._prepared

    def show_prepared(self, prepared: Prepared) -> None:
        """The filter worker's grouping of the current report for the current view."""
        self._prepared = prepared
        self._rebuild(keep=self.selected_object())

    def refilter(self) -> None:
        self._rebuild(keep=self.selected_object())

    def on_filtered(self, message: Filtered) -> None:
        self.filtering.landed(message)

    def refresh_header(self) -> None:
        self._update_header()

    def current_view(self) -> View:
        return self._view()

    def _update_header(self) -> None:
        report, prepared = self.report, self._prepared
        self.main_screen.query_one(SummaryHeader).show(
            HeaderState(
                read_only=self.read_only,
                live=report.live if report else None,
                source=report.source if report else None,
                fidelity=report.fidelity if report else None,
                fidelity_text=report.fidelity_text() if report else "",
                counts=prepared.counts if prepared else {},
                refreshed=self.refreshed,
                progress=self.progress_text,
                error=self.error_text,
                watch_text=self.watching.header_text(),
                owners=prepared.owners if prepared else (),
                suspended=tuple(self.suspended),
            )
        )

    def selected_object(self) -> DriftResult | None:
        node = self.resource_tree.cursor_node
        if node is not None and isinstance(node.data, DriftResult):
            return node.data
        return None

    def selected_results(self) -> list[DriftResult]:
        """What an action acts on: the object under the cursor, or every object in its group."""
        node = self.resource_tree.cursor_node
        return selected_results(node.data if node is not None else None)

    def _show_cursor_subject(self) -> None:
        node = self.resource_tree.cursor_node
        self.detail.show(subject_of(node.data if node is not None else None, self.report))
        # after the frame: a build in a thread holds the interpreter lock in stretches,
        # and the frame that shows the move waited for it
        self.call_after_refresh(self._prefetch_neighbours)
        self._refresh_bindings_if_changed()

    def _prefetch_neighbours(self) -> None:
        if self.screen_stack:  # nor while the app is closing down
            self.detail.prefetch(self.resource_tree.neighbours())

    def _refresh_bindings_if_changed(self) -> None:
        """The footer recomposes on every refresh: on 10,000 objects, only when it would change."""
        state = (self.detail.active_tab, tuple(self._applies(spec) for spec in ACTIONS))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _cursor_moved(self) -> None:
        if self.screen_stack and not self._rebuilding:  # nor while the app is closing down
            self._show_cursor_subject()

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        node = event.node
        if isinstance(node.data, DriftResult):
            self.detail.focus_content()
        elif node.is_expanded:
            node.collapse()
        else:
            self.resource_tree.open_on_worst(node)

    # -- key actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        try:
            tab = self.detail.active_tab
        except Exception:
            return True
        if action in keys.TAB_OF:
            return tab == keys.TAB_OF[action]
        if action == "resume_suspended":
            return bool(self.suspended)
        if action in ("same_object", "compare_clusters"):  # shown only over several clusters
            if self.scope is None or not self.scope.multi_cluster:
                return False
            return True if self.selected_object() is not None else None
        if action == "run_action" and parameters:
            return self._applies(action_by_id(str(parameters[0])))
        return True

    def _applies(self, spec: ActionSpec) -> bool:
        """Whether the action makes sense for the selection (the gate is not asked here)."""
        if spec.needs_commit:
            return self.detail.selected_commit() is not None
        return any(r.status in spec.applies_to for r in self.selected_results())

    def action_show_tab(self, tab: str) -> None:
        self.detail.show_tab(tab)

    def action_split(self) -> None:
        self.detail.toggle_split()

    def action_context(self) -> None:
        self.detail.toggle_context()

    def action_managed_fields(self) -> None:
        self.detail.toggle_managed_fields()

    def action_filter(self) -> None:
        field = self.main_screen.query_one("#filter", Input)
        field.add_class("visible")
        field.focus()
        self.filtering.warm()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.filtering.changed()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.resource_tree.focus()

    def action_leave_filter(self) -> None:
        field = self.main_screen.query_one("#filter", Input)
        if field.has_focus:
            field.value = ""
            field.remove_class("visible")
        self.resource_tree.focus()

    def action_status_filter(self) -> None:
        self.status_filter = next_status_filter(self.status_filter)
        label = facet_label(self.status_filter) if self.status_filter else "all statuses"
        self.notify(f"Showing {label}", timeout=1.5)
        self._rebuild(keep=self.selected_object())

    def action_grouping(self) -> None:
        tree = self.resource_tree
        tree.grouping = tree.grouping.next(apps=self.frame.has_apps)
        self._rebuild(keep=self.selected_object())

    def action_toggle_in_sync(self) -> None:
        self.resource_tree.show_in_sync = not self.resource_tree.show_in_sync
        self._rebuild(keep=self.selected_object(), expanded=self.resource_tree.expanded_keys())

    def action_same_object(self) -> None:
        cluster_views.same_object(self, self.scope, self.selected_object())

    def action_compare_clusters(self) -> None:
        cluster_views.compare_here(self, self.scope, self.selected_object())

    def action_refresh(self) -> None:
        self.start_scan()

    def action_watch(self) -> None:
        self.watching.toggle()

    def on_watch_started(self, message: WatchStarted) -> None:
        self.watching.started(message)

    def action_resume_suspended(self) -> None:
        if self.suspended:
            self.actions.resume()

    # -- mutating actions (all through the registry and the gate) ------------------------------

    def action_run_action(self, action_id: str) -> None:
        self.actions.start(self._request(action_by_id(action_id)))

    def _request(self, spec: ActionSpec) -> ActionRequest:
        """The action on the selection: the objects it applies to, or all if none does (the
        registry then says why it is unavailable)."""
        selected = self.selected_results()
        targets = [r for r in selected if r.status in spec.applies_to]
        return ActionRequest(
            action=spec,
            targets=tuple(targets or selected),
            commit=self.detail.selected_commit(),
            source_commit=self.report.source.commit if self.report is not None else None,
        )

    # -- discoverability (both read the key declarations in keys.py) ----------------------------

    def action_help(self) -> None:
        entries = keys.help_entries(
            keys.KEYS,
            display=self.get_key_display,
            gate_reason=self._gate_reason,
            watch_interval=self.watch_interval,
        )
        self.push_screen(HelpScreen(entries))

    def _gate_reason(self, spec: ActionSpec) -> str:
        """Why an action is blocked for everything (read-only), independent of the selection."""
        return self.gate.why_not(spec.verb) if self.gate.read_only else ""

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from keys.palette_commands(
            keys.KEYS,
            display=self.get_key_display,
            unavailable=self._unavailable,
            runner=self._runner,
        )

    def _unavailable(self, spec: ActionSpec) -> str:
        request = ActionRequest(spec, tuple(self.selected_results()), self.detail.selected_commit())
        return unavailable_reason(request, self.gate, self.resource_of)

    def _runner(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action)

        return run


def run_explorer(scanner: Scanner, **parts: Any) -> int:
    """Open the explorer; returns the process exit code. ``parts``: see
    :func:`driftui.__main__.explorer_parts`."""
    app = DriftExplorer(scanner, **parts)
    app.run()
    return app.return_code or 0
