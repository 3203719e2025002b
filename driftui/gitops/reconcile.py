"""Ask an app to reconcile, instead of applying behind its back.

Flux: the ``reconcile.fluxcd.io/requestedAt`` annotation; Argo CD: ``operation.sync`` of the
named resources, or the refresh annotation. Writes are merge patches through
:class:`ClusterClient` (so through the gate), each preceded by a permission check and carrying
the resourceVersion that was read, so a concurrent change makes the write fail instead of
silently overwriting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from driftui.gate import MutationRefused
from driftui.gitops.apps import FLUX, INITIATOR, AppError, GitOpsApp
from driftui.live.client import ClusterClient, Resource
from driftui.model import ObjectRef

FLUX_RECONCILE_ANNOTATION = "reconcile.fluxcd.io/requestedAt"
ARGOCD_REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"


def patch_app(client: ClusterClient, app: GitOpsApp, patch: dict[str, Any]) -> dict[str, Any]:
    """Check RBAC first (read-only mode is refused without sending anything), then patch."""
    kind = app.kind
    reason = client.gate.why_not("patch", kind.group, kind.resource, app.owner.namespace)
    if not reason and not client.can_i("patch", kind.group, kind.resource, app.owner.namespace):
        reason = f"no patch permission on {kind.resource}.{kind.group} in {app.owner.namespace}"
    if reason:
        client.gate.refused.append(f"patch {kind.resource}.{kind.group}: {reason}")
        raise MutationRefused(f"refused to patch {app.owner}: {reason}")
    patch = dict(patch)
    meta = dict(patch.get("metadata") or {})
    meta["resourceVersion"] = app.resource_version
    patch["metadata"] = meta
    target = Resource(kind.group, kind.resource, app.owner.namespace)
    return client.merge_patch(app.path, patch, target)


def rfc3339_now(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- reconcile ---------------------------------------------------------------------------


def flux_reconcile_patch(now: datetime | None = None) -> dict[str, Any]:
    return {"metadata": {"annotations": {FLUX_RECONCILE_ANNOTATION: rfc3339_now(now)}}}


def argo_refresh_patch() -> dict[str, Any]:
    return {"metadata": {"annotations": {ARGOCD_REFRESH_ANNOTATION: "normal"}}}


def argo_revision(app: GitOpsApp) -> str | list[str]:
    sources = app.spec.get("sources")
    if isinstance(sources, list) and sources:
        return [str(s.get("targetRevision") or "HEAD") for s in sources if isinstance(s, dict)]
    source = app.spec.get("source") or {}
    return str(source.get("targetRevision") or "HEAD")


def argo_sync_patch(app: GitOpsApp, refs: Sequence[ObjectRef] = ()) -> dict[str, Any]:
    """``operation.sync`` as ``argocd app sync`` writes it; ``refs`` make it selective."""
    revision = argo_revision(app)
    sync: dict[str, Any] = (
        {"revisions": revision} if isinstance(revision, list) else {"revision": revision}
    )
    if refs:
        sync["resources"] = [
            {"group": r.group, "kind": r.kind, "namespace": r.namespace, "name": r.name}
            for r in sorted(set(refs))
        ]
    return {"operation": {"initiatedBy": {"username": INITIATOR}, "sync": sync}}


def request_reconcile(
    client: ClusterClient,
    app: GitOpsApp,
    refs: Sequence[ObjectRef] = (),
    *,
    refresh_only: bool = False,
    now: datetime | None = None,
) -> str:
    """Ask the owner to reconcile; returns one line saying what was written."""
    if app.owner.tool == FLUX.tool:
        patch = flux_reconcile_patch(now)
        patch_app(client, app, patch)
        stamp = patch["metadata"]["annotations"][FLUX_RECONCILE_ANNOTATION]
        note = " (suspended: Flux ignores it until resumed)" if not app.auto_sync.enabled else ""
        return f"{app.owner}: requested reconcile at {stamp}{note}"
    if refresh_only:
        patch_app(client, app, argo_refresh_patch())
        return f"{app.owner}: requested refresh"
    if app.body.get("operation"):
        raise AppError(f"{app.owner}: another operation is already in progress")
    patch_app(client, app, argo_sync_patch(app, refs))
    what = f"{len(set(refs))} resources" if refs else "all resources"
    return f"{app.owner}: requested sync of {what} at revision {argo_revision(app)}"
