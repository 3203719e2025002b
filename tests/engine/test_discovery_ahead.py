"""A scan reads the cluster's discovery while it reads Git (engine.ahead), on the real
control plane: the client and discovery no longer wait for Git, and what discovery meets
is still met by the scan, once."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live.errors import ClusterError
from driftui.model import Manifest, Status
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo


def _discovery_reads(cluster: ClusterInfo, since: int) -> int:
    """GET /api requests (discovery's first) the audit log recorded after line ``since``."""
    lines = cluster.audit_log.read_text().splitlines()[since:]
    events = [json.loads(line) for line in lines]
    return sum(1 for e in events if e.get("verb") == "get" and e.get("requestURI") == "/api")


def _configmap_repo(tmp_path: Path, ns: str) -> Path:
    repo = tmp_path / "repo"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": ns}}
    write_repo(repo, {"web.yaml": [{**body, "data": {"colour": "blue"}}]})
    return repo


def test_discovery_is_read_while_git_is(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    since = len(cluster.audit_log.read_text().splitlines())
    seen_during_git: list[int] = []

    def during_git(manifests: Sequence[Manifest]) -> list[Manifest]:
        """Called while Git's objects are loaded: it waits for discovery's first request,
        which without reading ahead only comes once Git is done (and so never comes)."""
        deadline = time.monotonic() + 60
        while not _discovery_reads(cluster, since) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen_during_git.append(_discovery_reads(cluster, since))
        return list(manifests)

    options = ScanOptions(
        repo=str(_configmap_repo(tmp_path, namespace)),
        kubeconfig=cluster.kubeconfig("admin"),
        namespace=namespace,
        post_render=during_git,
    )
    report = Scanner(options, MutationGate(read_only=True)).scan()
    assert seen_during_git == [1]
    assert [r.status for r in report.results] == [Status.MISSING]
    assert _discovery_reads(cluster, since) == 1  # read once, ahead, and used


def test_an_unreachable_cluster_is_met_by_the_scan(
    doomed_cluster: ClusterInfo, tmp_path: Path
) -> None:
    from tests.cluster import harness

    harness.stop_processes(doomed_cluster.pids)
    options = ScanOptions(
        repo=str(_configmap_repo(tmp_path, "default")),
        kubeconfig=doomed_cluster.kubeconfig("admin"),
        namespace="default",
        request_timeout=5,
    )
    with pytest.raises(ClusterError):
        Scanner(options, MutationGate(read_only=True)).scan()
