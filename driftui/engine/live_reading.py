"""A scanner's live side: the cluster (or a snapshot) LISTed once for what Git names,
and what the last scan read of it, for the actions and the explorer to ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftui.compare.masking import SecretMasker
from driftui.engine.health_side import live_health
from driftui.engine.live_side import (
    LiveSide,
    Wanted,
    from_cluster,
    from_snapshot,
    joined,
    snapshot_masker,
    wanted,
)
from driftui.engine.merge_key_cache import merge_keys_of
from driftui.engine.scanner_parts import ScannerParts
from driftui.health import Health
from driftui.live.discovery import discover, guess_resource
from driftui.model import Manifest, ObjectRef
from driftui.runtime.progress import ProgressEvent, ProgressFn


class LiveReading(ScannerParts):
    """The cluster's side of a scan, and what the last one read of it."""

    def read_live(
        self, placements: Sequence[tuple[list[Manifest], str]], progress: ProgressFn
    ) -> LiveSide:
        """The cluster's side (or the snapshot's), LISTed once for every kind and namespace
        the ``placements`` (Git's objects, their default namespace) name together."""
        if self.options.live_snapshot:
            self._wanted = None
            return self._live_from_snapshot()
        return self._live_from_cluster(placements, progress)

    def _live_from_snapshot(self) -> LiveSide:
        snap = self._read_snapshot()
        path = self.options.live_snapshot or ""
        masker = snapshot_masker(snap, path, self.mask_key, self.options.snapshot_key)
        return from_snapshot(snap, path, masker)

    def _live_from_cluster(
        self, placements: Sequence[tuple[list[Manifest], str]], progress: ProgressFn
    ) -> LiveSide:
        client = self.client()
        # Git is done; until the first LIST answers, it is the cluster that is slow, not us.
        progress(ProgressEvent("waiting for the cluster", 0))
        ahead, self._ahead = self._ahead, None
        discovery = ahead.take(client) if ahead is not None else discover(client)
        want = self._wanted = joined(wanted(discovery, m, ns) for m, ns in placements)
        if self._merge_keys is None:
            versions = {i.api_version for i in want.kinds.values()}
            self._merge_keys = merge_keys_of(client, versions)
        masker = SecretMasker(self.mask_key)
        workers = self.options.list_workers
        return from_cluster(client, discovery, want, masker, workers=workers, progress=progress)

    def resource_name(self, group: str, kind: str) -> str:
        """The plural RBAC uses for a kind, from the last scan's discovery when it knows it."""
        discovery = self._last[0].discovery if self._last is not None else None
        info = discovery.resolve(group, kind) if discovery is not None else None
        return info.resource if info is not None else guess_resource(group, kind)

    def live_objects(self) -> dict[ObjectRef, dict[str, Any]]:
        """The live objects the last scan (and rejudges since) judged against, by identity."""
        with self._lock:
            return dict(self._basis.live.state.objects) if self._basis else {}

    def health_of(self, ref: ObjectRef) -> Health | None:
        """The live object's health as the last scan (or rejudge) read it; None: no object."""
        with self._lock:
            obj = self._basis.live.state.objects.get(ref) if self._basis else None
        return None if obj is None else live_health(obj, ref.namespace, self.workload_pods)

    def wanted(self) -> Wanted | None:
        """The kinds and namespaces the last scan LISTed from the cluster (None: it did not)."""
        return self._wanted
