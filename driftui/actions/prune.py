"""Pruning: delete the extras a sync plan names, each only if it is still the one shown.

Kept apart from applying because its guard is different: an object is deleted only while
it still carries the marker that made it this source's, is still not declared in Git,
and has the uid and resourceVersion the preview showed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from driftui.actions.outcomes import (
    CHANGED_SINCE,
    SERVER_UNAVAILABLE,
    ItemResult,
    OutcomeLog,
    changed_since_scan,
    failure,
    ignore_outcome,
)
from driftui.actions.sync_plan import SyncItem
from driftui.actions.sync_targets import read_live
from driftui.gate import MutationRefused
from driftui.gitops.markers import TrackingMarkers
from driftui.gitops.owners import app_markers
from driftui.live.client import ClusterClient, Resource
from driftui.live.discovery import Discovery
from driftui.live.errors import ApiError, ClusterError
from driftui.model import ObjectRef


@dataclass(frozen=True)
class Pruner:
    """Deletes extras through ``client``; ``discovery`` is asked only when there is one."""

    client: ClusterClient
    discovery: Callable[[], Discovery]
    tracking: TrackingMarkers

    def prune(
        self,
        items: Sequence[SyncItem],
        declared: Collection[ObjectRef],
        *,
        report: Callable[[ItemResult], None] = ignore_outcome,
    ) -> list[ItemResult]:
        """Delete the plan's prunes in order; see :meth:`driftui.actions.sync.Syncer.prune`."""
        run = OutcomeLog(report)
        prunes = [item for item in items if item.prune]
        for index, item in enumerate(prunes):
            if run.server_gone:
                run.skip(prunes[index:], SERVER_UNAVAILABLE)
                break
            try:
                run.add(self._prune_one(item, declared))
            except KeyboardInterrupt:
                run.add(ItemResult(item.ref, "interrupted", "interrupted while deleting"))
                run.skip(prunes[index + 1 :], "interrupted before it was deleted")
                break
        return run.results

    def _prune_one(self, item: SyncItem, declared: Collection[ObjectRef]) -> ItemResult:
        info = self.discovery().resolve(item.ref.group, item.ref.kind)
        if info is None:
            return ItemResult(item.ref, "failed", "unknown kind")
        namespace = item.ref.namespace if info.namespaced else ""
        path = info.path(namespace, item.ref.name)
        try:
            live = read_live(self.client, path)
        except ClusterError as exc:
            return failure(item, exc)
        if live is None:
            return ItemResult(item.ref, "skipped", "already gone")
        reason = self._keep(item, live, declared)
        if reason:
            return ItemResult(item.ref, "skipped", f"not deleted: {reason}")
        meta = live.get("metadata") or {}
        target = Resource(info.group, info.resource, namespace)
        try:
            self.client.delete(
                path,
                target,
                uid=str(meta.get("uid", "")),
                resource_version=str(meta.get("resourceVersion", "")),
            )
        except ApiError as exc:
            if exc.status == 404:
                return ItemResult(item.ref, "skipped", "already gone")
            if exc.status == 409:
                return ItemResult(item.ref, "skipped", f"not deleted: {CHANGED_SINCE}")
            return failure(item, exc)
        except (ClusterError, MutationRefused) as exc:
            return failure(item, exc)
        return ItemResult(item.ref, "pruned", f"was tracked by {item.marker}")

    def _keep(self, item: SyncItem, live: dict[str, Any], declared: Collection[ObjectRef]) -> str:
        """Why this object must not be deleted now ("" when it may be)."""
        if item.ref in declared:
            return "it is declared in Git"
        if item.marker is None:
            return "no tracking marker names this source's app"
        apps = {m.app for m in app_markers(live, self.tracking)}
        if item.marker.app not in apps:
            return f"it no longer carries the marker of {item.marker.app}"
        return changed_since_scan(item, live)
