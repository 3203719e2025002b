"""Garbage-collector policy for bulk work: scans allocate millions of objects and keep them.

CPython's cyclic collector re-walks the young heap as it grows, so a 10,000-object cold
scan spent about a third of its time (1.2 s of 3.3 s, benchmarks/bench_engine) in
collections that found nothing: the parsed manifests, LIST responses and verdicts are
all kept. Reference counting still frees whatever is dropped; only reference cycles wait.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_lock = threading.Lock()
_pauses = 0  # bulk jobs running (their end may freeze what they made)
_input_holds = 0  # key presses whose frames are not drawn yet
_was_enabled = True


@contextmanager
def collector_paused(*, keep: bool = False) -> Iterator[None]:
    """Pause the cyclic collector for a bulk job; safe to nest and to use from threads.

    Process-wide by nature: the collector resumes when the last pause ends, and stays off
    if it was off before the first. ``keep``: a job that rebuilds most of the heap (a scan)
    and ends the last pause without an error freezes what it made (:func:`keep_all`), since
    the first collection after a pause walks everything allocated during it, a seventh of
    a cold one-cluster scan; a nested job leaves that to the outer one.
    """
    global _pauses
    with _lock:
        _stop_collecting()
        _pauses += 1
    done = False
    try:
        yield
        done = True
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and keep and done:
                keep_all()
            _resume_collecting()


def hold_for_input() -> None:
    """No collection starts until :func:`release_input`: the screen draws a key's frame.

    CPython starts a collection in whichever thread allocates past its thresholds, and a
    key's frame allocates: of the keys over 50 ms in bench_watch, a fifth waited for a full
    collection (~64 ms each) the key itself set off. Held, it runs after the frame.
    """
    global _input_holds
    with _lock:
        _stop_collecting()
        _input_holds += 1


def release_input() -> None:
    global _input_holds
    with _lock:
        _input_holds -= 1
        _resume_collecting()


def _stop_collecting() -> None:
    """The first of jobs and holds notes whether the collector ran, and stops it."""
    global _was_enabled
    if _pauses == 0 and _input_holds == 0:
        _was_enabled = gc.isenabled()
        gc.disable()


def _resume_collecting() -> None:
    """The last of jobs and holds restarts the collector, if it ran before the first."""
    if _pauses == 0 and _input_holds == 0 and _was_enabled:
        gc.enable()


def keep_all() -> None:
    """Freeze everything alive now, in constant time: call at the end of a bulk job, while
    the collector is still paused, so what the job made is never walked at all.

    Only for jobs that rebuild most of the heap (scans). Whatever is alive is frozen, the
    screen's widgets too, and what of it later dies in a reference cycle stays until a full
    collection walks the whole heap: frozen twice a second, a watch-event batch would turn
    each tree it replaces into such garbage (issue 21). Small jobs only pause the collector.
    """
    global _scans
    gc.freeze()
    _scans += 1


def freeze_survivors(phase: str, info: dict[str, int]) -> None:
    """A ``gc.callbacks`` hook: what outlived one of CPython's own full collections is
    frozen, so the next walks only what is newer.

    Watching, every judged event replaces an object, a verdict and a row, and the
    replacements age into the oldest generation: CPython's full collections walked all of
    them, growing to 0.3-0.7 s each (one every ~10-17 s, benchmarks/bench_watch) as the
    churn replaced the frozen scan. The collection has just walked them; freezing costs
    nothing more. What of them later dies in a cycle waits for :func:`settle`.
    """
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


COLLECT_EVERY = 5  # frozen scans between full collections, when the user is idle
IDLE_GROWTH = 0.02  # heap growth since the last full collection worth one when idle
FORCE_GROWTH = 0.10  # heap growth after which a full collection runs even mid-typing
COST_BUDGET = 0.5  # seconds a full collection may take at the idle pace above
_scans = 0  # frozen scans since the last full collection
_blocks_then = 0  # allocated blocks right after the last full collection; 0: none ran yet
_cost = 0.0  # seconds the last full collection took


@dataclass(frozen=True)
class Since:
    """What was frozen since the last full collection, and how the heap grew."""

    scans: int
    blocks_then: int  # allocated blocks right after it; 0 when none ran yet
    blocks_now: int
    cost: float = 0.0  # seconds it took

    @property
    def patience(self) -> float:
        """How many times the idle pace to wait: a collection that took seconds (100,000
        objects: ~4.6 s, a keystroke typed meanwhile waited for all of it, bench_scale)
        runs as much less often as it is longer, for as much garbage per second spent."""
        return max(1.0, self.cost / COST_BUDGET)

    @property
    def growth(self) -> float:
        """Growth of the heap since then, a fraction of what it held: frozen garbage
        (reference cycles) shows up here, as do objects legitimately kept."""
        if self.blocks_then <= 0:
            return 0.0
        return (self.blocks_now - self.blocks_then) / self.blocks_then


def collection_due(since: Since, *, idle: bool) -> bool:
    """Whether a full collection should run now (a pure policy, unit-tested).

    A full collection walks every object, ~0.5 s of a 10,000-object explorer, and stalls
    the screen. The first runs after the first scan (the garbage of startup). After that,
    with an ``idle`` user, every ``COLLECT_EVERY`` scans or once the heap grew by
    ``IDLE_GROWTH`` (both times :attr:`Since.patience`); while the user types, only once
    it grew by ``FORCE_GROWTH``, which bounds the garbage kept whatever made it. A count
    of jobs is no measure while watching: batches arrive twice a second for as long as
    the explorer watches, and forcing a collection every 20 of them made key p95 198 ms
    (bench_watch, issue 21).
    """
    if since.blocks_then <= 0:
        return since.scans > 0
    if since.growth >= FORCE_GROWTH:
        return True
    patience = since.patience
    return idle and (
        since.scans >= COLLECT_EVERY * patience or since.growth >= IDLE_GROWTH * patience
    )


def settle(*, idle: bool) -> bool:
    """Reclaim frozen garbage when :func:`collection_due` says so: True when a full
    collection ran.

    Frozen objects are still freed by reference counting; only reference cycles that
    became garbage after being frozen stay (Textual's rendered strips, about 10,000
    objects a rescan). ``sys.getallocatedblocks`` measures the heap in about a
    millisecond (``gc.get_freeze_count`` walks every frozen object: 0.3 s).

    Never while a job has the collector paused: a rescan of 100,000 objects grows the heap
    by its new report as it goes, and collections forced by that growth, each walking the
    whole heap, took 65% of the screen's thread during it (keys p95 197 ms, bench_scale).
    """
    global _scans, _blocks_then, _cost
    # A scan grows the heap by its report (no garbage), and a key's frame is being drawn.
    if _pauses or _input_holds:
        return False
    if not collection_due(Since(_scans, _blocks_then, sys.getallocatedblocks(), _cost), idle=idle):
        return False
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    # Once more, over nothing: CPython runs its own full collections when the objects that
    # reached the oldest generation since its last one outnumber a quarter of what that one
    # found. Counted from here (no unfrozen object), they walk only what is new and stay
    # cheap; counted from the whole heap just collected, garbage that is not frozen (a
    # watch batch's) would wait until it made a quarter of the heap.
    gc.collect()
    _scans, _blocks_then = 0, max(1, sys.getallocatedblocks())
    _cost = time.perf_counter() - started
    return True
