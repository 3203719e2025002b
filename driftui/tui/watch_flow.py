"""Watch mode: watch events where RBAC allows ``watch``, periodic rescans where it does not.

With events, only the objects whose events arrived are judged again, in batches every
:data:`EVENT_BATCH` seconds (50 updates/s judged one by one would repaint the tree 50 times
a second); the ref is checked for a new commit every ``interval``, which alone costs a full
rescan. Without ``watch`` permission (or with no cluster), it falls back to today's full
rescan every ``interval`` and the header says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from textual.timer import Timer

from driftui.model import ScanReport
from driftui.tui.handoff import Handoff
from driftui.tui.messages import EventsJudged, ScanFailed, WatchStarted
from driftui.tui.responsiveness import bulk_job, small_job
from driftui.tui.tree_delta import changes_between

if TYPE_CHECKING:
    from driftui.tui.app import DriftExplorer

# Seconds between judging the objects whose events arrived. Each batch repaints the tree:
# at 0.5 s that was most of the explorer's CPU under 50 updates/s (25.4% of a core against
# 18.1% at 1 s, bench_watch); a second stays quicker than k9s's default 2 s refresh.
EVENT_BATCH = 1.0


class EventWatch(Protocol):
    """What the explorer needs of :class:`driftui.engine.watching.LiveWatch`."""

    def start(self) -> str: ...
    def pending(self) -> int: ...
    def rejudged(self, report: ScanReport) -> ScanReport | None: ...
    def source_changed(self, commit: str) -> bool: ...
    def resync(self) -> None: ...
    def trouble(self) -> str: ...
    def stop(self) -> None: ...


Watcher = Callable[[], EventWatch]


class WatchFlow:
    """Watch mode's state and timers for one explorer."""

    def __init__(self, app: DriftExplorer, watcher: Watcher | None, interval: float) -> None:
        self.app = app
        self.watcher = watcher
        self.interval = interval
        self.on = False
        self.events: EventWatch | None = None
        self.refused = ""  # why events are not used: the header says it
        self.starting = False
        self._timers: list[Timer] = []

    def header_text(self) -> str:
        if not self.on:
            return ""
        if self.starting:
            return "watch: listing…"
        if self.events is not None:
            trouble = self.events.trouble()
            return "watching events" + (f" (reconnecting: {trouble})" if trouble else "")
        text = f"watching every {self.interval:g}s"
        if not self.refused:
            return text
        why = "no watch permission" if "forbidden" in self.refused else "no watch events"
        return f"{text} ({why}: re-scanning)"

    def toggle(self) -> None:
        if self.on:
            self.stop()
            self.app.notify("Watch mode off", timeout=1.5)
        elif self.watcher is None:
            self._rescans()
            self.app.notify(f"Watching: re-scan every {self.interval:g}s", timeout=1.5)
        else:
            self.on, self.starting = True, True
            self.app.run_worker(self._start, thread=True, group="watch", exit_on_error=False)
        self.app.refresh_header()

    def _start(self) -> None:
        assert self.watcher is not None
        try:
            # The informers' first LIST holds every watched object for as long as the
            # explorer watches: frozen like a scan's, or each of CPython's own full
            # collections walked it (~0.3-0.7 s on 10,000 objects, every ~17 s, bench_watch)
            with bulk_job():
                watch = self.watcher()
                refused = watch.start()
        except Exception as error:  # no cluster, a failed LIST: rescans as before
            self.app.post_message(WatchStarted(None, str(error) or type(error).__name__))
            return
        self.app.post_message(WatchStarted(watch, refused))

    def started(self, message: WatchStarted) -> None:
        self.starting = False
        watch = message.watch
        if not self.on:  # turned off while the informers listed
            if watch is not None:
                self.app.run_worker(watch.stop, thread=True, exit_on_error=False)  # type: ignore[attr-defined]
            return
        if message.refused or watch is None:
            self.refused = message.refused or "not available"
            self._rescans()
            self.app.notify(
                f"No watch events ({self.refused}): re-scanning every {self.interval:g}s",
                severity="warning",
                timeout=6,
            )
        else:
            self.events = watch  # type: ignore[assignment]
            self._timers = [
                self.app.set_interval(EVENT_BATCH, self._event_tick),
                self.app.set_interval(self.interval, self._git_tick),
            ]
            self.app.notify("Watching: objects are judged again as their events arrive", timeout=2)
        self.app.refresh_header()

    def _rescans(self) -> None:
        self.on = True
        self._timers = [self.app.set_interval(self.interval, self._rescan_tick)]

    def _rescan_tick(self) -> None:
        if not self.app.scanning:
            self.app.start_scan()

    def _event_tick(self) -> None:
        app, events = self.app, self.events
        if events is None or app.scanning or app.report is None or not events.pending():
            return
        app.scanning = True  # a scan and a rejudge take turns, so reports land in order
        batch = Handoff((events, app.report))  # not closed over: see .handoff
        app.run_worker(
            partial(self._rejudge, batch), thread=True, group="scan", exit_on_error=False
        )

    def _rejudge(self, batch: Handoff[tuple[EventWatch, ScanReport]]) -> None:
        """Judge the changed objects and find which results changed, off the UI thread;
        the UI thread then touches only those (:mod:`.tree_delta`)."""
        events, report = batch.take()
        try:
            with small_job():  # twice a second: nothing frozen (see heap.keep_all)
                fresh = events.rejudged(report) or report
                changes = changes_between(report.results, fresh.results)
        except Exception as error:
            self.app.post_message(ScanFailed(error))
            return
        at: datetime = self.app.clock()
        suspended = tuple(self.app.suspended)
        self.app.post_message(EventsJudged(report, fresh, changes, at, suspended))

    def _git_tick(self) -> None:
        events, report = self.events, self.app.report
        if events is None or report is None or self.app.scanning:
            return
        commit = report.source.commit

        def check() -> None:
            try:
                moved = events.source_changed(commit)
            except Exception:  # the next full scan reports what is wrong with the source
                moved = True
            if moved:
                self.app.call_from_thread(self.app.start_scan)

        self.app.run_worker(check, thread=True, group="git", exit_on_error=False)

    def scan_finished(self) -> None:
        """A full scan read the cluster anew: events it may have missed are judged next."""
        if self.events is not None:
            self.events.resync()

    def stop(self) -> None:
        for timer in self._timers:
            timer.stop()
        self._timers = []
        if self.events is not None:
            self.app.run_worker(self.events.stop, thread=True, exit_on_error=False)
        self.on, self.events, self.refused, self.starting = False, None, "", False
