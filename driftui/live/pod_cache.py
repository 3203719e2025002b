"""Pods and ReplicaSets kept between scans, refreshed by what changed since.

Health reads every Pod of the scanned namespaces on each scan, and again on each watch-mode
rejudge of a workload: a cluster's Pods are the biggest list a scan holds. The cache keeps
the last items of each LIST path (slimmed) with each item's ``resourceVersion``. A later
read first LISTs metadata only (``PartialObjectMetadataList``: no spec, no status), then
GETs just the items whose ``resourceVersion`` changed or that are new, and drops those gone.
Every write to an object, its status included, changes its ``resourceVersion``, so a
changed Pod is always read again: the cache saves bytes, never freshness. When many items
changed, one full LIST is cheaper than a GET each, and is what is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from driftui.live.client import ClusterClient
from driftui.live.errors import ApiError
from driftui.runtime.pacing import give_way, paced

METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
MAX_GETS = 16  # more changed items than this (or than a quarter of them): LIST them all
PAGE = 500

Slim = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class _Held:
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> slimmed item
    versions: dict[str, str] = field(default_factory=dict)  # name -> resourceVersion


def _meta(item: dict[str, Any]) -> tuple[str, str]:
    meta = item.get("metadata") or {}
    return str(meta.get("name", "")), str(meta.get("resourceVersion", ""))


def _versions(client: ClusterClient, path: str) -> Iterator[tuple[str, str]]:
    """(name, resourceVersion) of every item, page by page, metadata only."""
    token = ""
    while True:
        query = [("limit", str(PAGE))] + ([("continue", token)] if token else [])
        give_way()  # before each request: an empty namespace's pages yield nothing to pace
        page = client.get(path, query, accept=METADATA_LIST)
        yield from (_meta(item) for item in page.get("items") or [])
        token = (page.get("metadata") or {}).get("continue") or ""
        if not token:
            return


class PodCache:
    """The last read of each LIST path, refreshed item by item; safe across threads."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def read(self, client: ClusterClient, path: str, slim: Slim) -> list[dict[str, Any]]:
        """Every item at ``path`` as it is now, slimmed; API errors are raised, not kept."""
        with self._lock:
            held = self._held.get(path)
        fresh = self._full(client, path, slim) if held is None else None
        if fresh is None:
            assert held is not None
            fresh = self._refreshed(client, path, slim, held)
        with self._lock:
            self._held[path] = fresh
        return list(fresh.items.values())

    def _full(self, client: ClusterClient, path: str, slim: Slim) -> _Held:
        held = _Held()
        for item in paced(client.list_items(path)):
            name, version = _meta(item)
            held.items[name], held.versions[name] = slim(item), version
        return held

    def _refreshed(self, client: ClusterClient, path: str, slim: Slim, old: _Held) -> _Held:
        now = dict(paced(_versions(client, path)))
        stale = [name for name, version in now.items() if old.versions.get(name) != version]
        if len(stale) > min(MAX_GETS, max(1, len(now) // 4)):
            return self._full(client, path, slim)
        held = _Held()
        for name, version in paced(now.items()):
            if name not in stale:
                held.items[name], held.versions[name] = old.items[name], version
                continue
            try:
                item = client.get(f"{path}/{quote(name, safe='')}")
            except ApiError as exc:
                if exc.status == 404:  # deleted since the LIST
                    continue
                return self._full(client, path, slim)  # e.g. a role that may list, not get
            held.items[name], held.versions[name] = slim(item), _meta(item)[1]
        return held
