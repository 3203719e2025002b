"""What ``driftui sync`` applies on one cluster, and which objects go to their app instead.

Kept apart from :mod:`.sync` (the conversation): Git at the commit the scan showed, for the
sources that deploy to the cluster being synced, and the route of each object (applied
directly, or its owning Argo CD / Flux app asked to reconcile). Apps are looked up where
they live, the scan's own cluster, which may not be the one their objects are on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from driftui.actions.clusters import Source
from driftui.actions.sync_plan import (
    SyncItem,
    SyncPlan,
    declared_refs,
    match_manifests,
    prune_blocked,
)
from driftui.gitops.apps import GitOpsApp, find_app, resolved
from driftui.gitops.owners import app_owner
from driftui.live.client import ClusterClient
from driftui.model import AppOwner, DriftResult, Manifest, ObjectRef, ScanReport


@dataclass(frozen=True)
class Desired:
    """Git at the very commit the scan used and showed, never where the ref points now."""

    manifests: dict[ObjectRef, Manifest]  # raw objects (results hold masked ones)
    declared: set[ObjectRef]  # every object Git declares there
    prune_blocked: str  # why nothing may be pruned ("" when a prune may run)


def desired(sources: Sequence[Source], report: ScanReport, client: ClusterClient) -> Desired:
    """Each of ``sources``' Git (``--repo``'s, or each app's own) at the commit its scan
    used; ``client``: the cluster they deploy to (its default namespace)."""
    commits = {info.app: info.source.commit for info in report.apps if info.source is not None}
    manifests: dict[ObjectRef, Manifest] = {}
    declared: set[ObjectRef] = set()
    blocked = ""
    for app, source in sources:
        opts = source.options
        commit = commits.get(app, "") if app is not None else report.source.commit
        state = source.desired(commit or opts.ref)
        namespace = opts.namespace or client.namespace
        results = [r for r in report.results if r.app == app]
        manifests |= match_manifests(results, state.manifests, namespace)
        declared |= declared_refs(state, namespace)  # a prune spares what any app declares
        blocked = blocked or prune_blocked(state)
    return Desired(manifests, declared, blocked)


@dataclass
class Routes:
    direct: list[SyncItem] = field(default_factory=list)
    via_app: dict[AppOwner, tuple[GitOpsApp, list[ObjectRef]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _owner_of(result: DriftResult, item: SyncItem | None) -> AppOwner | None:
    owner = result.owner or (app_owner(item.body) if item and item.body else None)
    return resolved(owner) if owner else None


def route(
    plan: SyncPlan, results: dict[ObjectRef, DriftResult], apps_at: ClusterClient, direct: bool
) -> Routes:
    """Owned objects go to their app (unless --direct); warn when an app will fight us.
    ``apps_at``: the cluster the apps live on (the scan's own)."""
    routes = Routes()
    apps: dict[AppOwner, GitOpsApp | None] = {}
    why: dict[AppOwner, str] = {}
    for item in plan.items:
        owner = _owner_of(results[item.ref], item)
        if owner is not None and owner not in apps:
            apps[owner], why[owner] = find_app(apps_at, owner)
        app = apps.get(owner) if owner else None
        if app is None or direct or item.prune:
            routes.direct.append(item)
            if owner is not None and app is None and not item.prune:
                note = f"{owner}: {why[owner]}; {item.ref} is applied directly"
                if note not in routes.warnings:
                    routes.warnings.append(note)
            warning = app.warning() if app is not None else ""
            if warning and warning not in routes.warnings:
                routes.warnings.append(warning)
            continue
        routes.via_app.setdefault(app.owner, (app, []))[1].append(item.ref)
    return routes
