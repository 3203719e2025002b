"""Background work gives way while the foreground draws a frame.

Threads share one interpreter lock. A scan running in watch mode while the user moves the
cursor made each frame wait for the lock in turns with the scan, and every slow key press
in benchmarks/bench_watch fell inside a scan. Bulk loops call :func:`give_way` between
items, or iterate :func:`paced`; the explorer holds them with :func:`foreground_busy` for
each input and releases each hold with :func:`foreground_done` after the frame that shows
it. Plain Python: no UI import, a no-op without a foreground.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

MAX_WAIT = 0.25  # seconds: a foreground that never reports its frame delays the work once

_idle = threading.Event()
_idle.set()
_holds = 0  # inputs whose frames are not drawn yet: one key is held twice as it bubbles
_holds_lock = threading.Lock()
_drawing_thread: int | None = None  # the open foreground's thread, which never waits for itself


def give_way() -> None:
    """Wait (holding no lock) while the foreground is busy; costs one flag check if not."""
    if _idle.is_set() or threading.get_ident() == _drawing_thread:
        return
    if not _idle.wait(MAX_WAIT):
        forget_holds()  # a frame's report got lost: stop waiting for it


def paced(items: Iterable[T]) -> Iterator[T]:
    """``items``, giving way before each: a bulk loop's pacing, comprehensions included."""
    for item in items:
        give_way()
        yield item


def sorted_paced(
    items: Iterable[T], bucket: Callable[[T], Any], within: Callable[[T], Any]
) -> list[T]:
    """``items`` sorted by ``(bucket(item), within(item))``, stably, a bucket at a time.

    One ``list.sort`` of 100,000 items holds the interpreter lock throughout (~0.1-0.4 s):
    its comparisons run in C, where nothing gives way. Bucketed in a paced loop, then
    sorted a bucket at a time, the longest stretch is one bucket's sort."""
    buckets: dict[Any, list[T]] = {}
    for item in paced(items):
        buckets.setdefault(bucket(item), []).append(item)
    out: list[T] = []
    for key in sorted(buckets):
        give_way()
        out += sorted(buckets[key], key=within)
    return out


def foreground_open(is_open: bool) -> None:
    """A foreground opened (``True``) on this thread, or closed: see
    :func:`foreground_present`. Its own thread never gives way: it would wait for itself."""
    global _drawing_thread
    _drawing_thread = threading.get_ident() if is_open else None


def foreground_present() -> bool:
    """Whether someone is looking: bulk readers then cut their work finer."""
    return _drawing_thread is not None


def foreground_busy() -> None:
    global _holds
    with _holds_lock:
        _holds += 1
        _idle.clear()


def foreground_done() -> None:
    """One hold released; work goes on once every hold is."""
    global _holds
    with _holds_lock:
        _holds = max(0, _holds - 1)
        if not _holds:
            _idle.set()


def forget_holds() -> None:
    global _holds
    with _holds_lock:
        _holds = 0
        _idle.set()
