"""The live side of a scan: objects read from the cluster or a snapshot, and how to mask them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from driftui.compare.masking import SecretMasker, is_secret
from driftui.live.client import ClusterClient
from driftui.live.discovery import Discovery, ResourceInfo
from driftui.live.reader import LiveState, read_live
from driftui.live.scope import ScopeLookup
from driftui.live.snapshot import LEGACY_SALT_WARNING, Snapshot
from driftui.live.snapshot_key import SnapshotKey, key_for
from driftui.live.workload_pods import WorkloadPods
from driftui.model import LiveInfo, Manifest, ObjectRef
from driftui.runtime.pacing import paced
from driftui.runtime.progress import ProgressFn


@dataclass
class LiveSide:
    """Where live objects came from this scan, with what is needed to predict them."""

    info: LiveInfo
    state: LiveState
    scope: ScopeLookup
    masker: SecretMasker
    discovery: Discovery | None = None
    client: ClusterClient | None = None
    unknown: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    pods: WorkloadPods | None = None  # a snapshot's Pods; None: read them from the cluster


def from_snapshot(snap: Snapshot, path: str, masker: SecretMasker) -> LiveSide:
    state = LiveState()
    for obj in snap.objects:
        state.objects[ObjectRef.of(obj)] = obj
    for key, reason in snap.forbidden.items():
        group, _, kind = key.rpartition("/")
        state.forbidden[(group, kind, "")] = reason
    info = LiveInfo(context=snap.context, server=snap.server, snapshot=path)
    side = LiveSide(info, state, ScopeLookup(None, snap.objects), masker, pods=pods_of(snap))
    if snap.legacy_salt is not None:
        side.warnings.append(LEGACY_SALT_WARNING.format(path=path))
    return side


def pods_of(snap: Snapshot) -> WorkloadPods | None:
    """The Pods a snapshot carries; None when it is older than snapshots that carry them."""
    if snap.pods is None:
        return None
    unreadable = {}
    for key, reason in snap.unreadable.items():
        resource, _, namespace = key.partition("/")
        unreadable[(resource, namespace)] = reason
    return WorkloadPods(tuple(snap.pods), tuple(snap.replica_sets), unreadable, tuple(snap.jobs))


def to_snapshot(found: WorkloadPods) -> dict[str, Any]:
    """``found`` as :class:`Snapshot` fields (``pods``, ``replica_sets``, ``jobs``,
    ``unreadable``)."""
    return {
        "pods": list(found.pods),
        "replica_sets": list(found.replica_sets),
        "jobs": list(found.jobs),
        "unreadable": {f"{r}/{ns}": why for (r, ns), why in found.unreadable.items()},
    }


def snapshot_masker(
    snap: Snapshot, path: str, own_key: bytes, given: SnapshotKey | None
) -> SecretMasker:
    """Git's Secrets must be masked with the key the snapshot's were masked with."""
    if snap.legacy_salt is not None:
        return SecretMasker(snap.legacy_salt)
    if not any(is_secret(o) for o in snap.objects):
        return SecretMasker(own_key)  # nothing to match: any key will do
    if given is not None and given.id == snap.key_id:
        return SecretMasker(given.secret)
    return SecretMasker(key_for(snap.key_id, path).secret)


@dataclass(frozen=True)
class Wanted:
    """The kinds and namespaces Git's objects name, resolved against the cluster's discovery."""

    kinds: dict[tuple[str, str], ResourceInfo]
    namespaces: set[str]
    unknown: set[tuple[str, str]]


def wanted(discovery: Discovery, desired: list[Manifest], default_ns: str) -> Wanted:
    kinds: dict[tuple[str, str], ResourceInfo] = {}
    unknown: set[tuple[str, str]] = set()
    namespaces = {default_ns}
    for m in paced(desired):
        info = discovery.resolve(m.ref.group, m.ref.kind)
        if info is None:
            unknown.add((m.ref.group, m.ref.kind))
            continue
        kinds[(info.group, info.kind)] = info
        if info.namespaced:
            namespaces.add(m.ref.namespace or default_ns)
    return Wanted(kinds, namespaces, unknown)


def joined(wants: Iterable[Wanted]) -> Wanted:
    """What several sources want, LISTed together: the union of their kinds and namespaces."""
    kinds: dict[tuple[str, str], ResourceInfo] = {}
    namespaces: set[str] = set()
    unknown: set[tuple[str, str]] = set()
    for want in wants:
        kinds |= want.kinds
        namespaces |= want.namespaces
        unknown |= want.unknown
    return Wanted(kinds, namespaces, unknown)


def from_cluster(
    client: ClusterClient,
    discovery: Discovery,
    want: Wanted,
    masker: SecretMasker,
    *,
    workers: int,
    progress: ProgressFn,
) -> LiveSide:
    state = read_live(
        client, want.kinds.values(), want.namespaces, progress=progress, workers=workers
    )
    where = LiveInfo(context=client.context, server=client.server)
    return LiveSide(where, state, ScopeLookup(discovery), masker, discovery, client, want.unknown)
