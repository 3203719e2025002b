"""Garbage-collector policy for bulk work: scans allocate millions of objects and keep them.

CPython's cyclic collector re-walks the young heap as it grows, so a 10,000-object cold
scan spent about a third of its time (1.2 s of 3.3 s, benchmarks/bench_engine) in
collections that found nothing: the parsed manifests, LIST responses and verdicts are
all kept. Reference counting still frees whatever is dropped; only reference cycles wait.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for a bulk job; safe to nest and to use from threads.

    Process-wide by nature: the collector resumes when the last pause ends, and stays off
    if it was off before the first.
    """
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def settle() -> None:
    """Collect once, then move every surviving object out of future collections.

    For long-lived processes (the explorer) after a scan replaced the previous one: later
    full collections then walk only what came after, instead of stalling ~100 ms on every
    object of the report.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
