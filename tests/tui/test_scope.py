"""A multi-cluster scan as the explorer holds it: one list of results, each tagged with its
cluster, and every cluster asked kept, errored ones included."""

from __future__ import annotations

from driftui.model import (
    ClusterScan,
    ClustersReport,
    DriftResult,
    Fidelity,
    LiveInfo,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.tui.scope import cluster_of, identity, scope_of
from driftui.tui.tree_frame import frame_of
from driftui.tui.tree_model import Grouping, build_index

SOURCE = SourceInfo("repo", "main", "abc", "")
REF = ObjectRef("", "ConfigMap", "shop", "settings")


def report(status: Status, *warnings: str) -> ScanReport:
    result = DriftResult(
        REF, "v1", status, Fidelity.CLIENT_SIDE, blob_sha="b", resource_version="7"
    )
    return ScanReport(SOURCE, LiveInfo(), Fidelity.CLIENT_SIDE, [result], warnings=list(warnings))


def clusters() -> ClustersReport:
    return ClustersReport(
        SOURCE,
        [
            ClusterScan("prod", "https://prod", report(Status.DRIFTED, "stale")),
            ClusterScan("dev", "https://dev", report(Status.IN_SYNC)),
            ClusterScan("down", "https://down", error="cannot reach https://down"),
        ],
    )


def test_each_result_carries_its_cluster_and_warnings_say_whose() -> None:
    scope = scope_of(clusters())
    assert [cluster_of(r) for r in scope.report.results] == ["prod", "dev"]
    assert scope.report.warnings == ["prod: stale"]
    assert scope.contexts() == ["prod", "dev", "down"]
    assert identity(scope.report.results[0]) != identity(scope.report.results[1])


def test_one_object_in_two_clusters_never_shares_a_cached_view() -> None:
    prod, dev = scope_of(clusters()).report.results
    assert prod.ref == dev.ref and prod.resource_version == dev.resource_version
    assert prod.cache_key != dev.cache_key


def test_clusters_lead_the_tree_in_the_order_named_and_an_errored_one_has_its_row() -> None:
    scope = scope_of(clusters())
    index = build_index(scope.report.results, Grouping.NAMESPACE, frame_of(scope))
    rows = index.sorted_children()
    assert [g.label for g in rows] == ["prod", "dev", "down"]
    down = rows[2]
    assert down.total == 0 and down.error == "cannot reach https://down"
    assert not down.all_in_sync  # never folded away with the in-sync objects
    assert rows[0].find(("prod", "shop", "ConfigMap")) is not None
