"""Health and images for each result: a second axis beside drift, never mixed into it.

Read-only work on objects the scan already LISTed. Only when workloads are in scope are
their Pods and ReplicaSets read too (from the cluster where the user may list them, or from
the snapshot that carries them); where they cannot be read, a workload's health is Unknown
with the reason, and its images show no running Pods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from driftui.engine.live_side import LiveSide
from driftui.health import (
    is_workload,
    missing,
    needs_replica_sets,
    pods_of,
    workload_health,
    workload_images,
)
from driftui.health.assess import assess
from driftui.live.pod_cache import PodCache
from driftui.live.workload_pods import PODS, WorkloadPods, read_workload_pods
from driftui.model import DriftResult, Status
from driftui.runtime.pacing import give_way


def _workload_namespaces(results: Iterable[DriftResult], live: LiveSide) -> set[str]:
    out = set()
    for r in results:
        obj = live.state.objects.get(r.ref)
        if obj is not None and is_workload(obj) and r.ref.namespace:
            out.add(r.ref.namespace)
    return out


def workload_pods(
    results: Sequence[DriftResult], live: LiveSide, cache: PodCache | None = None
) -> WorkloadPods:
    """The Pods and ReplicaSets of the workloads in scope; nothing is read without one."""
    if live.pods is not None:  # a snapshot carries them
        return live.pods
    namespaces = _workload_namespaces(results, live)
    if not namespaces:
        return WorkloadPods()
    if live.client is None:  # a snapshot taken before snapshots carried Pods
        why = "the snapshot holds no Pods: take a new one"
        return WorkloadPods(unreadable={(PODS, ns): why for ns in namespaces})
    return read_workload_pods(live.client, namespaces, cache=cache)


def _one(result: DriftResult, live: LiveSide, found: WorkloadPods) -> DriftResult:
    if result.status is Status.MISSING:
        declared = result.desired
        shown = declared is not None and is_workload(declared)
        images = tuple(workload_images(declared, None, [])) if shown else ()
        return replace(result, health=missing(), images=images)
    obj = live.state.objects.get(result.ref)
    if obj is None:
        return result
    if not is_workload(obj):
        return replace(result, health=assess(obj))
    reason = found.reason(result.ref.namespace, via_replica_sets=needs_replica_sets(obj))
    pods: list[dict[str, Any]] = [] if reason else pods_of(obj, found.pods, found.replica_sets)
    health = workload_health(obj, pods, reason)
    images = tuple(workload_images(result.desired, obj, pods))
    return replace(result, health=health, images=images)


def with_health(
    results: Sequence[DriftResult], live: LiveSide, cache: PodCache | None = None
) -> tuple[list[DriftResult], WorkloadPods]:
    """``results``, each with its health (and a workload's images) filled in; and the Pods
    read for them, which a snapshot keeps so that offline audits show health too.
    ``cache``: the Pods of earlier reads, refreshed by what changed (see live/pod_cache)."""
    found = workload_pods(results, live, cache)
    out = []
    for result in results:
        give_way()
        out.append(_one(result, live, found))
    return out, found
