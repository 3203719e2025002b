"""The cluster an action on some objects acts on: their app's own destination.

An Argo CD app may deploy to another cluster than the one its Application lives on; the
scan reads that cluster through the app's own scanner (its kubeconfig context, client and
gate: :mod:`driftui.engine.app_scan`). An action on the app's objects writes there, through
that client, gate and RBAC, never through the scan's own context. Objects of apps on
different clusters are grouped by cluster, so that an action acts on exactly one cluster
at a time, named in its confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from driftui.engine import Scanner
from driftui.model import AppRef, DriftResult

Source = tuple[AppRef | None, Scanner]
"""An app (None: the ``--repo`` source) and the scanner of its own source."""


@dataclass(frozen=True)
class ActingCluster:
    """One cluster some objects live on, and every source of the scan that deploys there."""

    context: str
    server: str
    scanner: Scanner  # a source of the objects': its client and gate write to this cluster
    sources: tuple[Source, ...]  # all of the scan's on this cluster (a prune spares theirs)
    results: tuple[DriftResult, ...]
    home: bool  # the scan's own cluster (the context it was started with)

    @property
    def name(self) -> str:
        """As the confirmation names it: ``context (server)``."""
        return f"{self.context} ({self.server})"


def acting_clusters(scanner: Scanner, results: Sequence[DriftResult]) -> list[ActingCluster]:
    """``results`` grouped by the cluster their app deploys to, the scan's own first;
    raises :class:`~driftui.errors.DriftuiError` for an object of an app that has no source
    (its destination has no kubeconfig context, say)."""
    home = scanner.client().context
    on: dict[str, list[Source]] = {}
    for app, source in scanner.scanners():
        on.setdefault(source.client().context, []).append((app, source))
    acting: dict[str, Scanner] = {}
    found: dict[str, list[DriftResult]] = {}
    for app in dict.fromkeys(r.app for r in results):
        source = scanner.scanner_for(app)
        context = source.client().context
        acting.setdefault(context, source)
        found.setdefault(context, []).extend(r for r in results if r.app == app)
    order = sorted(acting, key=lambda context: context != home)  # stable: home first
    return [
        ActingCluster(
            context,
            acting[context].client().server,
            acting[context],
            tuple(on.get(context, ())),
            tuple(found[context]),
            context == home,
        )
        for context in order
    ]
