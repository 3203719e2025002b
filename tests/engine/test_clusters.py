"""Many clusters in one scan (issue 23): two real control planes, one load of the repository."""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.cli.scan import write_diff
from driftui.compare.merge_keys import MergeKeys
from driftui.engine import ScanOptions, git_reading, merge_key_cache
from driftui.engine.clusters import scan_clusters, sent
from driftui.model import ClusterScan, ClustersReport, SourceInfo, Status
from driftui.report import CLUSTER_FORMATS
from driftui.source.load import load_desired
from tests.cluster.harness import ClusterInfo
from tests.faultproxy import HANG, Fault, FaultProxy
from tests.multi_cluster import Clusters, entry_of, kubeconfig_of, two_clusters

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def planes(cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clusters]:
    with two_clusters(cluster, tmp_path_factory.mktemp("multi")) as clusters:
        yield clusters


def run(planes: Clusters, contexts: list[str], **extra: Any) -> ClustersReport:
    extra.setdefault("kubeconfig", planes.kubeconfig)
    options = ScanOptions(repo=str(planes.repo), namespace=planes.namespace, **extra)
    report, _ = scan_clusters(options, contexts, read_only=True)
    return report


def statuses(c: ClusterScan) -> dict[str, str]:
    assert c.report is not None, c.error
    return {r.ref.name: r.status.value for r in c.report.results}


def test_each_cluster_is_judged_against_its_own_live_state(planes: Clusters) -> None:
    report = run(planes, ["a", "b"])
    a, b = report.clusters
    assert (a.context, a.server) == ("a", planes.a.server)
    assert (b.context, b.server) == ("b", planes.b.server)
    assert statuses(a) == {"settings": "drifted", "extra": "in_sync", "plain": "in_sync"}
    assert statuses(b) == {"settings": "in_sync", "extra": "missing", "plain": "in_sync"}
    assert a.report is not None
    (drifted,) = [r for r in a.report.results if r.status is Status.DRIFTED]
    assert [(d.dotted, d.git, d.live) for d in drifted.differences] == [
        ("data.color", "blue", "red")
    ]
    assert report.has_drift and not report.has_errors


def test_the_repository_is_loaded_once_for_every_cluster(
    planes: Clusters, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    real = load_desired

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(git_reading, "load_desired", counted)
    report = run(planes, ["a", "b", "a"])
    assert loads == [str(planes.repo)]
    assert [c.context for c in report.clusters] == ["a", "b", "a"]
    assert all(c.report is not None for c in report.clusters)


def test_an_unreachable_cluster_is_its_own_error_row_and_the_others_scan(
    planes: Clusters,
) -> None:
    report = run(planes, ["down", "a", "b"], request_timeout=5.0)
    down, a, b = report.clusters
    assert down.report is None
    assert down.context == "down" and down.server.startswith("https://127.0.0.1:")
    assert "refused" in down.error or "unreachable" in down.error, down.error
    assert statuses(a)["settings"] == "drifted"
    assert statuses(b)["extra"] == "missing"
    assert report.has_errors


def test_a_user_who_may_read_one_cluster_only(planes: Clusters) -> None:
    report = run(planes, ["ro-a", "ro-b"])
    readable, forbidden = report.clusters
    assert statuses(readable) == {"settings": "drifted", "extra": "in_sync", "plain": "in_sync"}
    assert not readable.has_errors
    assert forbidden.error == (
        f"forbidden: list configmaps in namespace {planes.namespace} (every object)"
    )
    assert forbidden.report is not None
    assert {r.status for r in forbidden.report.results} == {Status.ERROR}
    assert report.has_errors


def test_a_hung_cluster_times_out_by_request_timeout_and_the_others_scan(
    planes: Clusters, tmp_path: Path
) -> None:
    with FaultProxy(planes.a, tmp_path) as proxy:
        proxy.inject(Fault(HANG))
        contexts = {"hung": entry_of(proxy.kubeconfig()), "b": planes.entries["b"]}
        kubeconfig = kubeconfig_of(tmp_path / "hung.kubeconfig", contexts)
        report = run(planes, ["hung", "b"], kubeconfig=kubeconfig, request_timeout=1.0)
    hung, b = report.clusters
    assert hung.report is None
    assert "timed out" in hung.error, hung.error
    assert statuses(b)["extra"] == "missing"
    assert report.has_errors


def test_clusters_serving_the_same_openapi_documents_share_one_walk_of_them(
    planes: Clusters, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks: list[tuple[str, ...]] = []
    real = MergeKeys.from_openapi_v3

    def counted(docs: Any, fallback: Any = None) -> MergeKeys:
        walks.append(tuple(docs))
        return real(docs, fallback)

    merge_key_cache.forget()
    monkeypatch.setattr(MergeKeys, "from_openapi_v3", counted)
    report = run(planes, ["a", "b"])
    assert walks == [("api/v1",)]  # one walk, for two clusters of one version
    assert [statuses(c)["settings"] for c in report.clusters] == ["drifted", "in_sync"]


def spread_probe(planes: Clusters, contexts: list[str], *extra: str) -> dict[str, Any]:
    """tests/engine/spread_probe's answer: one scan in one process and spread over two."""
    argv = [planes.kubeconfig, str(planes.repo), planes.namespace, ",".join(contexts), *extra]
    done = subprocess.run(
        [sys.executable, "-m", "tests.engine.spread_probe", *argv],
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    answer: dict[str, Any] = pickle.loads(done.stdout)  # our own probe's, just now
    return answer


def test_a_scan_spread_over_two_processes_equals_one_read_by_one(planes: Clusters) -> None:
    # The copy reads b (drifted otherwise than a) and ro-b (forbidden): rows of either
    # kind come back as they are, and so do this process's own (a, and a closed port).
    probe = spread_probe(planes, ["a", "down", "b", "ro-b"])
    assert probe["apart"] == [False, False, True, True]
    local = probe["local"]
    # What the copy sends back is every verdict, whole, but without the bodies of objects
    # in sync (clusters.sent): those of this process's own clusters stay.
    assert probe["spread"] == local[:2] + [sent(c) for c in local[2:]]
    a, down, b, forbidden = probe["spread"]
    assert statuses(a)["settings"] == "drifted" and statuses(b)["extra"] == "missing"
    assert b.report is not None and a.report is not None
    in_sync = [r for r in b.report.results if r.status is Status.IN_SYNC]
    assert in_sync and all(r.live is None and r.desired is None for r in in_sync)
    assert all(r.live is not None and r.desired is not None for r in a.report.results)
    assert report_text(probe["spread"]) == report_text(local)
    assert "refused" in down.error or "unreachable" in down.error, down.error
    assert forbidden.error.startswith("forbidden: list configmaps")


def report_text(clusters: list[ClusterScan]) -> str:
    """What ``driftui report`` writes of these clusters, in every format a many-cluster
    report has, and what ``driftui diff`` writes of each."""
    report = ClustersReport(SourceInfo("repo", "HEAD", "0" * 40, ""), clusters)
    out = io.StringIO()
    for c in clusters:
        if c.report is not None:
            write_diff(c.report, out, colour=False)
    reports = [write(report) for _, write in sorted(CLUSTER_FORMATS.items())]
    return "\n".join([*reports, out.getvalue()])


def test_a_copy_that_fails_leaves_its_clusters_to_this_process(planes: Clusters) -> None:
    probe = spread_probe(planes, ["a", "b"], "--broken-copy")
    assert probe["apart"] == [False, False]
    assert probe["spread"] == probe["local"]
    assert [statuses(c)["settings"] for c in probe["spread"]] == ["drifted", "in_sync"]
