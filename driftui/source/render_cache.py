"""What a render's cache key is made of, and the in-memory cache of this process's renders."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

from cachetools import LRUCache

MEMORY_ENTRIES = 256
MEMORY_BYTES = 256 * 1024 * 1024


def tool_identity(tool: str) -> str:
    """Which binary renders (its path, size and mtime): a new version invalidates renders."""
    names = ("kustomize", "kubectl") if tool == "kustomize" else ("helm",)
    for name in names:
        found = shutil.which(name)
        if found:
            stat = os.stat(found)
            return f"{found}:{stat.st_size}:{stat.st_mtime_ns}"
    return "missing"


def digest(content: bytes | None) -> str:
    return "missing" if content is None else hashlib.sha256(content).hexdigest()


def file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


class MemoryCache:
    """Rendered outputs of this process by content key, bounded in entries and in bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self._items: LRUCache[str, bytes] = LRUCache(max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            if len(data) > self._items.maxsize:
                return  # larger than the whole cache: render again rather than evict all
            self._items[key] = data
            while len(self._items) > self.max_entries:
                self._items.popitem()


MEMORY = MemoryCache(MEMORY_ENTRIES, MEMORY_BYTES)
