"""The levels above namespace ▸ kind: the cluster a result was read from, and the app
(with the apps above it) whose source it was compared with.

A :class:`Frame` is built once per scan from its :class:`~driftui.tui.scope.Scope`. It
names each result's leading group labels and holds what those groups show besides counts:
a cluster's server or the error that stopped its scan, an app's operator status. Groups
with no results (an errored cluster, an app that deploys nothing readable) exist all the
same: their row is where the error or the status is said.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from driftui.gitops.app_specs import APPLICATION, App
from driftui.model import AppRef, DriftResult
from driftui.report.location import Locator
from driftui.tui.scope import Scope, cluster_of

NO_APP = "(no app)"
OPERATOR_SAYS_OK = frozenset({"Synced", "Ready"})
"""Argo CD's ``status.sync.status`` and Flux's ``Ready`` condition when all is applied."""


@dataclass(frozen=True)
class GroupMeta:
    """What a cluster or app row says beside its counts."""

    kind: str  # "cluster" | "app"
    error: str = ""  # the cluster could not be read; the app has no usable source
    server: str = ""
    operator: str = ""  # "Argo CD" | "Flux"
    sync: str = ""  # the operator's own verdict: Synced / OutOfSync, Ready / NotReady
    health: str = ""

    @property
    def operator_ok(self) -> bool:
        return self.sync in OPERATOR_SAYS_OK

    @property
    def operator_text(self) -> str:
        """``Argo CD: Synced/Healthy``; "" when the operator has said nothing yet."""
        said = "/".join(s for s in (self.sync, self.health) if s)
        return f"{self.operator}: {said}" if said else ""


def app_labels(apps: Mapping[tuple[str, str, str], App]) -> dict[tuple[str, str, str], str]:
    """Each app's row label: its name, as Argo CD and argonaut show it, or its full
    ``kind/namespace/name`` where two apps share the name."""
    names: dict[str, int] = {}
    for key in apps:
        names[key[2]] = names.get(key[2], 0) + 1
    return {key: key[2] if names[key[2]] == 1 else str(app.ref) for key, app in apps.items()}


def _app_meta(app: App) -> GroupMeta:
    operator = "Argo CD" if app.kind == APPLICATION else "Flux"
    return GroupMeta("app", app.problem, "", operator, app.sync_status, app.health_status)


@dataclass(frozen=True)
class Frame:
    """The leading levels of every result's group path, and what their rows say."""

    clusters: tuple[tuple[str, GroupMeta], ...] = ()  # in the order they were asked
    apps: Mapping[str, Mapping[tuple[str, str, str], App]] = field(default_factory=dict)
    labels: Mapping[str, Mapping[tuple[str, str, str], str]] = field(default_factory=dict)
    # which results' files are in another repository than the scan's (a multi-source app's
    # other source, another app's repository); None: every file is the scan's repository's
    locator: Locator | None = None

    @property
    def multi_cluster(self) -> bool:
        return bool(self.clusters)

    @property
    def has_apps(self) -> bool:
        return any(self.apps.values())

    def cluster_prefix(self, result: DriftResult) -> tuple[str, ...]:
        return (cluster_of(result),) if self.multi_cluster else ()

    def other_repo(self, result: DriftResult) -> str:
        """The repository a result's file is in when not the scan's; "" when it is."""
        src = self.locator.elsewhere(result) if self.locator is not None else None
        return src.repo if src is not None else ""

    def app_chain(self, cluster: str, ref: AppRef | None) -> tuple[str, ...]:
        """The app's label with its parents' above it (app of apps), outermost first."""
        if ref is None:
            return (NO_APP,)
        known = self.apps.get(cluster, {})
        labels = self.labels.get(cluster, {})
        key: tuple[str, str, str] | None = (ref.kind, ref.namespace, ref.name)
        chain = [labels.get((ref.kind, ref.namespace, ref.name), str(ref))]
        seen = set()
        while key is not None and key in known and key not in seen:
            seen.add(key)
            key = known[key].parent
            if key is not None and key in known:
                chain.append(labels[key])
        return tuple(reversed(chain))

    def metas(self, with_apps: bool) -> Iterator[tuple[tuple[str, ...], GroupMeta]]:
        """Every framed group's key and row, also those no result falls under."""
        for context, meta in self.clusters:
            yield (context,), meta
        if not with_apps:
            return
        for cluster, apps in self.apps.items():
            prefix = (cluster,) if self.multi_cluster else ()
            for app in apps.values():
                yield (*prefix, *self.app_chain(cluster, app.ref)), _app_meta(app)


def frame_of(scope: Scope) -> Frame:
    clusters = tuple((c.context, GroupMeta("cluster", c.error, c.server)) for c in scope.clusters)
    apps = {cluster: {app.key: app for app in found} for cluster, found in scope.apps.items()}
    labels = {cluster: app_labels(found) for cluster, found in apps.items()}
    return Frame(clusters, apps, labels, Locator.of(scope.report))
