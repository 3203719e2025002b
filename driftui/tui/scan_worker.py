"""The scan as the explorer runs it: in a worker thread, reporting back by messages.

Everything here runs off the UI thread and talks to the app only through ``post``
(``App.post_message``), so the app just starts the worker and handles three messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from textual.message import Message

from driftui.actions.registry import Suspensions
from driftui.model import ScanReport
from driftui.runtime.progress import ProgressEvent, ProgressFn
from driftui.tui.messages import ScanFailed, ScanFinished, ScanProgress
from driftui.tui.responsiveness import bulk_job
from driftui.tui.scope import Outcome, scope_of
from driftui.tui.tree_frame import frame_of
from driftui.tui.tree_model import View, prepare

Scanner = Callable[[ProgressFn], Outcome]
"""One cluster's :class:`ScanReport`, several clusters' ``ClustersReport``, or a ``Scope``
(with the apps compared)."""
# Seconds between progress messages from the scan thread. Each redraws the header, a frame
# the screen's thread draws: at 20 a second, keys pressed during a 100,000-object rescan
# often reached the app 15-20 ms late, behind one (benchmarks/bench_scale).
PROGRESS_INTERVAL = 0.25
PROBLEMS_SHOWN = 3  # load problems named in the notification; the rest are counted


def throttled(
    post: Callable[[Message], object], clock: Callable[[], float] = time.monotonic
) -> ProgressFn:
    """Progress for the header, at most every ``PROGRESS_INTERVAL`` (and always the last):
    a message per object would flood the UI thread the scan is meant to leave alone."""
    last = [0.0]

    def progress(event: ProgressEvent) -> None:
        now = clock()
        final = event.total is not None and event.done >= event.total
        if final or now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            post(ScanProgress(event))

    return progress


def run_scan(
    scanner: Scanner,
    view: View,
    *,
    post: Callable[[Message], object],
    clock: Callable[[], datetime],
    suspensions: Suspensions | None,
) -> None:
    """Scan, group for ``view`` (here, not in the UI thread) and post the outcome."""
    try:
        with bulk_job():  # the report lives until the next scan: never walk it
            scope = scope_of(scanner(throttled(post)))
            prepared = prepare(scope.report.results, replace(view, frame=frame_of(scope)))
    except Exception as error:  # shown to the user; the previous state stays on screen
        post(ScanFailed(error))
        return
    suspended = tuple(suspensions.current()) if suspensions else ()
    post(ScanFinished(scope.report, prepared, clock(), suspended, scope=scope))


def problems_notice(report: ScanReport) -> tuple[str, str] | None:
    """(title, message) naming the files the scan could not use, or None if there are none."""
    problems = report.problems
    if not problems:
        return None
    shown = "\n".join(str(p) for p in problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    if more > 0:
        shown += f"\n… and {more} more (driftui diff lists them all)"
    return f"{len(problems)} file(s) could not be used", shown
