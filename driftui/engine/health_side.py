"""Health and images for each result: a second axis beside drift, never mixed into it.

Read-only work on objects the scan already LISTed. Only when workloads are in scope are
their Pods and ReplicaSets (and, for CronJobs, Jobs) read too (from the cluster where the user may list them, or from
the snapshot that carries them); where they cannot be read, a workload's health is Unknown
with the reason, and its images show no running Pods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from driftui.engine.live_side import LiveSide
from driftui.health import (
    Health,
    is_workload,
    missing,
    workload_health,
    workload_images,
)
from driftui.health.assess import assess
from driftui.health.pods import VIA_JOBS, VIA_REPLICA_SETS, WORKLOADS, Owned
from driftui.live.pod_cache import PodCache
from driftui.live.workload_pods import PODS, WorkloadPods, read_workload_pods
from driftui.model import DriftResult, ObjectRef, Status
from driftui.runtime.pacing import give_way, paced
from driftui.runtime.records import replaced


def _workload_namespaces(
    results: Iterable[DriftResult], live: LiveSide
) -> tuple[set[str], set[str]]:
    """Where workloads are in scope, and where CronJobs are (their Jobs are read there)."""
    out, crons = set(), set()
    objects = live.state.objects
    for r in paced(results):
        kind = _group_kind(r.ref)
        if kind in WORKLOADS and r.ref.namespace and r.ref in objects:
            out.add(r.ref.namespace)
            if kind in VIA_JOBS:
                crons.add(r.ref.namespace)
    return out, crons


def _group_kind(ref: ObjectRef) -> tuple[str, str]:
    """A live object's group and kind, from its identity: the scan keyed the object by
    ``ObjectRef.of`` itself, so its apiVersion need not be parsed again (health read it
    four times an object: a tenth of a many-cluster scan's health)."""
    return ref.group, ref.kind


def workload_pods(
    results: Sequence[DriftResult], live: LiveSide, cache: PodCache | None = None
) -> WorkloadPods:
    """The Pods and ReplicaSets of the workloads in scope; nothing is read without one."""
    if live.pods is not None:  # a snapshot carries them
        return live.pods
    namespaces, crons = _workload_namespaces(results, live)
    if not namespaces:
        return WorkloadPods()
    if live.client is None:  # a snapshot taken before snapshots carried Pods
        why = "the snapshot holds no Pods: take a new one"
        return WorkloadPods(unreadable={(PODS, ns): why for ns in namespaces})
    return read_workload_pods(live.client, namespaces, cache=cache, job_namespaces=crons)


def _own_pods(
    obj: dict[str, Any], namespace: str, found: WorkloadPods, owned: Owned, kind: tuple[str, str]
) -> tuple[list[dict[str, Any]], str]:
    """A workload's own Pods, or none and why they could not be read."""
    via_replica_sets, via_jobs = kind in VIA_REPLICA_SETS, kind in VIA_JOBS
    reason = found.reason(namespace, via_replica_sets=via_replica_sets, via_jobs=via_jobs)
    return ([] if reason else owned.pods_of(obj)), reason


def _health(
    obj: dict[str, Any], pods: list[dict[str, Any]], reason: str, kind: tuple[str, str]
) -> Health:
    # A CronJob's Pods are its runs, past ones kept for their logs: one that failed last
    # night says nothing about the CronJob now. Its images follow them; its health is its own.
    if kind not in WORKLOADS or kind in VIA_JOBS:
        return assess(obj, group_kind=kind)
    return workload_health(obj, pods, reason)


def live_health(obj: dict[str, Any], namespace: str, found: WorkloadPods) -> Health:
    """One live object's health, as a scan assesses it, with the Pods it read."""
    kind = _group_kind(ObjectRef.of(obj))
    if kind not in WORKLOADS:
        return _health(obj, [], "", kind)
    pods, reason = _own_pods(obj, namespace, found, _owned(found), kind)
    return _health(obj, pods, reason, kind)


def _one(result: DriftResult, live: LiveSide, found: WorkloadPods, owned: Owned) -> DriftResult:
    if result.status is Status.MISSING:
        declared = result.desired
        shown = declared is not None and is_workload(declared)
        images = tuple(workload_images(declared, None, [])) if shown else ()
        return replace(result, health=missing(), images=images)
    obj = live.state.objects.get(result.ref)
    if obj is None:
        return result
    kind = _group_kind(result.ref)
    if kind not in WORKLOADS:
        return replaced(result, health=assess(obj, group_kind=kind))
    pods, reason = _own_pods(obj, result.ref.namespace, found, owned, kind)
    images = tuple(workload_images(result.desired, obj, pods))
    return replaced(result, health=_health(obj, pods, reason, kind), images=images)


def with_health(
    results: Sequence[DriftResult], live: LiveSide, cache: PodCache | None = None
) -> tuple[list[DriftResult], WorkloadPods]:
    """``results``, each with its health (and a workload's images) filled in; and the Pods
    read for them, which a snapshot keeps so that offline audits show health too.
    ``cache``: the Pods of earlier reads, refreshed by what changed (see live/pod_cache)."""
    found = workload_pods(results, live, cache)
    owned = _owned(found)
    out = []
    for result in results:
        give_way()
        out.append(_one(result, live, found, owned))
    return out, found


def _owned(found: WorkloadPods) -> Owned:
    return Owned.index(found.pods, found.replica_sets, found.jobs)
