"""The Argo CD Application or Flux Kustomization that owns an object, as read from the cluster.

Cooperating with the app, instead of fighting it, starts here: which app it is, whether it
auto-syncs, and whether these credentials can read it at all. Asking it to act lives in
:mod:`.reconcile` and :mod:`.suspension`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from driftui.errors import DriftuiError
from driftui.gitops.owners import app_owner
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError
from driftui.model import AppOwner
from driftui.runtime.pacing import paced

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


class AppError(DriftuiError):
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
        raise AppError(f"{text!r}: expected flux:NAMESPACE/NAME or argocd:[NAMESPACE/]NAME")
    namespace, _, name = rest.rpartition("/")
    if not name or (tool == "flux" and not namespace):
        raise AppError(f"{text!r}: a Flux Kustomization needs NAMESPACE/NAME")
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
class GitOpsApp:
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


class AppUnreadable(AppError):
    """The app may exist, but these credentials cannot read it (403)."""


def fetch_app(client: ClusterClient, owner: AppOwner) -> GitOpsApp | None:
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
    return GitOpsApp(owner, body)


def find_app(client: ClusterClient, owner: AppOwner) -> tuple[GitOpsApp | None, str]:
    """The app, or None and why not ("not found in this cluster", "cannot read it: ...")."""
    try:
        app = fetch_app(client, owner)
    except AppUnreadable as exc:
        return None, str(exc).removeprefix(f"{resolved(owner)}: ")
    return app, "" if app is not None else "not found in this cluster"


def owning_apps(client: ClusterClient, objects: Iterable[dict[str, Any]]) -> list[GitOpsApp]:
    """Every distinct app that owns one of ``objects`` and exists in this cluster."""
    owners = {resolved(o) for o in (app_owner(obj) for obj in paced(objects)) if o is not None}
    found = (find_app(client, owner)[0] for owner in sorted(owners, key=str))
    return [app for app in found if app is not None]
