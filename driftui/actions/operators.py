"""Cooperate with the GitOps operator that owns an object, instead of fighting it.

Finds the owning Argo CD Application or Flux Kustomization, asks it to reconcile (Flux:
the ``reconcile.fluxcd.io/requestedAt`` annotation; Argo CD: ``operation.sync`` or the
refresh annotation), tells whether it auto-syncs, and suspends / resumes auto-sync with a
record of exactly what was changed, kept in ``$XDG_STATE_HOME/driftui/suspensions.json``
so the header can remind the user until it is undone.

Writes are merge patches through :class:`ClusterClient` (so through the gate), each
preceded by a permission check and carrying the resourceVersion that was read, so a
concurrent change makes the write fail instead of silently overwriting it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driftui.errors import DriftuiError
from driftui.files import write_atomic
from driftui.gate import MutationRefused
from driftui.live.client import ApiError, ClusterClient, Resource, object_path
from driftui.live.owners import app_owner
from driftui.model import AppOwner, ObjectRef

FLUX_RECONCILE_ANNOTATION = "reconcile.fluxcd.io/requestedAt"
ARGOCD_REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
DEFAULT_ARGOCD_NAMESPACE = "argocd"
INITIATOR = "driftui"


@dataclass(frozen=True)
class AppKind:
    tool: str
    group: str
    version: str
    resource: str
    kind: str


ARGOCD = AppKind("argocd", "argoproj.io", "v1alpha1", "applications", "Application")
FLUX = AppKind("flux", "kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization")
KINDS = {ARGOCD.tool: ARGOCD, FLUX.tool: FLUX}


class OperatorError(DriftuiError):
    """An operator action that cannot be done; the message says why, in one line."""


def resolved(owner: AppOwner) -> AppOwner:
    """Argo CD apps named without a namespace live in the control namespace (``argocd``)."""
    if owner.tool == ARGOCD.tool and not owner.namespace:
        return AppOwner(owner.tool, DEFAULT_ARGOCD_NAMESPACE, owner.name)
    return owner


def parse_app(text: str) -> AppOwner:
    """``flux:NS/NAME``, ``argocd:NS/NAME`` or ``argocd:NAME`` (also ``kustomization/...``)."""
    aliases = {"flux": "flux", "kustomization": "flux", "argocd": "argocd", "application": "argocd"}
    tool, sep, rest = text.partition(":")
    if not sep:
        tool, sep, rest = text.partition("/")
    tool = aliases.get(tool.lower(), "")
    if not tool or not rest:
        raise OperatorError(f"{text!r}: expected flux:NAMESPACE/NAME or argocd:[NAMESPACE/]NAME")
    namespace, _, name = rest.rpartition("/")
    if not name or (tool == "flux" and not namespace):
        raise OperatorError(f"{text!r}: a Flux Kustomization needs NAMESPACE/NAME")
    return resolved(AppOwner(tool, namespace, name))


@dataclass(frozen=True)
class AutoSync:
    enabled: bool
    self_heal: bool = False
    prune: bool = False

    def describe(self, owner: AppOwner) -> str:
        if not self.enabled:
            return ""
        if owner.tool == FLUX.tool:
            return f"{owner} is not suspended: Flux re-applies Git at its next interval"
        heal = " with selfHeal" if self.self_heal else ""
        return f"{owner} auto-syncs{heal}: Argo CD will redo or undo changes made outside it"


@dataclass(frozen=True)
class OperatorApp:
    """An Application or Kustomization as read from the cluster."""

    owner: AppOwner  # namespace resolved
    body: dict[str, Any]

    @property
    def kind(self) -> AppKind:
        return KINDS[self.owner.tool]

    @property
    def path(self) -> str:
        return app_path(self.owner)

    @property
    def resource_version(self) -> str:
        return str((self.body.get("metadata") or {}).get("resourceVersion", ""))

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.body.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def auto_sync(self) -> AutoSync:
        if self.owner.tool == FLUX.tool:
            return AutoSync(enabled=self.spec.get("suspend") is not True)
        automated = (self.spec.get("syncPolicy") or {}).get("automated")
        if not isinstance(automated, dict):
            return AutoSync(enabled=False)
        return AutoSync(
            enabled=automated.get("enabled", True) is not False,
            self_heal=bool(automated.get("selfHeal")),
            prune=bool(automated.get("prune")),
        )

    def warning(self) -> str:
        """What to tell a user about to sync or revert directly; "" when nothing fights it."""
        return self.auto_sync.describe(self.owner)


def app_path(owner: AppOwner) -> str:
    kind = KINDS[owner.tool]
    return object_path(kind.group, kind.version, kind.resource, owner.namespace, owner.name)


class AppUnreadable(OperatorError):
    """The app may exist, but these credentials cannot read it (403)."""


def fetch_app(client: ClusterClient, owner: AppOwner) -> OperatorApp | None:
    """The owning app, or None when this cluster does not have it.

    A 403 raises :class:`AppUnreadable`: "cannot see it" must never pass for "gone".
    """
    owner = resolved(owner)
    try:
        body = client.get(app_path(owner))
    except ApiError as exc:
        if exc.status == 404:
            return None
        if exc.status == 403:
            raise AppUnreadable(f"{owner}: cannot read it: {exc.message}") from None
        raise
    return OperatorApp(owner, body)


def find_app(client: ClusterClient, owner: AppOwner) -> tuple[OperatorApp | None, str]:
    """The app, or None and why not ("not found in this cluster", "cannot read it: ...")."""
    try:
        app = fetch_app(client, owner)
    except AppUnreadable as exc:
        return None, str(exc).removeprefix(f"{resolved(owner)}: ")
    return app, "" if app is not None else "not found in this cluster"


def owning_apps(client: ClusterClient, objects: Iterable[dict[str, Any]]) -> list[OperatorApp]:
    """Every distinct app that owns one of ``objects`` and exists in this cluster."""
    owners = {resolved(o) for o in (app_owner(obj) for obj in objects) if o is not None}
    found = (find_app(client, owner)[0] for owner in sorted(owners, key=str))
    return [app for app in found if app is not None]


# -- permission + write ------------------------------------------------------------------


def _patch(client: ClusterClient, app: OperatorApp, patch: dict[str, Any]) -> dict[str, Any]:
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


def argo_revision(app: OperatorApp) -> str | list[str]:
    sources = app.spec.get("sources")
    if isinstance(sources, list) and sources:
        return [str(s.get("targetRevision") or "HEAD") for s in sources if isinstance(s, dict)]
    source = app.spec.get("source") or {}
    return str(source.get("targetRevision") or "HEAD")


def argo_sync_patch(app: OperatorApp, refs: Sequence[ObjectRef] = ()) -> dict[str, Any]:
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
    app: OperatorApp,
    refs: Sequence[ObjectRef] = (),
    *,
    refresh_only: bool = False,
    now: datetime | None = None,
) -> str:
    """Ask the owner to reconcile; returns one line saying what was written."""
    if app.owner.tool == FLUX.tool:
        patch = flux_reconcile_patch(now)
        _patch(client, app, patch)
        stamp = patch["metadata"]["annotations"][FLUX_RECONCILE_ANNOTATION]
        note = " (suspended: Flux ignores it until resumed)" if not app.auto_sync.enabled else ""
        return f"{app.owner}: requested reconcile at {stamp}{note}"
    if refresh_only:
        _patch(client, app, argo_refresh_patch())
        return f"{app.owner}: requested refresh"
    if app.body.get("operation"):
        raise OperatorError(f"{app.owner}: another operation is already in progress")
    _patch(client, app, argo_sync_patch(app, refs))
    what = f"{len(set(refs))} resources" if refs else "all resources"
    return f"{app.owner}: requested sync of {what} at revision {argo_revision(app)}"


# -- suspend / resume --------------------------------------------------------------------


@dataclass(frozen=True)
class Suspension:
    """What driftui changed to stop auto-sync, so resume restores exactly that."""

    tool: str
    namespace: str
    name: str
    field: str  # "spec.suspend" | "spec.syncPolicy.automated"
    previous: Any  # the value before (None: the field was absent)
    server: str
    context: str
    at: str

    @property
    def owner(self) -> AppOwner:
        return AppOwner(self.tool, self.namespace, self.name)

    def reminder(self) -> str:
        return f"auto-sync of {self.owner} suspended by driftui at {self.at} (resume to undo)"


def state_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "driftui" / "suspensions.json"


class SuspensionStore:
    """A small JSON file of active suspensions, written atomically."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_file()

    def load(self) -> list[Suspension]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise OperatorError(f"{self.path}: unreadable suspension record: {exc}") from None
        items = raw.get("suspensions") if isinstance(raw, dict) else None
        fields = set(Suspension.__dataclass_fields__)
        return [
            Suspension(**{k: v for k, v in item.items() if k in fields})
            for item in items or []
            if isinstance(item, dict) and fields <= set(item)
        ]

    def _save(self, items: list[Suspension]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"version": 1, "suspensions": [asdict(s) for s in items]}
        write_atomic(self.path, json.dumps(doc, indent=1, sort_keys=True))

    def add(self, suspension: Suspension) -> None:
        self._save([*self._without(suspension.owner, suspension.server), suspension])

    def remove(self, owner: AppOwner, server: str) -> None:
        self._save(self._without(owner, server))

    def find(self, owner: AppOwner, server: str) -> Suspension | None:
        return next((s for s in self.load() if s.owner == owner and s.server == server), None)

    def for_server(self, server: str) -> list[Suspension]:
        """What the header reminds about: this cluster's suspensions."""
        return [s for s in self.load() if s.server == server]

    def _without(self, owner: AppOwner, server: str) -> list[Suspension]:
        return [s for s in self.load() if not (s.owner == owner and s.server == server)]


