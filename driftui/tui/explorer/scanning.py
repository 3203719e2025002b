"""Scans from the explorer's side: starting one (r, the first mount, after an action, watch
mode), and taking in what the worker sends back: progress, a report, a watch batch judged
again, or the error that stopped it.

The scan itself runs in :func:`driftui.tui.scan_worker.run_scan`, in a thread; everything
here runs on the screen's thread and only moves the result into the explorer's state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from textual import work
from textual.widgets import Static

from driftui.model import ScanReport
from driftui.tui.explorer.presenting import Presenting
from driftui.tui.formatting import plain
from driftui.tui.messages import (
    EventsJudged,
    ScanFailed,
    ScanFinished,
    ScanProgress,
    WatchStarted,
)
from driftui.tui.scan_worker import problems_notice, run_scan
from driftui.tui.scope import Scope
from driftui.tui.tree_delta import apply_changes
from driftui.tui.tree_model import Grouping, Prepared, View, prepare
from driftui.tui.tree_view import keep_cursor


class Scanning(Presenting):
    """Starts scans and lands their reports; the r and w keys ask for them."""

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

    def action_refresh(self) -> None:
        self.start_scan()

    def action_watch(self) -> None:
        self.watching.toggle()

    def on_watch_started(self, message: WatchStarted) -> None:
        self.watching.started(message)

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
        touched (:mod:`driftui.tui.tree_delta`); the cursor and the open groups stay."""
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
