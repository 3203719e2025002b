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
    gc.freeze()


COLLECT_EVERY = 20  # settles between full collections: once every ~100 s of 5 s rescans
_settles = 0


def settle() -> None:
    """Reclaim frozen garbage now and then, after a scan has replaced the previous one.

    Frozen objects are still freed by reference counting; only reference cycles that
    became garbage after being frozen stay (nodes of a rebuilt tree, for instance). A full
    collection costs ~0.5 s of a 10,000-object explorer, so it runs on the first call and
    then every ``COLLECT_EVERY`` calls. (Counting the frozen objects to decide would itself
    walk them all.)
    """
    global _settles
    _settles += 1
    if _settles % COLLECT_EVERY != 1:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()