def suspend(
    client: ClusterClient, app: OperatorApp, store: SuspensionStore, now: datetime | None = None
) -> Suspension:
    """Flux: ``spec.suspend: true``. Argo CD: remove ``spec.syncPolicy.automated``."""
    if not app.auto_sync.enabled:
        raise OperatorError(f"{app.owner} does not auto-sync; nothing to suspend")
    if app.owner.tool == FLUX.tool:
        field, previous = "spec.suspend", app.spec.get("suspend")
        patch: dict[str, Any] = {"spec": {"suspend": True}}
    else:
        field = "spec.syncPolicy.automated"
        previous = (app.spec.get("syncPolicy") or {}).get("automated")
        patch = {"spec": {"syncPolicy": {"automated": None}}}
    record = Suspension(
        app.owner.tool,
        app.owner.namespace,
        app.owner.name,
        field,
        previous,
        client.server,
        client.context,
        rfc3339_now(now),
    )
    _patch(client, app, patch)
    store.add(record)
    return record


def resume(client: ClusterClient, record: Suspension, store: SuspensionStore) -> str:
    """Restore exactly the recorded value, unless someone changed it since (then leave it)."""
    app = fetch_app(client, record.owner)
    if app is None:
        store.remove(record.owner, record.server)
        return f"{record.owner} no longer exists; suspension record dropped"
    if app.owner.tool == FLUX.tool:
        untouched = app.spec.get("suspend") is True
        patch: dict[str, Any] = {"spec": {"suspend": record.previous}}
    else:
        untouched = (app.spec.get("syncPolicy") or {}).get("automated") is None
        patch = {"spec": {"syncPolicy": {"automated": record.previous}}}
    if not untouched:
        store.remove(record.owner, record.server)
        return f"{record.owner}: {record.field} was changed since driftui suspended it; left as is"
    _patch(client, app, patch)
    store.remove(record.owner, record.server)
    return f"{record.owner}: {record.field} restored"
