"""Direct sync: apply Git's objects with server-side apply, in dependency order.

Nothing here decides *whether* to sync, nor what (see :mod:`.sync_plan`): it checks
permissions before any write (read-only mode first, then SelfSubjectAccessReview),
previews with a dry-run server-side apply, applies, and prunes, re-reading each object
first (see :mod:`.outcomes` for what it reports, :mod:`.sync_targets` for where
objects go, :mod:`.prune` for deletes). Every write goes through
:class:`~driftui.live.client.ClusterClient`, whose :class:`MutationGate` is the last word.

A failure on one object (validation, webhook, RBAC, a field-manager conflict) is reported
for that object with the server's own message; the remaining objects are still applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from driftui.actions.outcomes import (
    CHANGED_SINCE,
    IN_FLIGHT,
    SERVER_UNAVAILABLE,
    FieldConflict,
    ItemResult,
    OutcomeLog,
    changed_since_scan,
    failure,
    ignore_outcome,
    parse_conflicts,
)
from driftui.actions.prune import Pruner
from driftui.actions.sync_plan import CRD_GROUP, SyncItem
from driftui.actions.sync_targets import (
    GroupKind,
    Where,
    defines,
    item_path,
    pending_kinds,
    read_live,
    where_of,
)
from driftui.compare.masking import session_masker
from driftui.compare.normalise import normalise
from driftui.compare.textdiff import DiffLine, render_yaml, unified
from driftui.gate import MutationRefused
from driftui.gitops.markers import TrackingMarkers
from driftui.live.access import AccessReview
from driftui.live.client import ClusterClient, Resource, object_path
from driftui.live.discovery import Discovery, discover
from driftui.live.errors import ApiError, ClusterError
from driftui.model import ObjectRef
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress

DEFAULT_FIELD_MANAGER = "driftui"


@dataclass(frozen=True)
class Preview:
    """What a dry-run apply predicts, as a diff of live (``-``) against the result (``+``)."""

    item: SyncItem
    lines: tuple[DiffLine, ...] = ()
    message: str = ""  # why the prediction failed, or a note
    conflicts: tuple[FieldConflict, ...] = ()
    ok: bool = True
    deferred: bool = False  # its CRD is created by this sync first: Git shown as it is


# -- the syncer --------------------------------------------------------------------------


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
        tracking: TrackingMarkers | None = None,
    ) -> None:
        self.client = client
        self.tracking = tracking or TrackingMarkers()
        self.field_manager = field_manager
        self._discovery = discovery
        self.crd_timeout = crd_timeout
        self._sleep = sleep
        self._masker = session_masker()

    @property
    def discovery(self) -> Discovery:
        if self._discovery is None:
            self._discovery = discover(self.client)
        return self._discovery

    # -- permissions -------------------------------------------------------------------

    def why_not(self, verb: str, group: str, resource: str, namespace: str) -> str:
        """Read-only mode first (nothing is sent), then the cluster's RBAC, through the
        gate's own probe (SelfSubjectAccessReview, cached): one answer for the preview,
        the apply and the gate's last check."""
        gate = self.client.gate
        if gate.probe is None and not gate.read_only:
            gate.probe = AccessReview(self.client)
        return gate.why_not(verb, group, resource, namespace)

    def refusals(self, items: Sequence[SyncItem]) -> dict[ObjectRef, str]:
        """Objects this user may not sync, with the reason; checked before any write."""
        pending = pending_kinds(items)
        out: dict[ObjectRef, str] = {}
        for item in items:
            where = where_of(self.discovery, item, pending)
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

    def preview(
        self, items: Sequence[SyncItem], *, force: bool = False, progress: ProgressFn = no_progress
    ) -> list[Preview]:
        """Dry-run every apply; prunes preview as the whole live object going away."""
        pending = pending_kinds(items)
        out: list[Preview] = []
        for item in items:
            progress(ProgressEvent("dry-runs", len(out), len(items)))
            where = where_of(self.discovery, item, pending)
            if where is None:
                out.append(Preview(item, message="unknown kind", ok=False))
                continue
            path = item_path(item, where)
            live = read_live(self.client, path)
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
                failed = failure(item, exc)
                out.append(Preview(item, (), failed.message, failed.conflicts, ok=False))
                continue
            out.append(Preview(item, self._diff(live, predicted)))
        progress(ProgressEvent("dry-runs", len(out), len(items)))
        return out

    def _diff(
        self, live: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> tuple[DiffLine, ...]:
        """Secrets are masked with one key on both sides: equal values, equal masks."""

        def text(obj: dict[str, Any] | None) -> str:
            return render_yaml(normalise(self._masker.mask_object(obj))) if obj else ""

        return tuple(unified(text(live), text(after), context=3))

    # -- apply -------------------------------------------------------------------------

    def _apply(
        self, item: SyncItem, where: Where, path: str, *, force: bool, dry_run: bool
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

    def apply(
        self,
        items: Sequence[SyncItem],
        *,
        force: bool = False,
        report: Callable[[ItemResult], None] = ignore_outcome,
    ) -> list[ItemResult]:
        """Apply in order; custom objects wait until the CRD applied before them serves.

        Each outcome is handed to ``report`` as it happens. After a few answers in a row
        that say the server is not serving (timeouts, 5xx), the rest are skipped: a sync
        against a dead etcd must end with an account, not wait out every request.
        """
        pending = pending_kinds(items)
        created_crds: dict[GroupKind, str] = {}  # kind defined -> CRD name
        failed_crds: dict[GroupKind, str] = {}
        run = OutcomeLog(report)
        todo = [item for item in items if not item.prune]
        for index, item in enumerate(todo):
            if run.server_gone:
                run.skip(todo[index:], SERVER_UNAVAILABLE)
                break
            try:
                run.add(self._apply_in_order(item, pending, created_crds, failed_crds, force))
            except KeyboardInterrupt:  # say exactly what was and was not applied, then stop
                run.add(ItemResult(item.ref, "interrupted", IN_FLIGHT))
                run.skip(todo[index + 1 :], "interrupted before it was applied")
                break
        return run.results

    def _apply_in_order(
        self,
        item: SyncItem,
        pending: Mapping[GroupKind, Where],
        created_crds: dict[GroupKind, str],
        failed_crds: dict[GroupKind, str],
        force: bool,
    ) -> ItemResult:
        kind = (item.ref.group, item.ref.kind)
        if kind in failed_crds:
            return ItemResult(item.ref, "skipped", f"its CRD {failed_crds[kind]} failed")
        if kind in created_crds and self.discovery.resolve(*kind) is None:
            problem = self._wait_served(created_crds[kind], kind)
            if problem:
                return ItemResult(item.ref, "skipped", problem)
        where = where_of(self.discovery, item, pending)
        if where is None:
            return ItemResult(item.ref, "failed", "unknown kind")
        result = self._apply_one(item, where, force)
        for k in pending:
            if defines(item, k):
                (created_crds if result.ok else failed_crds)[k] = item.ref.name
        return result

    def _apply_one(self, item: SyncItem, where: Where, force: bool) -> ItemResult:
        """Re-read, then apply only what was previewed: a changed object is previewed again."""
        path = item_path(item, where)
        try:
            live = read_live(self.client, path)
        except ClusterError as exc:
            return failure(item, exc)
        changed = changed_since_scan(item, live)
        if changed:
            return self._previewed_again(item, where, path, live, changed, force)
        body = item.body
        if item.exists and body is not None:  # the server refuses it if it changed since
            meta = dict(body.get("metadata") or {}, resourceVersion=item.resource_version)
            body = dict(body, metadata=meta)
        try:
            applied = self._apply(replace(item, body=body), where, path, force=force, dry_run=False)
        except ApiError as exc:
            if exc.status == 409 and not parse_conflicts(exc):
                return ItemResult(item.ref, "skipped", f"{CHANGED_SINCE}: not applied")
            return failure(item, exc)
        except (ClusterError, MutationRefused) as exc:  # incl. a server gone mid-sync
            return failure(item, exc)
        version = str((applied.get("metadata") or {}).get("resourceVersion", ""))
        if not item.exists:
            return ItemResult(item.ref, "created")
        return ItemResult(
            item.ref, "unchanged" if version == item.resource_version else "configured"
        )

    def _previewed_again(
        self,
        item: SyncItem,
        where: Where,
        path: str,
        live: dict[str, Any] | None,
        changed: str,
        force: bool,
    ) -> ItemResult:
        """Not applied: the user confirmed another state. Show what applying now would do."""
        message = f"{changed}; not applied, run sync again to confirm the new preview"
        try:
            predicted = self._apply(item, where, path, force=force, dry_run=True)
        except (ClusterError, MutationRefused) as exc:
            why = failure(item, exc).message
            return ItemResult(item.ref, "skipped", f"{message} (a new preview fails: {why})")
        return ItemResult(item.ref, "skipped", message, preview=self._diff(live, predicted))

    def _wait_served(self, crd_name: str, kind: GroupKind) -> str:
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

    def prune(
        self,
        items: Sequence[SyncItem],
        declared: Collection[ObjectRef],
        *,
        report: Callable[[ItemResult], None] = ignore_outcome,
    ) -> list[ItemResult]:
        """Delete extras, each re-read first and deleted only if it is still the one shown.

        ``declared`` is every object Git declares at the scanned commit. An object is
        deleted only while it still carries the marker that made it this source's, is
        still not declared, and has the uid and resourceVersion the preview showed; the
        delete carries those as preconditions, so the server refuses it if anything changed
        in between. Anything else is skipped, with the reason (see :mod:`.prune`).
        """
        pruner = Pruner(self.client, lambda: self.discovery, self.tracking)
        return pruner.prune(items, declared, report=report)
