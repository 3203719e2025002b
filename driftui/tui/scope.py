"""What one scan of the explorer covers: one cluster or several, a repository or apps.

The scanner the explorer is handed may return a plain :class:`ScanReport` (one cluster,
one source), a :class:`ClustersReport` (``--context a,b``), or a :class:`Scope` that adds
the apps the scan compared (``--app``, ``--all-apps``) with their operators' own status.
:func:`scope_of` turns each into one :class:`Scope` whose ``report`` holds every result,
each tagged with the cluster it was read from, so the tree, the filters and the header
work on one list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

from driftui.gitops.app_specs import App
from driftui.model import (
    ClusterScan,
    ClustersReport,
    DriftResult,
    Fidelity,
    LiveInfo,
    ScanReport,
)


@dataclass(frozen=True)
class ClusterResult(DriftResult):
    """A result of a multi-cluster scan: the same object is a different row per cluster."""

    cluster: str = ""

    @property
    def cache_key(self) -> tuple[str, str, str]:
        """Two clusters' copies may share a blob and, by chance, a resourceVersion (each
        etcd counts on its own): the detail pane must never show one for the other."""
        return (f"{self.cluster}/{self.ref}", self.blob_sha, self.resource_version)


def cluster_of(result: DriftResult) -> str:
    """The context a result was read from; "" in a one-cluster explorer."""
    return result.cluster if isinstance(result, ClusterResult) else ""


def placed(result: DriftResult, cluster: str) -> ClusterResult:
    values = {f.name: getattr(result, f.name) for f in fields(DriftResult)}
    return ClusterResult(**values, cluster=cluster)


Identity = tuple[str, object]
"""What the cursor keeps across rescans: (cluster, ObjectRef)."""


def identity(result: DriftResult) -> Identity:
    return (cluster_of(result), result.ref)


_NO_APPS: Mapping[str, tuple[App, ...]] = MappingProxyType({})


@dataclass(frozen=True)
class Scope:
    """One scan's outcome as the explorer shows it.

    ``clusters``: empty for a one-cluster scan, else every cluster asked, errored ones
    included. ``apps``: the apps in play per cluster context ("" for a one-cluster scan).
    """

    report: ScanReport
    clusters: tuple[ClusterScan, ...] = ()
    apps: Mapping[str, tuple[App, ...]] = field(default_factory=lambda: _NO_APPS)

    @property
    def multi_cluster(self) -> bool:
        return bool(self.clusters)

    def cluster(self, context: str) -> ClusterScan | None:
        return next((c for c in self.clusters if c.context == context), None)

    def contexts(self) -> list[str]:
        return [c.context for c in self.clusters]


Outcome = ScanReport | ClustersReport | Scope
"""What the explorer's scanner may return."""


def scope_of(outcome: Outcome) -> Scope:
    if isinstance(outcome, Scope):  # a scanner's: its clusters' results are not joined yet
        if outcome.clusters:
            return replace(outcome, report=_joined(outcome.clusters, outcome.report))
        return outcome
    if isinstance(outcome, ClustersReport):
        first = next((c.report for c in outcome.clusters if c.report is not None), None)
        base = first or ScanReport(outcome.source, LiveInfo(), Fidelity.CLIENT_SIDE)
        return Scope(_joined(outcome.clusters, base), tuple(outcome.clusters))
    return Scope(outcome)


def _joined(clusters: Iterable[ClusterScan], base: ScanReport) -> ScanReport:
    """Every cluster's results in one report, each tagged with its cluster; warnings and
    problems carry the context they came from."""
    results: list[DriftResult] = []
    warnings: list[str] = []
    problems = []
    contexts = []
    for c in clusters:
        contexts.append(c.context)
        if c.report is None:
            continue
        results += [placed(r, c.context) for r in c.report.results]
        warnings += [f"{c.context}: {w}" for w in c.report.warnings]
        problems += c.report.problems
    live = LiveInfo(context=", ".join(contexts), server="", snapshot=base.live.snapshot)
    return replace(
        base,
        live=live,
        results=results,
        warnings=list(dict.fromkeys(warnings)),
        problems=list(dict.fromkeys(problems)),
    )
