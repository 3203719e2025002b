"""What a sync will do, decided before anything is sent: which objects, in which order.

Drifted and missing objects are applied, extras pruned (only when asked), in Helm's install
order. Every item carries what the scan saw (resourceVersion, uid, tracking marker), so the
syncer can refuse to write anything that changed since the user looked at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from driftui.compare.sops import is_sops_secret
from driftui.model import DesiredState, DriftResult, Manifest, ObjectRef, Status, TrackingMarker

CRD_GROUP = "apiextensions.k8s.io"
CRD_KIND = "CustomResourceDefinition"


# Helm's install order (what operators expect), Namespaces and CRDs first; unknown kinds
# (custom objects, mostly) come after all of these.
_KIND_ORDER = (
    "Namespace",
    CRD_KIND,
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
_RANK = {kind: index for index, kind in enumerate(_KIND_ORDER)}


@dataclass(frozen=True)
class SyncItem:
    """One object to apply (``body`` is Git's raw object) or to prune (``body`` is None).

    ``resource_version`` and ``uid`` are what the scan saw, the state the user previewed:
    an object that differs from them when its turn comes is not written blind.
    """

    ref: ObjectRef
    api_version: str
    body: dict[str, Any] | None
    exists: bool
    resource_version: str = ""  # live version seen by the scan ("" when missing)
    uid: str = ""
    marker: TrackingMarker | None = None  # a prune: the marker that made it this source's

    @property
    def prune(self) -> bool:
        return self.body is None

    @property
    def verbs(self) -> tuple[str, ...]:
        """RBAC verbs needed: apply-to-create needs create as well as patch."""
        if self.prune:
            return ("delete",)
        return ("patch",) if self.exists else ("patch", "create")


@dataclass
class SyncPlan:
    items: list[SyncItem] = field(default_factory=list)
    not_syncable: list[tuple[ObjectRef, str]] = field(default_factory=list)
    # extras a prune leaves alone because their operator never prunes them, and why
    kept: list[tuple[ObjectRef, str]] = field(default_factory=list)

    @property
    def applies(self) -> list[SyncItem]:
        return [i for i in self.items if not i.prune]

    @property
    def prunes(self) -> list[SyncItem]:
        return [i for i in self.items if i.prune]


# -- planning ----------------------------------------------------------------------------


def match_manifests(
    results: Iterable[DriftResult], manifests: Iterable[Manifest], default_namespace: str
) -> dict[ObjectRef, Manifest]:
    """Result ref -> its manifest. The engine fills namespaces, so try both spellings."""
    refs = {r.ref for r in results}
    out: dict[ObjectRef, Manifest] = {}
    for manifest in manifests:
        for candidate in (
            manifest.ref,
            replace(manifest.ref, namespace=default_namespace),
            replace(manifest.ref, namespace=""),
        ):
            if candidate in refs:
                out.setdefault(candidate, manifest)
                break
    return out


def declared_refs(desired: DesiredState, default_namespace: str) -> set[ObjectRef]:
    """Every spelling under which Git declares an object (duplicates included, which are
    declared twice); a prune spares all of them."""
    refs = [m.ref for m in desired.manifests] + [p.ref for p in desired.problems if p.ref]
    out: set[ObjectRef] = set()
    for ref in refs:
        out |= {ref, replace(ref, namespace=default_namespace), replace(ref, namespace="")}
    return out


def prune_blocked(desired: DesiredState) -> str:
    """Why no prune may run ("" when it may): a file Git could not give whole (bad YAML, a
    refused render) hides what it declares, and its live objects would read as extra."""
    unread = [p for p in desired.problems if p.ref is None]
    if not unread:
        return ""
    more = f" and {len(unread) - 1} more" if len(unread) > 1 else ""
    return f"Git could not be read whole ({unread[0].path}{more} could not be used)"


SOPS_UNSYNCABLE = "encrypted in Git (SOPS): driftui cannot decrypt it; let the operator apply it"


def plan_sync(
    results: Iterable[DriftResult],
    manifests: Mapping[ObjectRef, Manifest],
    *,
    prune: bool = False,
) -> SyncPlan:
    """Drifted and missing objects are applied; extras only with ``prune``. Ordered."""
    plan = SyncPlan()
    results = list(results)
    defined = _kinds_defined(manifests[r.ref] for r in results if r.ref in manifests)
    for result in results:
        if result.status is Status.IN_SYNC:
            continue
        if result.status is Status.ERROR and (result.ref.group, result.ref.kind) in defined:
            result = replace(result, status=Status.MISSING)  # its CRD is synced first
        if result.status is Status.ERROR:
            plan.not_syncable.append((result.ref, result.reason or "could not be compared"))
            continue
        if result.status is Status.EXTRA:
            if prune and result.prune_refused:  # its operator would never delete it
                plan.kept.append((result.ref, f"never pruned: {result.prune_refused}"))
            elif prune:
                plan.items.append(
                    SyncItem(
                        result.ref,
                        result.api_version,
                        None,
                        exists=True,
                        resource_version=result.resource_version,
                        uid=result.uid,
                        marker=result.marker,
                    )
                )
            continue
        manifest = manifests.get(result.ref)
        if manifest is None:
            plan.not_syncable.append((result.ref, "its manifest was not found in Git"))
            continue
        if is_sops_secret(manifest.body):  # applying it would store SOPS's ciphertext
            plan.not_syncable.append((result.ref, SOPS_UNSYNCABLE))
            continue
        plan.items.append(
            SyncItem(
                result.ref,
                manifest.api_version,
                dict(
                    manifest.in_namespace(result.ref.namespace).body,
                    apiVersion=manifest.api_version,
                ),
                exists=result.status is not Status.MISSING,
                resource_version=result.resource_version,
            )
        )
    plan.items = sync_order(plan.items)
    return plan


def _kinds_defined(manifests: Iterable[Manifest]) -> set[tuple[str, str]]:
    """group/kind pairs that CRDs among ``manifests`` define."""
    out = set()
    for manifest in manifests:
        if (manifest.ref.group, manifest.ref.kind) == (CRD_GROUP, CRD_KIND):
            spec = manifest.body.get("spec") or {}
            out.add((str(spec.get("group", "")), str((spec.get("names") or {}).get("kind", ""))))
    return out


def sync_order(items: Iterable[SyncItem]) -> list[SyncItem]:
    """Applies: Namespaces, CRDs, built-in kinds, then custom kinds. Prunes: the reverse."""

    def key(item: SyncItem) -> tuple[int, str, str, str, str]:
        ref = item.ref
        rank = _RANK.get(ref.kind, len(_KIND_ORDER)) if _is_builtin(ref) else len(_KIND_ORDER)
        return (rank, ref.group, ref.kind, ref.namespace, ref.name)

    applies = sorted((i for i in items if not i.prune), key=key)
    prunes = sorted((i for i in items if i.prune), key=key, reverse=True)
    return applies + prunes


def _is_builtin(ref: ObjectRef) -> bool:
    return "." not in ref.group or ref.group.endswith(".k8s.io")


def prune_confirmation_word(items: Sequence[SyncItem]) -> str:
    """Argo CD's habit: the object's name for one, ``prune`` for several."""
    prunes = [i for i in items if i.prune]
    return prunes[0].ref.name if len(prunes) == 1 else "prune"
