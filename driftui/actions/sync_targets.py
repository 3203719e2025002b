"""Where a sync's objects live on the server, including kinds the same plan defines.

A custom object can be planned beside the CRD that defines its kind: discovery does not
serve that kind yet, so its resource name and scope are read from the planned CRD.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from driftui.actions.sync_plan import CRD_GROUP, CRD_KIND, SyncItem
from driftui.live.client import ClusterClient, object_path
from driftui.live.discovery import Discovery
from driftui.live.errors import ApiError

GroupKind = tuple[str, str]


@dataclass(frozen=True)
class Where:
    resource: str
    namespaced: bool


def pending_kinds(items: Sequence[SyncItem]) -> dict[GroupKind, Where]:
    """Kinds that CRDs in this plan will define: group/kind -> plural, scope."""
    out = {}
    for item in items:
        if item.prune or (item.ref.group, item.ref.kind) != (CRD_GROUP, CRD_KIND):
            continue
        spec = (item.body or {}).get("spec") or {}
        names = spec.get("names") or {}
        if spec.get("group") and names.get("kind") and names.get("plural"):
            out[(str(spec["group"]), str(names["kind"]))] = Where(
                str(names["plural"]), spec.get("scope") != "Cluster"
            )
    return out


def where_of(
    discovery: Discovery, item: SyncItem, pending: Mapping[GroupKind, Where]
) -> Where | None:
    """Served kinds as discovery says; else as a CRD of this plan will define them."""
    info = discovery.resolve(item.ref.group, item.ref.kind)
    if info is not None:
        return Where(info.resource, info.namespaced)
    return pending.get((item.ref.group, item.ref.kind))


def item_path(item: SyncItem, where: Where) -> str:
    version = item.api_version.rsplit("/", 1)[-1]
    namespace = item.ref.namespace if where.namespaced else ""
    return object_path(item.ref.group, version, where.resource, namespace, item.ref.name)


def defines(item: SyncItem, kind: GroupKind) -> bool:
    """Whether ``item`` is the CRD that defines ``kind``."""
    if (item.ref.group, item.ref.kind) != (CRD_GROUP, CRD_KIND):
        return False
    spec = (item.body or {}).get("spec") or {}
    return (spec.get("group"), (spec.get("names") or {}).get("kind")) == kind


def read_live(client: ClusterClient, path: str) -> dict[str, Any] | None:
    """The object at ``path`` now, or None when the server has none."""
    try:
        found: dict[str, Any] = client.get(path)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return found
