"""The cluster's client and discovery, made while Git is read.

A cold scan reads Git first (git and the YAML parser's worker processes: this process mostly
waits), then opens the client, which imports the kubernetes package (~0.1 s of CPU, most of
it for modules the client never uses) and reads the cluster's discovery (two requests).
Neither needs Git, so a thread does both meanwhile. Whatever goes wrong there is left for
the scan to meet again in its own thread, where it always met it: the same error, at the
same point of the scan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from driftui.live.client import ClusterClient
from driftui.live.discovery import Discovery, discover


class DiscoveryAhead:
    """``make_client()`` and its discovery, begun on a daemon thread when made."""

    def __init__(self, make_client: Callable[[], ClusterClient]) -> None:
        self._client: ClusterClient | None = None
        self._discovery: Discovery | None = None
        self._failed: Exception | None = None
        self._thread = threading.Thread(
            target=self._run, args=(make_client,), name="driftui-discovery-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, make_client: Callable[[], ClusterClient]) -> None:
        try:
            client = make_client()
        except Exception:  # a kubeconfig's error: the scan makes the client and meets it
            return
        self._client = client
        try:
            self._discovery = discover(client)
        except Exception as exc:  # met by the scan (not asked again: an unreachable
            self._failed = exc  # cluster would make it wait out the timeout twice)

    def take(self, client: ClusterClient) -> Discovery:
        """``client``'s discovery: the one read ahead if it was read with ``client`` (or
        what reading it raised), else read now."""
        self._thread.join()
        if self._client is not client:
            return discover(client)
        if self._failed is not None:
            raise self._failed
        assert self._discovery is not None  # read, since nothing failed
        return self._discovery
