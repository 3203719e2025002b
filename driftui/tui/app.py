"""The drift explorer: a Textual front end over a scanner callable.

The app holds no drift logic and no machinery of its own: it composes the widgets and
wires the parts. Its jobs are mixins in :mod:`driftui.tui.explorer`, one a job: showing
the state (``presenting``), scans (``scanning``), and the key actions by family
(``view_keys``, ``action_keys``, ``discoverability``). The scan runs in
:mod:`.scan_worker`, mutating actions in :mod:`.action_flow` (through the one
:class:`MutationGate`), the keys are declared in :mod:`.keys`, and the pacing and
collector policy that keep the screen responsive live in :mod:`.responsiveness`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.errors import NoWidget
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.widgets import Input, Static

from driftui.actions.registry import Executor, Previewer, ResourceOf, Suspensions
from driftui.gate import MutationGate
from driftui.live.discovery import guess_resource
from driftui.tui import keys
from driftui.tui.action_flow import ActionFlow, ClusterParts, Placer
from driftui.tui.explorer.action_keys import ActionKeys
from driftui.tui.explorer.discoverability import Discoverability
from driftui.tui.explorer.scanning import Scanning
from driftui.tui.explorer.view_keys import ViewKeys
from driftui.tui.filter_flow import FilterFlow
from driftui.tui.formatting import shown
from driftui.tui.responsiveness import SETTLE_EVERY, Responsiveness
from driftui.tui.scan_worker import Scanner
from driftui.tui.status_style import status_css_variables
from driftui.tui.tree_model import NO_FRAME
from driftui.tui.watch_flow import Watcher, WatchFlow
from driftui.tui.widgets.detail import DetailPane, HistoryFn
from driftui.tui.widgets.header import SummaryHeader
from driftui.tui.widgets.key_bar import KeyBar
from driftui.tui.widgets.resource_tree import ResourceTree

__all__ = ["DriftExplorer", "Scanner", "run_explorer"]


def _local_now() -> datetime:
    return datetime.now().astimezone()


class DriftExplorer(Scanning, ViewKeys, ActionKeys, Discoverability):
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
        self.suspended = []
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
        self.report = None
        self.scope = None
        self.frame = NO_FRAME
        self._prepared = None
        self.refreshed = None
        self.progress_text = ""
        self.error_text = ""
        self.query_text = ""
        self.status_filter = None
        self.scanning = False
        self._rebuilding = False
        self.scans_finished = 0
        self.watching = WatchFlow(self, watcher, watch_interval)
        self.filtering = FilterFlow(self)
        self._binding_state = ()

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

    def compose(self) -> ComposeResult:
        yield SummaryHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="tree-panel"):
                yield Input(placeholder="filter: kind namespace name", id="filter")
                yield Static("Starting scan…", id="scan-status")
                yield ResourceTree(on_cursor=self._cursor_moved, id="tree")
            yield DetailPane(clock=self.data_clock, history=self.history, id="detail")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.responsiveness.start()
        if self._driver is not None:
            self.responsiveness.watch_driver(self._driver)
        self.main_screen.query_one("#filter", Input).cursor_blink = self.CURSOR_BLINK
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._update_header()
        self._update_tree_title()
        self.resource_tree.focus()
        self.set_interval(SETTLE_EVERY, self.responsiveness.settle_heap)
        self.start_scan()

    def on_unmount(self) -> None:
        self.responsiveness.stop()

    async def on_event(self, event: events.Event) -> None:
        with self.responsiveness.handing_on(event, lambda: self._receiver_of(event)):
            await super().on_event(event)

    def _receiver_of(self, event: events.Event) -> MessagePump:
        """Where ``event`` is handled next: the focused widget, or the one under the pointer;
        the app itself for a key that bubbled back to its bindings (``j`` is the tree's)."""
        if event.is_forwarded:
            return self
        if isinstance(event, events.MouseEvent):
            try:
                return self.get_widget_at(event.x, event.y)[0]
            except NoWidget:
                return self.screen
        return self.focused or self.screen

    def _theme_changed(self, _theme: object) -> None:
        self.resource_tree.refresh_status_styles()
        self._rebuild(keep=self.selected_object())
        self.detail.redraw()


def run_explorer(scanner: Scanner, **parts: Any) -> int:
    """Open the explorer; returns the process exit code. ``parts``: see
    :func:`driftui.__main__.explorer_parts`."""
    app = DriftExplorer(scanner, **parts)
    app.run()
    return app.return_code or 0
