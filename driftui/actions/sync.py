"""Direct sync: apply Git's objects with server-side apply, in dependency order.

Nothing here decides *whether* to sync; it plans (which objects, in which order), checks
permissions before any write (read-only mode first, then SelfSubjectAccessReview),
previews with a dry-run server-side apply, applies, and prunes. Every write goes through
:class:`~driftui.live.client.ClusterClient`, whose :class:`MutationGate` is the last word.

A failure on one object (validation, webhook, RBAC, a field-manager conflict) is reported
for that object with the server's own message; the remaining objects are still applied.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from driftui.actions.gate import MutationRefused
from driftui.compare.masking import SecretMasker, scrub
from driftui.compare.normalise import normalise
from driftui.compare.textdiff import DiffLine, render_yaml, unified
from driftui.live.client import ApiError, ClusterClient, ClusterError, Resource, object_path
from driftui.live.discovery import Discovery, discover
from driftui.model import DriftResult, Manifest, ObjectRef, Status

CRD_GROUP = "apiextensions.k8s.io"
CRD_KIND = "CustomResourceDefinition"
DEFAULT_FIELD_MANAGER = "driftui"

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

Outcome = Literal[
    "created", "configured", "unchanged", "pruned", "conflict", "failed", "refused", "skipped"
]
OK_OUTCOMES = frozenset({"created", "configured", "unchanged", "pruned"})


@dataclass(frozen=True)
class FieldConflict:
    """A field another manager owns, as the server's 409 names it."""

    field: str  # ".spec.replicas", in the server's own notation
    manager: str

    def __str__(self) -> str:
        return f"{self.field} (owned by {self.manager})"


@dataclass(frozen=True)
class SyncItem:
    """One object to apply (``body`` is Git's raw object) or to prune (``body`` is None)."""

    ref: ObjectRef
    api_version: str
    body: dict[str, Any] | None
    exists: bool
    resource_version: str = ""  # live version seen by the scan ("" when missing)

    @property
    def prune(self) -> bool:
        return self.body is None

    @property
    def verbs(self) -> tuple[str, ...]:
        """RBAC verbs needed: apply-to-create needs create as well as patch."""
        if self.prune:
            return ("delete",)
        return ("patch",) if self.exists else ("patch", "create")


@dataclass(frozen=True)
class Preview:
    """What a dry-run apply predicts, as a diff of live (``-``) against the result (``+``)."""

    item: SyncItem
    lines: tuple[DiffLine, ...] = ()
    message: str = ""  # why the prediction failed, or a note
    conflicts: tuple[FieldConflict, ...] = ()
    ok: bool = True
    deferred: bool = False  # its CRD is created by this sync first: Git shown as it is


