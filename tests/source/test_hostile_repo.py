"""Every command over the hostile repository (tests/hostile.py), against the real control plane
and offline from a snapshot: no host file is shown, nothing hangs, and each command ends
with exit 1 or 2 and a one-line reason, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.hostile import HOSTILE_TEXT, Hostile, build_hostile

GUARD = 900.0  # a hang fails the test instead of stalling the suite; nothing is timed
MAX_OUTPUT = 20 << 20  # the alias bomb alone would print 300 MB once expanded
REPORTS = (("report", "--format", "json"), ("report", "--format", "markdown"))
COMMANDS = (("diff",), *REPORTS, ("report", "--format", "junit"))


def driftui(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv], capture_output=True, timeout=GUARD, check=False
    )


def harmless(result: subprocess.CompletedProcess[bytes], hostile: Hostile) -> bytes:
    """Assert what every command must keep to over hostile content; return its output."""
    out = result.stdout + result.stderr
    assert hostile.secret_text.encode() not in out, "a host file reached the output"
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-2000:]
    assert len(result.stdout) < MAX_OUTPUT
    return out


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renders are cached per test, so each run really renders (and refuses)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def hostile(tmp_path: Path, cluster: ClusterInfo, namespace: str) -> Hostile:
    built = build_hostile(tmp_path, namespace)
    live = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "escapes", "namespace": namespace},
        "data": {"value": f"live {HOSTILE_TEXT}"},
    }
    status, body = harness.request(
        cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", live
    )
    assert status == 201, body
    return built


def problems(report_json: bytes) -> dict[str, str]:
    return {p["path"]: p["message"] for p in json.loads(report_json)["problems"]}


def test_the_symlink_chain_refuses_every_render_and_nothing_leaks(
    hostile: Hostile, cluster: ClusterInfo
) -> None:
    source: tuple[str, ...] = ("--repo", str(hostile.repo), "--kubeconfig", cluster.kubeconfig())
    source += ("-n", hostile.namespace)
    for command in COMMANDS:
        result = driftui(*command, *source)
        harmless(result, hostile)
        assert result.returncode == 2  # load problems: an error, as kubectl diff's >1
    found = problems(driftui(*REPORTS[0], *source).stdout)
    assert found["chart/a.link"].startswith("symlink leads outside the repository")
    assert "expands to more than 3 MiB" in found["bombs/alias.yaml"]
    assert "expands to more than 3 MiB" in found["bombs/oversize.yaml"]
    history = driftui("history", "configmap/escapes", *source)
    harmless(history, hostile)
    assert history.returncode in (0, 1, 2)


def test_without_the_chain_bases_outside_and_remote_bases_are_refused(
    hostile: Hostile, cluster: ClusterInfo
) -> None:
    source = ("--repo", str(hostile.repo), "--ref", "HEAD~1", "-n", hostile.namespace)
    online = (*source, "--kubeconfig", cluster.kubeconfig())
    report = driftui(*REPORTS[0], *online)
    harmless(report, hostile)
    found = problems(report.stdout)
    assert "leads outside the repository" in found["apps/escape/kustomization.yaml"]
    assert "remote base" in found["apps/remote/kustomization.yaml"]
    assert "chart/a.link" not in found
    for command in COMMANDS:
        result = driftui(*command, *online)
        harmless(result, hostile)
        assert result.returncode == 2


@pytest.mark.parametrize("ref", ["HEAD", "HEAD~1"])
def test_offline_from_a_snapshot(
    hostile: Hostile, cluster: ClusterInfo, tmp_path: Path, ref: str
) -> None:
    snapshot = tmp_path / "live.json"
    source = ("--repo", str(hostile.repo), "--ref", ref, "-n", hostile.namespace)
    taken = driftui("snapshot", "-o", str(snapshot), *source, "--kubeconfig", cluster.kubeconfig())
    harmless(taken, hostile)
    assert snapshot.exists(), taken.stderr
    assert hostile.secret_text not in snapshot.read_text()
    for command in COMMANDS:
        result = driftui(*command, *source, "--live", str(snapshot))
        harmless(result, hostile)
        assert result.returncode == 2
    history = driftui("history", "configmap/escapes", *source)
    harmless(history, hostile)
    assert history.returncode in (0, 1, 2)


def test_the_commands_that_write_do_no_harm_over_it(hostile: Hostile, cluster: ClusterInfo) -> None:
    """sync --prune, revert and export-ignores over the hostile repository: nothing leaks,
    no raw escape reaches the terminal, and nothing in the cluster or the repository moves."""
    source = ("--repo", str(hostile.repo), "-n", hostile.namespace)
    online = (*source, "--kubeconfig", cluster.kubeconfig())
    path = f"/api/v1/namespaces/{hostile.namespace}/configmaps"
    before = sorted(
        i["metadata"]["name"] for i in harness.request(cluster, "GET", path)[1]["items"]
    )
    head = subprocess.run(
        ["git", "-C", str(hostile.repo), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    runs = [
        driftui("sync", "--prune", "--dry-run", *online),
        driftui("sync", "--prune", "--yes", *online),
        driftui("revert", "HEAD", "--dry-run", *source),
        driftui("export-ignores", *source),
    ]
    for result in runs:
        out = harmless(result, hostile)
        assert b"\x1b" not in out and "\u202e".encode() not in out
        assert result.returncode in (0, 2, 3), result.stderr.decode(errors="replace")
    after = sorted(i["metadata"]["name"] for i in harness.request(cluster, "GET", path)[1]["items"])
    assert set(before) <= set(after)  # nothing deleted (sync may create what Git declares)
    assert (
        subprocess.run(
            ["git", "-C", str(hostile.repo), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        == head
    )
