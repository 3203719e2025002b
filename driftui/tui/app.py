"""The drift explorer: a Textual front end over a scanner callable.

The app holds no drift logic. It calls the injected ``scanner`` in a thread worker,
shows the :class:`ScanReport` it returns, and runs actions only through
:mod:`driftui.actions.registry`, which asks the one :class:`MutationGate`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, Tree

from driftui.actions.registry import (
    ACTIONS,
    ActionOutcome,
    ActionRequest,
    ActionSpec,
    Executor,
    Previewer,
    ResourceOf,
    Suspensions,
    action_by_id,
    execute,
    planned_changes,
    unavailable_reason,
)
from driftui.gate import MutationGate, MutationRefused
from driftui.live.discovery import guess_resource
from driftui.model import DriftResult, ObjectRef, ScanReport
from driftui.runtime import heap, pacing
from driftui.runtime.progress import ProgressEvent, ProgressFn
from driftui.tui.formatting import plain, shown
from driftui.tui.messages import ScanFailed, ScanFinished, ScanProgress
from driftui.tui.screens.confirm import ConfirmActionScreen
from driftui.tui.screens.help import HelpEntry, HelpScreen
from driftui.tui.status_style import LABEL, DisplayStatus, status_css_variables
from driftui.tui.tree_model import (
    Group,
    Prepared,
    View,
    next_status_filter,
    prepare,
)
from driftui.tui.widgets.detail import TABS, DetailPane, HistoryFn, Subject
from driftui.tui.widgets.header import HeaderState, SummaryHeader
from driftui.tui.widgets.key_bar import KeyBar
from driftui.tui.widgets.resource_tree import FoldedEntry, GroupEntry, ResourceTree

Scanner = Callable[[ProgressFn], ScanReport]
EXPAND_ALL_LIMIT = 200  # a filter with this many matches or fewer opens every group
PROGRESS_INTERVAL = 0.05  # seconds between progress messages from the scan thread
SWITCH_INTERVAL = 0.0005  # seconds; the interpreter default is 0.005
FRAME_INPUT = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
IDLE_BEFORE_COLLECT = 3.0  # seconds without input before a full garbage collection may run
PROBLEMS_SHOWN = 3  # load problems named in the notification; the rest are counted


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _action_bindings() -> list[BindingType]:
    return [
        Binding(spec.key, f"run_action('{spec.id}')", spec.title, id=spec.id) for spec in ACTIONS
    ]


# Help-screen sections, by action name; the bindings themselves are the single source of keys.
SECTIONS: dict[str, str] = {
    "cursor_down": "Navigate",
    "cursor_up": "Navigate",
    "open": "Navigate",
    "leave_filter": "Navigate",
    "filter": "Find",
    "status_filter": "Find",
    "grouping": "Find",
    "toggle_in_sync": "Find",
    "show_tab": "View",
    "split": "View",
    "context": "View",
    "managed_fields": "View",
    "run_action": "Act",
    "refresh": "Scan",
    "watch": "Scan",
    "help": "App",
    "command_palette": "App",
    "quit": "App",
}
SECTION_ORDER = ("Navigate", "Find", "View", "Act", "Scan", "App")


class DriftExplorer(App[None]):
    """The explorer. See issue 4 for the screen it draws."""

    CSS_PATH = Path(__file__).with_name("driftui.tcss")  # absolute: subclasses live elsewhere
    TITLE = "driftui"
    CURSOR_BLINK: ClassVar[bool] = True  # snapshot tests turn it off

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="help"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("f", "status_filter", "Status", id="status_filter"),
        Binding("g", "grouping", "Group", id="grouping", show=False),
        Binding("i", "toggle_in_sync", "In sync", id="toggle_in_sync", show=False),
        Binding("1", "show_tab('diff')", "Diff tab", show=False),
        Binding("2", "show_tab('git')", "Git tab", show=False),
        Binding("3", "show_tab('live')", "Live tab", show=False),
        Binding("4", "show_tab('fields')", "Fields tab", show=False),
        Binding("5", "show_tab('history')", "History tab", show=False),
        Binding("v", "split", "Split", id="split"),
        Binding("c", "context", "Context", id="context"),
        Binding("m", "managed_fields", "managedFields", id="managed_fields"),
        *_action_bindings(),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("w", "watch", "Watch", id="watch", show=False),
        Binding("escape", "leave_filter", "Back", show=False),
        Binding("U", "resume_suspended", "Resume auto-sync", id="resume_suspended"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

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
    ) -> None:
        super().__init__()
        self.scanner = scanner
        self.read_only = read_only or gate.read_only
        self.gate = gate
        self.history = history
        self.clock = clock
        self.watch_interval = watch_interval
        self.executors = dict(executors or {})
        self.previewers = dict(previewers or {})
        self.suspensions = suspensions
        self.suspended: list[str] = []
        self.resource_of = resource_of
        self.report: ScanReport | None = None
        self._prepared: Prepared | None = None  # the report, grouped for the current view
        self.refreshed: datetime | None = None
        self.progress_text = ""
        self.error_text = ""
        self.query_text = ""
        self.status_filter: DisplayStatus | None = None
        self.scanning = False
        self._rebuilding = False
        self.scans_finished = 0
        self._watch_timer: Timer | None = None
        self._binding_state: tuple[object, ...] = ()
        self._last_input = time.monotonic()

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
        # Scans compare in a worker thread and hold the GIL in long stretches; a short
        # switch interval lets key presses in between (measured in benchmarks/bench_watch).
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.main_screen.query_one("#filter", Input).cursor_blink = self.CURSOR_BLINK
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._update_header()
        self._update_tree_title()
        self.resource_tree.focus()
        self.set_interval(1.0, self._settle_heap)
        self.start_scan()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self._last_input = time.monotonic()
            if isinstance(event, FRAME_INPUT):  # a scan gives way until the frame is drawn
                pacing.foreground_busy()
                self.call_after_refresh(pacing.foreground_done)
        await super().on_event(event)

    def _settle_heap(self) -> None:
        """Full garbage collections stall the screen (~0.5 s on 10,000 objects): run them
        while nobody types, see :func:`heap.settle`."""
        heap.settle(idle=time.monotonic() - self._last_input >= IDLE_BEFORE_COLLECT)

    def _theme_changed(self, _theme: object) -> None:
        self.resource_tree.refresh_status_styles()
        self._rebuild(keep=self._selected_ref())
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
        last = [0.0]

        def progress(event: ProgressEvent) -> None:
            now = time.monotonic()
            final = event.total is not None and event.done >= event.total
            if final or now - last[0] >= PROGRESS_INTERVAL:
                last[0] = now
                self.post_message(ScanProgress(event))

        try:
            with heap.collector_paused():
                report = self.scanner(progress)
                prepared = prepare(report.results, view)  # here, not in the UI thread
                heap.keep_all()  # the report lives until the next scan: never walk it
        except Exception as error:  # shown to the user; the previous state stays on screen
            self.post_message(ScanFailed(error))
            return
        suspended = tuple(self.suspensions.current()) if self.suspensions else ()
        self.post_message(ScanFinished(report, prepared, self.clock(), suspended))

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
        keep = self._selected_ref()
        if self.report is None or self.report.problems != message.report.problems:
            self._tell_problems(message.report)
        self.scanning = False
        self.progress_text = ""
        self.error_text = ""
        self.report = message.report
        self._prepared = message.prepared
        self.refreshed = message.at
        self.suspended = list(message.suspended)
        self.scans_finished += 1
        self.main_screen.query_one("#scan-status", Static).display = False
        for warning in message.report.warnings:
            self.notify(warning, severity="warning", timeout=6)
        self._rebuild(keep=keep, refresh=refresh)
        if not refresh:  # the first scan's garbage goes once it is on screen
            self.call_after_refresh(self._settle_heap)

    def _tell_problems(self, report: ScanReport) -> None:
        """Files the scan could not use are not in the tree: say which, once per change."""
        problems = report.problems
        if not problems:
            return
        shown = "\n".join(str(p) for p in problems[:PROBLEMS_SHOWN])
        more = len(problems) - PROBLEMS_SHOWN
        if more > 0:
            shown += f"\n… and {more} more (driftui diff lists them all)"
        title = f"{len(problems)} file(s) could not be used"
        self.notify(shown, title=title, severity="error", timeout=10)

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
        return View(self.query_text, self.status_filter, self.resource_tree.grouping)

    def _rebuild(
        self,
        *,
        keep: ObjectRef | None = None,
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
            self._prepared = self._prepared.regroup(self.report.results, view)
        prepared = self._prepared
        results = prepared.results
        tree.reveal_all = bool(self.query_text) or self.status_filter is DisplayStatus.IN_SYNC
        if not (refresh and tree.update_in_place(prepared.index)):
            if refresh:
                expanded = tree.expanded_keys()
            self._load(prepared.index, results, keep, expanded)
        self._update_header()
        self._update_tree_title(len(results))
        self._show_cursor_subject()

    def _load(
        self,
        index: Group,
        results: list[DriftResult],
        keep: ObjectRef | None,
        expanded: set[tuple[str, ...]] | None,
    ) -> None:
        tree = self.resource_tree
        self._rebuilding = True  # the cursor passes through several nodes: show only the last
        try:
            tree.load(index, expanded=expanded)
            if self.query_text and len(results) <= EXPAND_ALL_LIMIT:
                tree.open_all()
            by_ref = {r.ref: r for r in results} if keep is not None else {}
            revealed = keep in by_ref and tree.reveal(keep, tree.path_of(by_ref[keep]))
            if not revealed and not tree.first_leaf_of_worst() and tree.root.children:
                tree.go_to(tree.root.children[0])
        finally:
            self._rebuilding = False

    def _update_tree_title(self, shown: int | None = None) -> None:
        panel = self.main_screen.query_one("#tree-panel")
        panel.border_title = f"Resources · {self.resource_tree.grouping.heading}"
        parts = []
        if self.status_filter is not None:
            parts.append(LABEL[self.status_filter])
        if self.query_text:
            parts.append(f"/{self.query_text}")
        if self.report is not None and shown is not None:
            parts.append(f"{shown}/{len(self.report.results)}")
        if not (self.resource_tree.show_in_sync or self.resource_tree.reveal_all):
            parts.append("in sync folded")
        panel.border_subtitle = " · ".join(parts)

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
                watch_interval=self.watch_interval if self._watch_timer else None,
                owners=prepared.owners if prepared else (),
                suspended=tuple(self.suspended),
            )
        )

    def _selected_ref(self) -> ObjectRef | None:
        node = self.resource_tree.cursor_node
        if node is not None and isinstance(node.data, DriftResult):
            return node.data.ref
        return None

    def selected_results(self) -> list[DriftResult]:
        """What an action acts on: the object under the cursor, or every object in its group."""
        node = self.resource_tree.cursor_node
        data = node.data if node is not None else None
        if isinstance(data, DriftResult):
            return [data]
        if isinstance(data, GroupEntry):
            return list(_results_in(data.group))
        return []

    def _show_cursor_subject(self) -> None:
        node = self.resource_tree.cursor_node
        data = node.data if node is not None else None
        if isinstance(data, DriftResult):
            subject = Subject(result=data)
        elif isinstance(data, GroupEntry):
            subject = Subject(title=" ▸ ".join(data.group.key), group=data.group)
        elif isinstance(data, FoldedEntry):
            subject = Subject(
                title=f"{data.count} objects in sync, folded. Press i to list them, "
                "or enter to open this node."
            )
        elif self.report is not None and not self.report.results:
            subject = Subject(title="The scan found no objects.")
        elif self.report is not None:
            subject = Subject(title="Nothing matches the filter.")
        else:
            subject = Subject(title="Waiting for the first scan…")
        self.detail.show(subject)
        self.detail.prefetch(self.resource_tree.neighbours())
        self._refresh_bindings_if_changed()

    def _refresh_bindings_if_changed(self) -> None:
        """The footer recomposes on every refresh: on 10,000 objects, only when it would change."""
        state = (self.detail.active_tab, tuple(self._applies(spec) for spec in ACTIONS))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _cursor_moved(self) -> None:
        if self.screen_stack and not self._rebuilding:  # nor while the app is closing down
            self._show_cursor_subject()

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
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
        if action in ("split", "context"):
            return tab == "diff"
        if action == "managed_fields":
            return tab == "live"
        if action == "resume_suspended":
            return bool(self.suspended)
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

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self._rebuild(keep=self._selected_ref())

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
        label = LABEL[self.status_filter] if self.status_filter else "all statuses"
        self.notify(f"Showing {label}", timeout=1.5)
        self._rebuild(keep=self._selected_ref())

    def action_grouping(self) -> None:
        self.resource_tree.grouping = self.resource_tree.grouping.next()
        self._rebuild(keep=self._selected_ref())

    def action_toggle_in_sync(self) -> None:
        self.resource_tree.show_in_sync = not self.resource_tree.show_in_sync
        self._rebuild(keep=self._selected_ref(), expanded=self.resource_tree.expanded_keys())

    def action_refresh(self) -> None:
        self.start_scan()

    def action_watch(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.stop()
            self._watch_timer = None
            self.notify("Watch mode off", timeout=1.5)
        else:
            self._watch_timer = self.set_interval(self.watch_interval, self._watch_tick)
            self.notify(f"Watching: re-scan every {self.watch_interval:g}s", timeout=1.5)
        self._update_header()

    def _watch_tick(self) -> None:
        if not self.scanning:
            self.start_scan()

    def action_resume_suspended(self) -> None:
        if self.suspensions is not None and self.suspended:
            self._resume(self.suspensions)

    @work(thread=True, group="actions", exit_on_error=False)
    def _resume(self, suspensions: Suspensions) -> None:
        try:
            outcome = suspensions.resume()
        except MutationRefused as refused:
            outcome = ActionOutcome(ok=False, summary=str(refused))
        except Exception as error:
            outcome = ActionOutcome(ok=False, summary=f"Resume failed: {error}")
        self.call_from_thread(self._action_done, outcome)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_entries()))

    # -- mutating actions (all through the registry and the gate) ------------------------------

    def action_run_action(self, action_id: str) -> None:
        spec = action_by_id(action_id)
        targets = [r for r in self.selected_results() if r.status in spec.applies_to]
        request = ActionRequest(
            action=spec,
            targets=tuple(targets or self.selected_results()),
            commit=self.detail.selected_commit(),
            source_commit=self.report.source.commit if self.report is not None else None,
        )
        reason = unavailable_reason(request, self.gate, self.resource_of)
        if reason:
            self.notify(reason, title=f"{spec.title} unavailable", severity="warning")
            return

        previewer = self.previewers.get(spec.id)
        if previewer is None:
            self._confirm(request, None)
        else:
            self.notify(f"Working out what {spec.title.lower()} would change…", timeout=3)
            self._preview(request, previewer)

    @work(thread=True, group="actions", exit_on_error=False)
    def _preview(self, request: ActionRequest, previewer: Previewer) -> None:
        """A dry-run or a side revert can take a while: never on the UI thread."""
        try:
            changes: tuple[str, ...] | None = previewer(request)
        except Exception as error:
            changes = (f"preview failed: {error}", *planned_changes(request))
        self.call_from_thread(self._confirm, request, changes)

    def _confirm(self, request: ActionRequest, changes: tuple[str, ...] | None) -> None:
        def confirmed(ok: bool | None) -> None:
            if ok:
                self._run_confirmed(request)

        screen = ConfirmActionScreen(request, cursor_blink=self.CURSOR_BLINK, changes=changes)
        self.push_screen(screen, confirmed)

    def _run_confirmed(self, request: ActionRequest) -> None:
        executor = self.executors.get(request.action.id)
        if executor is None:
            self.notify(
                f"{request.action.title} is not available in this build yet.",
                title=f"{request.action.title} unavailable",
                severity="warning",
            )
            return
        self._execute(request, executor)

    @work(thread=True, group="actions", exit_on_error=False)
    def _execute(self, request: ActionRequest, executor: Executor) -> None:
        try:
            outcome = execute(request, self.gate, executor, self.resource_of)
        except MutationRefused as refused:
            outcome = ActionOutcome(ok=False, summary=str(refused))
        except Exception as error:
            outcome = ActionOutcome(ok=False, summary=f"{request.action.title} failed: {error}")
        self.call_from_thread(self._action_done, outcome)

    def _action_done(self, outcome: ActionOutcome) -> None:
        message = "\n".join((outcome.summary, *outcome.details))
        self.notify(message, severity="information" if outcome.ok else "error", timeout=8)
        if outcome.ok:
            self.start_scan()

    # -- discoverability ----------------------------------------------------------------------

    def help_entries(self) -> list[HelpEntry]:
        """Every binding the explorer answers to, generated from the Binding objects."""
        entries: list[HelpEntry] = [
            HelpEntry("Navigate", "j / ↓", "Move down"),
            HelpEntry("Navigate", "k / ↑", "Move up"),
            HelpEntry("Navigate", "enter", "Open a group on its worst object, or focus the tabs"),
            HelpEntry("Navigate", "space", "Expand or collapse a group"),
            HelpEntry("Navigate", "tab", "Move focus between tree and tabs"),
            HelpEntry("Navigate", "esc", "Back to the tree (clears the filter when typing)"),
        ]
        described = {
            "help": "This screen",
            "filter": "Fuzzy filter over kind, namespace and name",
            "status_filter": "Cycle the status filter (all, drifted, missing, …)",
            "grouping": "Group by namespace, by source file, or by owning app",
            "toggle_in_sync": "Show or fold in-sync objects",
            "split": "Diff: unified or side by side",
            "context": "Diff: compact (3 lines of context) or full",
            "managed_fields": "Live: show or hide metadata.managedFields",
            "refresh": "Re-scan now",
            "watch": f"Watch mode: re-scan every {self.watch_interval:g}s, keeping the selection",
            "quit": "Quit",
        }
        tabs = " ".join(str(i) for i in range(1, len(TABS) + 1))
        entries.append(HelpEntry("View", tabs, "Tabs: " + ", ".join(t for _, t in TABS)))
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            name = binding.action.split("(")[0]
            if name in ("show_tab", "leave_filter"):
                continue
            keys = self.get_key_display(binding)
            if name == "run_action":
                spec = action_by_id(binding.id or "")
                reason = self._gate_reason(spec)
                note = f" [{reason}]" if reason else ""
                entries.append(HelpEntry("Act", keys, f"{spec.title}: {spec.description}{note}"))
            else:
                section = SECTIONS.get(name, "App")
                entries.append(HelpEntry(section, keys, described.get(name, binding.description)))
        entries.append(HelpEntry("App", "ctrl+p", "Command palette: every action by name"))
        return sorted(entries, key=lambda e: SECTION_ORDER.index(e.section))

    def _gate_reason(self, spec: ActionSpec) -> str:
        """Why an action is blocked for everything (read-only), independent of the selection."""
        return self.gate.why_not(spec.verb) if self.gate.read_only else ""

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            name = binding.action.split("(")[0]
            if name in ("leave_filter", "quit", "run_action"):
                continue
            yield SystemCommand(
                binding.description,
                f"key {self.get_key_display(binding)}",
                _runner(self, binding.action),
            )
        for spec in ACTIONS:
            request = ActionRequest(
                spec, tuple(self.selected_results()), self.detail.selected_commit()
            )
            reason = unavailable_reason(request, self.gate, self.resource_of)
            help_text = spec.description + (f" — unavailable: {reason}" if reason else "")
            yield SystemCommand(spec.title, help_text, _runner(self, f"run_action('{spec.id}')"))


def _runner(app: App[Any], action: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action)

    return run


def _results_in(group: Group) -> Iterable[DriftResult]:
    yield from group.leaves
    for child in group.children.values():
        yield from _results_in(child)


def run_explorer(scanner: Scanner, **parts: Any) -> int:
    """Open the explorer; returns the process exit code. ``parts``: see
    :func:`driftui.__main__.explorer_parts`."""
    app = DriftExplorer(scanner, **parts)
    app.run()
    return app.return_code or 0