@dataclass(frozen=True)
class ItemResult:
    ref: ObjectRef
    outcome: Outcome
    message: str = ""
    conflicts: tuple[FieldConflict, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES

    def __str__(self) -> str:
        text = f"{self.ref}: {self.outcome}"
        if self.message:
            text += f": {self.message}"
        for conflict in self.conflicts:
            text += f"\n    conflict: {conflict}"
        return text


@dataclass
class SyncPlan:
    items: list[SyncItem] = field(default_factory=list)
    not_syncable: list[tuple[ObjectRef, str]] = field(default_factory=list)

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
            if prune:
                plan.items.append(
                    SyncItem(result.ref, result.api_version, None, True, result.resource_version)
                )
            continue
        manifest = manifests.get(result.ref)
        if manifest is None:
            plan.not_syncable.append((result.ref, "its manifest was not found in Git"))
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


# -- server messages ---------------------------------------------------------------------

_MANAGER = re.compile(r'conflict with "([^"]+)"')


def parse_conflicts(error: ApiError) -> tuple[FieldConflict, ...]:
    """Field/manager pairs from a 409's ``details.causes`` (reason FieldManagerConflict)."""
    details = (error.body or {}).get("details") or {}
    out = []
    for cause in details.get("causes") or []:
        if not isinstance(cause, dict) or cause.get("reason") != "FieldManagerConflict":
            continue
        found = _MANAGER.search(str(cause.get("message", "")))
        out.append(FieldConflict(str(cause.get("field", "")), found.group(1) if found else "?"))
    return tuple(out)


def _failure(item: SyncItem, error: Exception) -> ItemResult:
    """The per-object result of a failed request, with the object's Secret values scrubbed."""
    result = _failure_of(item.ref, error)
    return replace(result, message=scrub(result.message, item.body))


def _failure_of(ref: ObjectRef, error: Exception) -> ItemResult:
    if isinstance(error, MutationRefused):
        return ItemResult(ref, "refused", str(error))
    if isinstance(error, ApiError):
        conflicts = parse_conflicts(error) if error.status == 409 else ()
        if conflicts:
            managers = ", ".join(sorted({c.manager for c in conflicts}))
            return ItemResult(
                ref, "conflict", f"fields owned by {managers} (use --force-conflicts)", conflicts
            )
        return ItemResult(ref, "failed", error.message or str(error))
    return ItemResult(ref, "failed", str(error))


# -- the syncer --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    resource: str
    namespaced: bool


class Syncer:
    """Preview, apply and prune one plan against one cluster, as one field manager."""

    def __init__(
        self,
        client: ClusterClient,
        *,
        field_manager: str = DEFAULT_FIELD_MANAGER,
        discovery: Discovery | None = None,
        crd_timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.field_manager = field_manager
        self._discovery = discovery
        self.crd_timeout = crd_timeout
        self._sleep = sleep
        self._allowed: dict[tuple[str, str, str, str], str] = {}
        self._masker = SecretMasker(b"driftui-sync-preview")

    @property
    def discovery(self) -> Discovery:
        if self._discovery is None:
            self._discovery = discover(self.client)
        return self._discovery

    # -- where things go ---------------------------------------------------------------

    def _pending_kinds(self, items: Sequence[SyncItem]) -> dict[tuple[str, str], _Where]:
        """Kinds that CRDs in this plan will define: group/kind -> plural, scope."""
        out = {}
        for item in items:
            if item.prune or (item.ref.group, item.ref.kind) != (CRD_GROUP, CRD_KIND):
                continue
            spec = (item.body or {}).get("spec") or {}
            names = spec.get("names") or {}
            if spec.get("group") and names.get("kind") and names.get("plural"):
                out[(str(spec["group"]), str(names["kind"]))] = _Where(
                    str(names["plural"]), spec.get("scope") != "Cluster"
                )
        return out

    def _where(self, item: SyncItem, pending: Mapping[tuple[str, str], _Where]) -> _Where | None:
        info = self.discovery.resolve(item.ref.group, item.ref.kind)
        if info is not None:
            return _Where(info.resource, info.namespaced)
        return pending.get((item.ref.group, item.ref.kind))

    def _path(self, item: SyncItem, where: _Where) -> str:
        version = item.api_version.rsplit("/", 1)[-1]
        namespace = item.ref.namespace if where.namespaced else ""
        return object_path(item.ref.group, version, where.resource, namespace, item.ref.name)

    # -- permissions -------------------------------------------------------------------

    def why_not(self, verb: str, group: str, resource: str, namespace: str) -> str:
        """Read-only mode first (nothing is sent), then SelfSubjectAccessReview (cached)."""
        key = (verb, group, resource, namespace)
        if key not in self._allowed:
            reason = self.client.gate.why_not(verb, group, resource, namespace)
            if not reason:
                try:
                    allowed = self.client.can_i(verb, group, resource, namespace)
                except ClusterError as exc:
                    allowed, reason = False, f"cannot check permissions: {exc}"
                if not allowed and not reason:
                    where = f" in {namespace}" if namespace else ""
                    full = f"{resource}.{group}" if group else resource
                    reason = f"no {verb} permission on {full}{where}"
            self._allowed[key] = reason
        return self._allowed[key]

    def refusals(self, items: Sequence[SyncItem]) -> dict[ObjectRef, str]:
        """Objects this user may not sync, with the reason; checked before any write."""
        pending = self._pending_kinds(items)
        out: dict[ObjectRef, str] = {}
        for item in items:
            where = self._where(item, pending)
            if where is None:
                out[item.ref] = f"unknown kind {item.ref.group_kind} (no CRD serves it)"
                continue
            namespace = item.ref.namespace if where.namespaced else ""
            for verb in item.verbs:
                reason = self.why_not(verb, item.ref.group, where.resource, namespace)
                if reason:
                    out[item.ref] = reason
                    break
        return out

    # -- preview -----------------------------------------------------------------------

    def preview(self, items: Sequence[SyncItem], *, force: bool = False) -> list[Preview]:
        """Dry-run every apply; prunes preview as the whole live object going away."""
        pending = self._pending_kinds(items)
        out = []
        for item in items:
            where = self._where(item, pending)
            if where is None:
                out.append(Preview(item, message="unknown kind", ok=False))
                continue
            path = self._path(item, where)
            live = self._get(path)
            if item.prune:
                out.append(Preview(item, self._diff(live, None), "will be deleted"))
                continue
            if self.discovery.resolve(item.ref.group, item.ref.kind) is None:
                note = "its CRD is created first; shown as declared in Git"
                out.append(Preview(item, self._diff(live, item.body), note, deferred=True))
                continue
            try:
                predicted = self._apply(item, where, path, force=force, dry_run=True)
            except (ApiError, MutationRefused) as exc:
                failure = _failure(item, exc)
                out.append(Preview(item, (), failure.message, failure.conflicts, ok=False))
                continue
            out.append(Preview(item, self._diff(live, predicted)))
        return out

    def _get(self, path: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.client.get(path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return found

    def _diff(
        self, live: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> tuple[DiffLine, ...]:
        """Secrets are masked with one salt on both sides: equal values, equal masks."""

        def text(obj: dict[str, Any] | None) -> str:
            return render_yaml(normalise(self._masker.mask_object(obj))) if obj else ""

        return tuple(unified(text(live), text(after), context=3))

    # -- apply -------------------------------------------------------------------------

    def _apply(
        self, item: SyncItem, where: _Where, path: str, *, force: bool, dry_run: bool
    ) -> dict[str, Any]:
        namespace = item.ref.namespace if where.namespaced else ""
        target = Resource(item.ref.group, where.resource, namespace)
        assert item.body is not None
        return self.client.apply(
            path,
            item.body,
            target,
            field_manager=self.field_manager,
            force=force,
            dry_run=dry_run,
        )

    def apply(self, items: Sequence[SyncItem], *, force: bool = False) -> list[ItemResult]:
        """Apply in order; custom objects wait until the CRD applied before them serves."""
        pending = self._pending_kinds(items)
        created_crds: dict[tuple[str, str], str] = {}  # kind defined -> CRD name
        failed_crds: dict[tuple[str, str], str] = {}
        out: list[ItemResult] = []
        todo = [item for item in items if not item.prune]
        for index, item in enumerate(todo):
            try:
                out.append(self._apply_in_order(item, pending, created_crds, failed_crds, force))
            except KeyboardInterrupt:  # say exactly what was and was not applied, then stop
                out += [
                    ItemResult(rest.ref, "skipped", "interrupted before it was applied")
                    for rest in todo[index:]
                ]
                break
        return out

    def _apply_in_order(
        self,
        item: SyncItem,
        pending: Mapping[tuple[str, str], _Where],
        created_crds: dict[tuple[str, str], str],
        failed_crds: dict[tuple[str, str], str],
        force: bool,
    ) -> ItemResult:
        kind = (item.ref.group, item.ref.kind)
        if kind in failed_crds:
            return ItemResult(item.ref, "skipped", f"its CRD {failed_crds[kind]} failed")
        if kind in created_crds and self.discovery.resolve(*kind) is None:
            problem = self._wait_served(created_crds[kind], kind)
            if problem:
                return ItemResult(item.ref, "skipped", problem)
        where = self._where(item, pending)
        if where is None:
            return ItemResult(item.ref, "failed", "unknown kind")
        result = self._apply_one(item, where, force)
        for k in pending:
            if _defines(item, k):
                (created_crds if result.ok else failed_crds)[k] = item.ref.name
        return result

    def _apply_one(self, item: SyncItem, where: _Where, force: bool) -> ItemResult:
        try:
            applied = self._apply(item, where, self._path(item, where), force=force, dry_run=False)
        except (ClusterError, MutationRefused) as exc:  # incl. a server gone mid-sync
            return _failure(item, exc)
        version = str((applied.get("metadata") or {}).get("resourceVersion", ""))
        if not item.exists:
            return ItemResult(item.ref, "created")
        return ItemResult(
            item.ref, "unchanged" if version == item.resource_version else "configured"
        )

    def _wait_served(self, crd_name: str, kind: tuple[str, str]) -> str:
        """Wait for Established, then for discovery to list the kind. "" when ready."""
        path = object_path(CRD_GROUP, "v1", "customresourcedefinitions", "", crd_name)
        deadline = time.monotonic() + self.crd_timeout
        while time.monotonic() < deadline:
            try:
                crd = self.client.get(path)
            except ApiError as exc:
                return f"CRD {crd_name} unreadable: {exc.message}"
            conditions = (crd.get("status") or {}).get("conditions") or []
            established = any(
                c.get("type") == "Established" and c.get("status") == "True" for c in conditions
            )
            if established:
                self._discovery = discover(self.client)
                if self._discovery.resolve(*kind) is not None:
                    return ""
            self._sleep(0.2)
        return f"CRD {crd_name} not established after {self.crd_timeout:.0f}s"

    # -- prune -------------------------------------------------------------------------

    def prune(self, items: Sequence[SyncItem]) -> list[ItemResult]:
        out = []
        for item in items:
            if not item.prune:
                continue
            info = self.discovery.resolve(item.ref.group, item.ref.kind)
            if info is None:
                out.append(ItemResult(item.ref, "failed", "unknown kind"))
                continue
            namespace = item.ref.namespace if info.namespaced else ""
            target = Resource(info.group, info.resource, namespace)
            try:
                self.client.delete(info.path(namespace, item.ref.name), target)
            except ApiError as exc:
                if exc.status == 404:
                    out.append(ItemResult(item.ref, "pruned", "already gone"))
                else:
                    out.append(_failure(item, exc))
                continue
            except MutationRefused as exc:
                out.append(_failure(item, exc))
                continue
            out.append(ItemResult(item.ref, "pruned"))
        return out


def _defines(item: SyncItem, kind: tuple[str, str]) -> bool:
    if (item.ref.group, item.ref.kind) != (CRD_GROUP, CRD_KIND):
        return False
    spec = (item.body or {}).get("spec") or {}
    return (spec.get("group"), (spec.get("names") or {}).get("kind")) == kind


def prune_confirmation_word(items: Sequence[SyncItem]) -> str:
    """Argo CD's habit: the object's name for one, ``prune`` for several."""
    prunes = [i for i in items if i.prune]
    return prunes[0].ref.name if len(prunes) == 1 else "prune"
