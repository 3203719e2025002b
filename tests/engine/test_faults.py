"""Faults on the real control plane: a server killed mid-scan, a bad token, an unreachable server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import Status
from driftui.runtime.progress import ProgressEvent
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.faultproxy import SLOW, Fault, FaultProxy

pytestmark = pytest.mark.cluster


def objects(ns: str) -> dict[str, list[dict[str, object]]]:
    return {
        "cm.yaml": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": ns}}
        ],
        "sa.yaml": [
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "b", "namespace": ns},
            }
        ],
        "role.yaml": [
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": {"name": "c", "namespace": ns},
                "rules": [],
            }
        ],
    }


def test_a_server_killed_mid_scan_is_reported_per_kind(
    doomed_cluster: ClusterInfo, tmp_path: Path
) -> None:
    """The server dies after the first kind is listed. A proxy holds each LIST for a moment,
    so the next one is still on its way when the server goes: no race with the kill."""
    repo = tmp_path / "repo"
    write_repo(repo, objects("default"))
    (tmp_path / "proxy").mkdir()
    with FaultProxy(doomed_cluster, tmp_path / "proxy") as proxy:
        proxy.inject(
            Fault(SLOW, methods=frozenset({"GET"}), within="/namespaces/default/", delay=1.5)
        )
        scanner = Scanner(
            ScanOptions(
                repo=str(repo),
                kubeconfig=proxy.kubeconfig(),
                namespace="default",
                read_only=True,
                list_workers=1,
            ),
            MutationGate(read_only=True),
        )
        apiserver_pid = doomed_cluster.pids[-1]

        def kill_after_first_kind(event: ProgressEvent) -> None:
            if event.stage == "kinds listed" and event.done == 1:
                os.killpg(apiserver_pid, signal.SIGKILL)

        report = scanner.scan(kill_after_first_kind)
    statuses = sorted((r.ref.kind, r.status.value) for r in report.results)
    not_read = [r for r in report.results if r.status is Status.ERROR]
    assert len(not_read) == 2, statuses
    assert all(r.reason.startswith("not read: cannot reach https://127.0.0.1:") for r in not_read)
    assert len(report.warnings) == 2 and all("could not read" in w for w in report.warnings)
    (first,) = [r for r in report.results if r.status is not Status.ERROR]
    assert first.status is Status.MISSING  # it was read: the object really is absent


def test_a_wrong_token_is_one_clear_line(doomed_cluster: ClusterInfo, tmp_path: Path) -> None:
    config = json.loads(Path(doomed_cluster.kubeconfig("admin")).read_text())
    config["users"][0]["user"]["token"] = "expired-token-value-123"
    bad = tmp_path / "bad.kubeconfig"
    bad.write_text(json.dumps(config))
    repo = tmp_path / "repo"
    write_repo(repo, objects("default"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftui",
            "-vv",
            "diff",
            "--repo",
            str(repo),
            "--kubeconfig",
            str(bad),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {doomed_cluster.server} rejected the credentials of context 'admin@local'"
        " (401 Unauthorized): the token is expired or wrong"
    ]
    assert "Traceback" not in result.stderr
    assert "expired-token-value-123" not in result.stdout + result.stderr


def test_a_sync_interrupted_half_way_says_what_was_applied_and_a_rerun_converges(
    doomed_cluster: ClusterInfo, tmp_path: Path
) -> None:
    from driftui.actions.sync import Syncer
    from driftui.actions.sync_plan import match_manifests, plan_sync
    from driftui.source.load import load_desired

    repo = tmp_path / "repo"
    maps = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"m{i}"},
            "data": {"i": str(i)},
        }
        for i in range(3)
    ]
    write_repo(repo, {"maps.yaml": maps})
    kubeconfig = doomed_cluster.kubeconfig("admin")
    scanner = Scanner(
        ScanOptions(repo=str(repo), kubeconfig=kubeconfig, namespace="default"), MutationGate()
    )
    results = scanner.scan().results
    plan = plan_sync(
        results, match_manifests(results, load_desired(str(repo)).manifests, "default")
    )
    apiserver_pid = doomed_cluster.pids[-1]

    class ServerDiesAfterFirstApply(Syncer):
        """Instrumentation only: the real server really dies between two real applies."""

        def _apply_one(self, item, where, force):  # type: ignore[no-untyped-def]
            result = super()._apply_one(item, where, force)
            os.killpg(apiserver_pid, signal.SIGKILL)
            return result

    outcomes = ServerDiesAfterFirstApply(scanner.client(), field_manager="driftui").apply(
        plan.applies
    )
    assert [(o.ref.name, o.outcome) for o in outcomes] == [
        ("m0", "created"),
        ("m1", "failed"),
        ("m2", "failed"),
    ]
    assert all("cannot reach" in o.message for o in outcomes[1:])

    harness.restart_apiserver(doomed_cluster)
    base = [
        sys.executable,
        "-m",
        "driftui",
        "--repo",
        str(repo),
        "--kubeconfig",
        kubeconfig,
        "-n",
        "default",
    ]
    rerun = subprocess.run([*base, "sync", "--yes"], capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    diff = subprocess.run([*base, "diff"], capture_output=True, text=True, check=False)
    assert diff.returncode == 0, diff.stdout
