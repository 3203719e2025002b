"""Which Pods belong to a workload, by controller owner references (uids, not labels).

Labels can overlap between workloads; an owner reference with ``controller: true`` cannot.
A Deployment owns ReplicaSets, which own its Pods, old and new: that is how a stuck rollout
shows, with the old ReplicaSet's pods still running the old image. A CronJob owns Jobs, which
own its Pods: the images its runs (the current one and those kept in its history) ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from driftui.health.fields import items, section, text
from driftui.model import group_of

# (group, kind) of workloads whose pods health and images read
DIRECT_OWNERS = frozenset(
    {("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("batch", "Job")}
)
VIA_REPLICA_SETS = frozenset({("apps", "Deployment")})
VIA_JOBS = frozenset({("batch", "CronJob")})
WORKLOADS = DIRECT_OWNERS | VIA_REPLICA_SETS | VIA_JOBS | {("", "Pod")}


def group_kind(obj: dict[str, Any]) -> tuple[str, str]:
    return group_of(str(obj.get("apiVersion") or "")), str(obj.get("kind") or "")


def is_workload(obj: dict[str, Any]) -> bool:
    """Whether health and images of ``obj`` need its Pods."""
    return group_kind(obj) in WORKLOADS


def needs_replica_sets(obj: dict[str, Any]) -> bool:
    return group_kind(obj) in VIA_REPLICA_SETS


def needs_jobs(obj: dict[str, Any]) -> bool:
    return group_kind(obj) in VIA_JOBS


def controller_uid(obj: dict[str, Any]) -> str:
    """The uid of the object's managing controller, or ""."""
    for ref in items(obj, "metadata", "ownerReferences"):
        if ref.get("controller") is True:
            return text(ref, "uid")
    return ""


def _identity(obj: dict[str, Any]) -> tuple[str, str]:
    meta = section(obj, "metadata")
    return text(meta, "namespace"), text(meta, "uid")


def pods_of(
    workload: dict[str, Any],
    pods: Iterable[dict[str, Any]],
    replica_sets: Sequence[dict[str, Any]] = (),
    jobs: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The Pods ``workload`` controls: directly, or through its ReplicaSets (a Deployment)
    or its Jobs (a CronJob)."""
    if group_kind(workload) == ("", "Pod"):
        return [workload]
    namespace, uid = _identity(workload)
    if not uid or not is_workload(workload):
        return []
    owners = {uid}
    if needs_replica_sets(workload) or needs_jobs(workload):
        between = replica_sets if needs_replica_sets(workload) else jobs
        owners = {
            _identity(child)[1]
            for child in between
            if _identity(child)[0] == namespace and controller_uid(child) == uid
        }
    return [p for p in pods if _identity(p)[0] == namespace and controller_uid(p) in owners]
