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


def keep_all() -> None:
    """Freeze everything alive now, in constant time: call at the end of a bulk job, while
    the collector is still paused, so what the job made is never walked at all."""
    global _kept
    gc.freeze()
    _kept += 1


COLLECT_EVERY = 5  # frozen jobs between full collections, when the user is idle
FORCE_AFTER = 20  # frozen jobs after which a full collection runs even mid-typing
_kept = 0
_collected_at: int | None = None  # the value of _kept at the last full collection


def settle(*, idle: bool) -> bool:
    """Reclaim frozen garbage now and then: True when a full collection ran.

    Frozen objects are still freed by reference counting; only reference cycles that
    became garbage after being frozen stay (Textual's rendered strips, about 10,000
    objects a rescan). A full collection walks every object, ~0.5 s of a 10,000-object
    explorer, so after the first job it waits for ``COLLECT_EVERY`` jobs and an ``idle``
    user, and runs regardless after ``FORCE_AFTER``, which bounds the garbage kept.
    """
    global _collected_at
    if _collected_at is None:
        due = _kept > 0
    else:
        behind = _kept - _collected_at
        due = behind >= FORCE_AFTER or (idle and behind >= COLLECT_EVERY)
    if not due:
        return False
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _collected_at = _kept
    return True
