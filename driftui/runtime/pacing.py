"""Background work gives way while the foreground draws a frame.

Threads share one interpreter lock. A scan running in watch mode while the user moves the
cursor made each frame wait for the lock in turns with the scan, and every slow key press
in benchmarks/bench_watch fell inside a scan. Bulk loops call :func:`give_way` between
items; the explorer marks input as :func:`foreground_busy` and its next frame as
:func:`foreground_done`. Plain Python: no UI import, a no-op without a foreground.
"""

from __future__ import annotations

import threading

MAX_WAIT = 0.25  # seconds: a foreground that never reports its frame delays the work once

_idle = threading.Event()
_idle.set()


def give_way() -> None:
    """Wait (holding no lock) while the foreground is busy; costs one flag check if not."""
    if not _idle.is_set() and not _idle.wait(MAX_WAIT):
        _idle.set()  # the frame's report got lost: stop waiting for it


def foreground_busy() -> None:
    _idle.clear()


def foreground_done() -> None:
    _idle.set()
