"""Merge keys shared by every scan that reads the same OpenAPI documents.

Turning a server's OpenAPI v3 documents into merge keys walks every schema: most of a
cluster's own cost in a scan of many clusters of one version (0.8 s of 1.9 s per cluster,
profiled on 4 x 800 objects). The index names each document by a URL with its content
hash, so clusters whose URLs are equal have equal documents, and one walk serves them all.
Without hashes (an older server) nothing is shared.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from driftui.compare.merge_keys import MergeKeys
from driftui.live.client import ClusterClient
from driftui.live.openapi import fetch_docs, openapi_urls

MAX_KEPT = 8  # distinct sets of documents (server versions, CRD sets) kept in a process

_Key = tuple[tuple[str, str], ...]
_lock = threading.Lock()
_kept: OrderedDict[_Key, MergeKeys] = OrderedDict()
_building: dict[_Key, threading.Lock] = {}


def merge_keys_of(client: ClusterClient, api_versions: set[str]) -> MergeKeys:
    """The cluster's merge keys for ``api_versions``: built once per set of documents, and
    concurrent scans of clusters with the same documents wait for the first to build them."""
    urls = openapi_urls(client, api_versions)
    if not urls or not all("hash=" in url for url in urls.values()):
        return _build(client, urls)
    key: _Key = tuple(sorted(urls.items()))
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
        building = _building.setdefault(key, threading.Lock())
    with building:
        with _lock:
            if key in _kept:
                return _kept[key]
        keys = _build(client, urls)
        with _lock:
            _kept[key] = keys
            _building.pop(key, None)
            while len(_kept) > MAX_KEPT:
                _kept.popitem(last=False)
    return keys


def _build(client: ClusterClient, urls: dict[str, str]) -> MergeKeys:
    docs = fetch_docs(client, urls)
    return MergeKeys.from_openapi_v3(docs) if docs else MergeKeys.builtin()


def forget() -> None:
    """Drop every kept set: the next scan builds its merge keys cold (benchmarks, tests)."""
    with _lock:
        _kept.clear()
