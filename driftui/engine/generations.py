"""A cache that forgets whatever one whole pass did not use.

Watch mode rescans for as long as the explorer is open, and every update of an object is
a new resourceVersion, so a plain dict of verdicts grew with the cluster's history (about
12,000 dead entries in four minutes of 50 updates/s, benchmarks/bench_watch). Keeping the
entries the latest pass used bounds it by the cluster's size instead.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class GenerationCache(Generic[K, V]):
    """Entries live while each pass (scan) uses them; ``next_generation`` starts a pass."""

    def __init__(self) -> None:
        self._current: dict[K, V] = {}
        self._previous: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self._current.get(key)
        if value is None:
            value = self._previous.pop(key, None)
            if value is not None:
                self._current[key] = value
        return value

    def put(self, key: K, value: V) -> None:
        self._current[key] = value

    def discard(self, key: K) -> None:
        """Forget ``key`` now: a watch event replaced the version it was kept for."""
        self._current.pop(key, None)
        self._previous.pop(key, None)

    def next_generation(self) -> None:
        """Whatever the pass now ending did not get or put is dropped at the next call."""
        self._previous, self._current = self._current, {}

    def __len__(self) -> int:
        return len(self._current) + len(self._previous)
