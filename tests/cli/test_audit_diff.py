"""`driftui diff --since OLD --live NEW`: two audits of the real control plane, compared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import kubectl, write_repo

pytestmark = pytest.mark.cluster


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv], capture_output=True, text=True, check=False
    )


def test_two_audits_show_what_changed_in_between(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap"}
    names = ("kept", "edited", "deleted", "created")
    repo = tmp_path / "repo"
    write_repo(
        repo, {"cm.yaml": [dict(cm, metadata={"name": n, "namespace": namespace}) for n in names]}
    )
    secret = "top-secret-before"
    for name in ("kept", "edited", "deleted"):
        kubectl(cluster, "-n", namespace, "create", "configmap", name, "--from-literal=k=v1")
    kubectl(cluster, "-n", namespace, "create", "secret", "generic", "creds",
            f"--from-literal=password={secret}")  # fmt: skip
    with (repo / "s.yaml").open("w") as fh:
        fh.write(
            f"apiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: {namespace}}}\n"
        )
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "secret"], check=True)
    source = ["--repo", str(repo), "-n", namespace, "--kubeconfig", cluster.kubeconfig()]
    monday, today = tmp_path / "monday.json", tmp_path / "today.json"
    assert cli("snapshot", "-o", str(monday), "--read-only", *source).returncode == 0

    kubectl(cluster, "-n", namespace, "patch", "configmap/edited", "--type=merge",
            "-p", '{"data":{"k":"v2","new":"x"}}')  # fmt: skip
    kubectl(cluster, "-n", namespace, "delete", "configmap/deleted")
    kubectl(cluster, "-n", namespace, "create", "configmap", "created", "--from-literal=k=v")
    kubectl(cluster, "-n", namespace, "patch", "secret/creds", "--type=merge",
            "-p", '{"stringData":{"password":"top-secret-after"}}')  # fmt: skip
    assert cli("snapshot", "-o", str(today), "--read-only", *source).returncode == 0

    done = cli("diff", "--since", str(monday), "--live", str(today))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert f"+ added {namespace}/ConfigMap/created" in lines
    assert f"- removed {namespace}/ConfigMap/deleted" in lines
    assert f"~ changed {namespace}/ConfigMap/edited" in lines
    assert '    changed data.k: "v1" -> "v2"' in lines
    assert '    added data.new: null -> "x"' in lines
    assert f"~ changed {namespace}/Secret/creds" in lines  # the masks differ ...
    assert (
        "secret" not in done.stdout.replace("Secret", "").lower() or "top-secret" not in done.stdout
    )
    assert "top-secret" not in done.stdout and "<secret:" in done.stdout  # ... never the values
    assert not any("kept" in line for line in lines)

    same = cli("diff", "--since", str(today), "--live", str(today))
    assert same.returncode == 0 and same.stdout == ""
    usage = cli("diff", "--since", str(today))
    assert usage.returncode == 2 and "give the newer one with --live" in usage.stderr
