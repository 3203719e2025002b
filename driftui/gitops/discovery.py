"""Find the GitOps apps these credentials can read: Argo CD Applications, Flux
Kustomizations and Flux HelmReleases whose chart is in a GitRepository.

Each kind is LISTed across the cluster once; where that is refused, in each namespace the user
may list (or, failing that, the kubeconfig's own namespace). A kind the cluster does not serve,
or a namespace the user may not read, is simply absent: it is never an error for the rest,
only a note. An app whose own tracking marker names another app (an app of apps) is nested
under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from driftui.gitops.app_specs import (
    APPLICATION,
    HELM_RELEASE,
    KUSTOMIZATION,
    TOOLS,
    App,
    argo_app,
    flux_helm_release,
    flux_kustomization,
)
from driftui.gitops.apps import DEFAULT_ARGOCD_NAMESPACE
from driftui.gitops.owners import app_owner
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError

# (group, version, plural) of each kind discovery reads
APPLICATIONS = ("argoproj.io", "v1alpha1", "applications")
KUSTOMIZATIONS = ("kustomize.toolkit.fluxcd.io", "v1", "kustomizations")
HELM_RELEASES = ("helm.toolkit.fluxcd.io", "v2", "helmreleases")
GIT_REPOSITORIES = ("source.toolkit.fluxcd.io", "v1", "gitrepositories")


@dataclass
class Listing:
    """What one kind's LISTs found, and where the user could not look (notes, not errors)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AppNode:
    """An app with the apps it renders nested under it."""

    app: App
    children: tuple[AppNode, ...] = ()

    def walk(self) -> Iterable[App]:
        yield self.app
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Discovery:
    apps: tuple[App, ...]  # every app found, sorted by (kind, namespace, name)
    notes: tuple[str, ...] = ()  # kinds or namespaces that could not be read

    def tree(self) -> tuple[AppNode, ...]:
        """The apps as a forest: an app of apps holds its children."""
        children: dict[tuple[str, str, str], list[App]] = {}
        keys = {app.key for app in self.apps}
        for app in self.apps:
            if app.parent is not None and app.parent in keys and app.parent != app.key:
                children.setdefault(app.parent, []).append(app)

        def node(app: App, seen: frozenset[tuple[str, str, str]]) -> AppNode:
            below = [c for c in children.get(app.key, []) if c.key not in seen]
            return AppNode(app, tuple(node(c, seen | {c.key}) for c in below))

        roots = [a for a in self.apps if a.parent is None or a.parent not in keys]
        return tuple(node(app, frozenset({app.key})) for app in roots)


def _what(kind: tuple[str, str, str]) -> str:
    return f"{kind[2]}.{kind[0]}"


def _list(client: ClusterClient, kind: tuple[str, str, str], namespace: str) -> list[Any]:
    return list(client.list_items(object_path(*kind, namespace=namespace)))


def _namespaces(client: ClusterClient, fallback: Iterable[str]) -> list[str]:
    """Every namespace the user may list; else the ones it names itself (its context's)."""
    try:
        items = _list(client, ("", "v1", "namespaces"), "")
    except ApiError as exc:
        if exc.status != 403:
            raise
        return sorted(set(fallback))
    return sorted(str((i.get("metadata") or {}).get("name", "")) for i in items)


def list_readable(
    client: ClusterClient, kind: tuple[str, str, str], fallback_namespaces: Iterable[str] = ()
) -> Listing:
    """Every object of ``kind`` the user can read. A kind not served (404) is empty."""
    out = Listing()
    try:
        out.items = _list(client, kind, "")
        return out
    except ApiError as exc:
        if exc.status == 404:
            return out
        if exc.status != 403:
            out.notes.append(f"cannot list {_what(kind)}: {exc.message}")
            return out
    for namespace in _namespaces(client, fallback_namespaces):
        try:
            out.items += _list(client, kind, namespace)
        except ApiError as exc:
            if exc.status == 404:
                return out
            out.notes.append(f"cannot list {_what(kind)} in namespace {namespace}")
    return out


def _parent(app: App) -> tuple[str, str, str] | None:
    """The app whose tracking marker is on this app's own object (never itself)."""
    owner = app_owner(dict(app.body))
    if owner is None:
        return None
    kind = next((k for k, tool in TOOLS.items() if tool == owner.tool), "")
    namespace = owner.namespace or (DEFAULT_ARGOCD_NAMESPACE if kind == APPLICATION else "")
    key = (kind, namespace, owner.name)
    return key if kind and key != app.key else None


def build_apps(
    applications: Iterable[Mapping[str, Any]],
    kustomizations: Iterable[Mapping[str, Any]],
    helm_releases: Iterable[Mapping[str, Any]],
    git_repositories: Iterable[Mapping[str, Any]],
) -> tuple[App, ...]:
    """The apps these objects describe, each knowing its parent app, sorted."""
    repos = {}
    for repo in git_repositories:
        meta = repo.get("metadata") or {}
        repos[(str(meta.get("namespace", "")), str(meta.get("name", "")))] = repo
    found = [argo_app(a) for a in applications]
    found += [flux_kustomization(k, repos) for k in kustomizations]
    found += [h for h in (flux_helm_release(r, repos) for r in helm_releases) if h is not None]
    order = {APPLICATION: 0, KUSTOMIZATION: 1, HELM_RELEASE: 2}
    found.sort(key=lambda a: (order[a.kind], a.namespace, a.name))
    return tuple(replace(app, parent=_parent(app)) for app in found)


def discover_apps(client: ClusterClient, fallback_namespaces: Iterable[str] = ()) -> Discovery:
    """Every app these credentials can read, from the cluster ``client`` talks to."""
    fallback = set(fallback_namespaces) | {client.namespace}
    apps, kustomizations, releases, repos = listings = [
        list_readable(client, kind, fallback)
        for kind in (APPLICATIONS, KUSTOMIZATIONS, HELM_RELEASES, GIT_REPOSITORIES)
    ]
    found = build_apps(apps.items, kustomizations.items, releases.items, repos.items)
    notes = tuple(note for listing in listings for note in listing.notes)
    return Discovery(found, notes)
