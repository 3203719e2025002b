"""Pods and ReplicaSets of the scanned namespaces, for health and images; read-only.

Health and images need the Pods a workload runs (and, for a Deployment, the ReplicaSets
between them), which Git never declares. They are read only in the namespaces the scan
covers, and only where the user may list them: each (resource, namespace) is first put to
the access review (:class:`~driftui.live.access.AccessReview`), so an auditor without that
right sends no doomed LIST and the audit log shows no 403 storm. Where the answer is no, or
the LIST fails anyway, the reason is kept, and health says Unknown with it.

In read-only mode no review is sent (it is a POST); the LIST itself is a read, so it is
tried, and a 403 gives the reason instead. Pods are slimmed to the fields health and images
read: a cluster's Pods are the biggest list a scan holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from driftui.gate import PermissionProbe, ProbeFailed
from driftui.live.access import AccessReview
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError, ClusterError
from driftui.live.pod_cache import PodCache
from driftui.runtime.pacing import paced

# resource -> (group, version, kind)
PODS, REPLICA_SETS, JOBS = "pods", "replicasets", "jobs"
_KINDS = {
    PODS: ("", "v1", "Pod"),
    REPLICA_SETS: ("apps", "v1", "ReplicaSet"),
    JOBS: ("batch", "v1", "Job"),
}
_KEEP_META = ("name", "namespace", "uid", "ownerReferences", "deletionTimestamp", "generation")


@dataclass(frozen=True)
class WorkloadPods:
    pods: tuple[dict[str, Any], ...] = ()
    replica_sets: tuple[dict[str, Any], ...] = ()
    # (resource, namespace) -> why it could not be read
    unreadable: Mapping[tuple[str, str], str] = field(default_factory=dict)
    jobs: tuple[dict[str, Any], ...] = ()  # read only where a CronJob is in scope

    def reason(
        self, namespace: str, *, via_replica_sets: bool = False, via_jobs: bool = False
    ) -> str:
        """Why a workload's Pods in ``namespace`` are not known; "" when they are."""
        found = self.unreadable.get((PODS, namespace), "")
        if not found and via_replica_sets:
            found = self.unreadable.get((REPLICA_SETS, namespace), "")
        if not found and via_jobs:
            found = self.unreadable.get((JOBS, namespace), "")
        return found


def _slim(item: dict[str, Any], resource: str) -> dict[str, Any]:
    """Only what health and images read: identity, owners, containers, status."""
    group, version, kind = _KINDS[resource]
    meta = item.get("metadata") or {}
    out: dict[str, Any] = {
        "apiVersion": f"{group}/{version}" if group else version,
        "kind": kind,
        "metadata": {k: meta[k] for k in _KEEP_META if k in meta},
    }
    if resource == PODS:
        spec = item.get("spec") or {}
        out["spec"] = {
            "restartPolicy": spec.get("restartPolicy", "Always"),
            **{
                key: [{"name": c.get("name"), "image": c.get("image")} for c in spec.get(key) or []]
                for key in ("initContainers", "containers")
            },
        }
        out["status"] = item.get("status") or {}
    return out


def _read(
    client: ClusterClient,
    probe: PermissionProbe | None,
    cache: PodCache | None,
    resource: str,
    namespace: str,
) -> tuple[list[dict[str, Any]], str]:
    """One resource in one namespace: (items, "") or ([], reason)."""
    group, version, _ = _KINDS[resource]
    what = f"{resource}.{group}" if group else resource
    try:
        if probe is not None and not probe("list", group, resource, namespace):
            return [], f"no permission to list {what} in namespace {namespace}"
    except ProbeFailed as exc:
        return [], f"cannot check permission to list {what} in namespace {namespace}: {exc}"
    path = object_path(group, version, resource, namespace)
    try:
        if cache is not None:
            return cache.read(client, path, lambda item: _slim(item, resource)), ""
        return [_slim(i, resource) for i in paced(client.list_items(path))], ""
    except ApiError as exc:
        if exc.status == 403:
            return [], f"forbidden: list {what} in namespace {namespace}"
        return [], f"cannot list {what} in namespace {namespace}: {exc}"
    except ClusterError as exc:
        return [], f"cannot list {what} in namespace {namespace}: {exc}"


def read_workload_pods(
    client: ClusterClient,
    namespaces: Iterable[str],
    *,
    probe: PermissionProbe | None = None,
    workers: int = 4,
    cache: PodCache | None = None,
    job_namespaces: Iterable[str] = (),
) -> WorkloadPods:
    """Pods and ReplicaSets in ``namespaces``, each read only where it may be listed.

    ``probe`` defaults to the gate's own (its answers are cached for the session), else a
    fresh access review; in read-only mode there is none. ``cache`` (a scanner keeps one)
    refreshes the last read by what changed since, instead of reading everything again.
    Jobs are read in ``job_namespaces`` only: those where a CronJob's Pods are wanted.
    """
    if probe is None and not client.gate.read_only:
        probe = client.gate.probe or AccessReview(client)
    reads = [(r, ns) for ns in sorted(set(namespaces)) for r in (PODS, REPLICA_SETS)]
    reads += [(JOBS, ns) for ns in sorted(set(job_namespaces))]
    found: dict[str, list[dict[str, Any]]] = {PODS: [], REPLICA_SETS: [], JOBS: []}
    unreadable: dict[tuple[str, str], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(lambda read: _read(client, probe, cache, *read), reads)
        for (resource, namespace), (items, reason) in zip(reads, results, strict=True):
            found[resource] += items
            if reason:
                unreadable[(resource, namespace)] = reason
    return WorkloadPods(
        tuple(found[PODS]), tuple(found[REPLICA_SETS]), unreadable, tuple(found[JOBS])
    )
