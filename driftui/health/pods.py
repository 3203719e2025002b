"""Which Pods belong to a workload, by controller owner references (uids, not labels).

Labels can overlap between workloads; an owner reference with ``controller: true`` cannot.
A Deployment owns ReplicaSets, which own its Pods, old and new: that is how a stuck rollout
shows, with the old ReplicaSet's pods still running the old image. A CronJob owns Jobs, which
own its Pods: the images its runs (the current one and those kept in its history) ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Owned:
    """Pods, ReplicaSets and Jobs by (namespace, controller uid), indexed once per scan.

    Finding each workload's children by walking every Pod and ReplicaSet in scope made a
    scan's health quadratic: 2,000 Deployments over 10,000 Pods walked 20 million Pods.
    """

    pods: Mapping[tuple[str, str], list[dict[str, Any]]]
    replica_sets: Mapping[tuple[str, str], list[dict[str, Any]]]
    jobs: Mapping[tuple[str, str], list[dict[str, Any]]]
    listed: Mapping[int, int]  # id of a Pod -> its place in the list read (the order kept)

    @classmethod
    def index(
        cls,
        pods: Iterable[dict[str, Any]],
        replica_sets: Iterable[dict[str, Any]] = (),
        jobs: Iterable[dict[str, Any]] = (),
    ) -> Owned:
        pods = list(pods)
        listed = {id(pod): place for place, pod in enumerate(pods)}
        by = _by_controller
        return cls(by(pods), by(replica_sets), by(jobs), listed)

    def pods_of(self, workload: dict[str, Any]) -> list[dict[str, Any]]:
        """The Pods ``workload`` controls: directly, or through its ReplicaSets (a
        Deployment) or its Jobs (a CronJob)."""
        if group_kind(workload) == ("", "Pod"):
            return [workload]
        namespace, uid = _identity(workload)
        if not uid or not is_workload(workload):
            return []
        owners = [uid]
        if needs_replica_sets(workload) or needs_jobs(workload):
            between = self.replica_sets if needs_replica_sets(workload) else self.jobs
            children = between.get((namespace, uid), ())
            owners = list(dict.fromkeys(_identity(child)[1] for child in children))
        found = [pod for owner in owners for pod in self.pods.get((namespace, owner), ())]
        if len(owners) > 1:  # as listed, not by ReplicaSet: the images and health read it so
            found.sort(key=lambda pod: self.listed[id(pod)])
        return found


def _by_controller(
    objects: Iterable[dict[str, Any]],
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for obj in objects:
        owner = controller_uid(obj)
        if owner:
            out.setdefault((_identity(obj)[0], owner), []).append(obj)
    return out


def pods_of(
    workload: dict[str, Any],
    pods: Iterable[dict[str, Any]],
    replica_sets: Sequence[dict[str, Any]] = (),
    jobs: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The Pods ``workload`` controls, for one workload; a scan indexes them once
    (:class:`Owned`)."""
    return Owned.index(pods, replica_sets, jobs).pods_of(workload)
