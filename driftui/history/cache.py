"""Finished histories, kept by (repository, commit, object): commits are immutable, so a
history never goes stale; the explorer asks again on every visit to an object."""

from __future__ import annotations

import threading

from cachetools import LRUCache

from driftui.history.entry import HistoryEntry
from driftui.model import ObjectRef

_HISTORY_CACHE_ENTRIES = 512

HistoryKey = tuple[str, str, ObjectRef, str, str]
"""git dir, commit, object, scope, default namespace."""


class HistoryCache:
    """A thread-safe LRU of whole histories: the explorer asks again on every visit."""

    def __init__(self, max_entries: int) -> None:
        self._items: LRUCache[HistoryKey, tuple[HistoryEntry, ...]] = LRUCache(max_entries)
        self._lock = threading.Lock()

    def get(self, key: HistoryKey) -> tuple[HistoryEntry, ...] | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: HistoryKey, value: tuple[HistoryEntry, ...]) -> None:
        with self._lock:
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


HISTORY_CACHE = HistoryCache(_HISTORY_CACHE_ENTRIES)
