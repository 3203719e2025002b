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
    needs_jobs,
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
from driftui.runtime.records import replaced


def _workload_namespaces(
    results: Iterable[DriftResult], live: LiveSide
) -> tuple[set[str], set[str]]:
    """Where workloads are in scope, and where CronJobs are (their Jobs are read there)."""
    out, crons = set(), set()
    for r in results:
        obj = live.state.objects.get(r.ref)
        if obj is not None and is_workload(obj) and r.ref.namespace:
            out.add(r.ref.namespace)
            if needs_jobs(obj):
                crons.add(r.ref.namespace)
    return out, crons


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
    obj: dict[str, Any], namespace: str, found: WorkloadPods
) -> tuple[list[dict[str, Any]], str]:
    """A workload's own Pods, or none and why they could not be read."""
    reason = found.reason(
        namespace, via_replica_sets=needs_replica_sets(obj), via_jobs=needs_jobs(obj)
    )
    return ([] if reason else pods_of(obj, found.pods, found.replica_sets, found.jobs)), reason


def _health(obj: dict[str, Any], pods: list[dict[str, Any]], reason: str) -> Health:
    # A CronJob's Pods are its runs, past ones kept for their logs: one that failed last
    # night says nothing about the CronJob now. Its images follow them; its health is its own.
    if not is_workload(obj) or needs_jobs(obj):
        return assess(obj)
    return workload_health(obj, pods, reason)


def live_health(obj: dict[str, Any], namespace: str, found: WorkloadPods) -> Health:
    """One live object's health, as a scan assesses it, with the Pods it read."""
    pods, reason = _own_pods(obj, namespace, found) if is_workload(obj) else ([], "")
    return _health(obj, pods, reason)


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
        return replaced(result, health=assess(obj))
    pods, reason = _own_pods(obj, result.ref.namespace, found)
    images = tuple(workload_images(result.desired, obj, pods))
    return replaced(result, health=_health(obj, pods, reason), images=images)


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
