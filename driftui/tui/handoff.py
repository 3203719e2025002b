"""What a worker thread is handed, let go of once the worker has taken it.

Textual's workers live in reference cycles (worker, task, context) that only a full
collection frees, and the explorer holds full collections off while the user types
(:func:`driftui.runtime.heap.settle`). A worker whose callable closed over a report kept
that report, and every result and live object replaced since, until then: in watch mode,
23 reports after 50 s of 50 updates/s, the explorer's RSS growing with them (issue 21,
benchmarks/bench_watch). A :class:`Handoff` keeps the worker's callable from holding them.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    """A value for one worker: :meth:`take` hands it over and keeps no reference."""

    def __init__(self, value: T) -> None:
        self._value: tuple[T] | None = (value,)

    def take(self) -> T:
        held, self._value = self._value, None
        assert held is not None, "handed over once"
        return held[0]
