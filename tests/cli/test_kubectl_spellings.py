"""kubectl's flag spellings through the real command line: ``-n=NS``, ``-v=6``, ``--v=6``
and ``-q=true`` (pflag's words) mean to driftui what they mean to kubectl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from driftui.cli import build_parser
from driftui.cli.pflag import kubectl_spellings
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo

pytestmark = pytest.mark.cluster


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv], capture_output=True, text=True, check=False
    )


def _configmap(ns: str, value: str) -> dict[str, object]:
    meta = {"name": "web", "namespace": ns}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"a": value}}


def test_pflag_spellings_reach_the_parser_as_kubectl_means_them(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    cm = _configmap(namespace, "git")
    del cm["metadata"]["namespace"]  # type: ignore[attr-defined]
    write_repo(repo, {"web.yaml": [cm]})
    status, body = harness.request(
        cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", _configmap(namespace, "x")
    )
    assert status == 201, body
    flags = ["--kubeconfig", cluster.kubeconfig("admin"), "--repo", str(repo)]
    spaced = cli("diff", "-n", namespace, *flags)
    assert spaced.returncode == 1 and f"--- git/{namespace}/ConfigMap/web" in spaced.stdout
    for argv in (
        ["diff", f"-n={namespace}", *flags],
        [f"-n={namespace}", "diff", *flags],
        ["diff", f"-n{namespace}", "-v=2", "-q=true", *flags],
        ["--v=1", "diff", f"-n={namespace}", "--read-only=false", *flags],
    ):
        run = cli(*argv)
        assert (run.returncode, run.stdout) == (1, spaced.stdout), (argv, run.stderr)
    verbose = cli("diff", f"-n={namespace}", "-v=2", *flags)
    assert "DEBUG " in verbose.stderr  # -v=2 is two -v: debug logging


def test_only_pflag_words_are_rewritten_and_nothing_after_the_double_dash() -> None:
    parser = build_parser()
    argv = ["-v=3", "sync", "-y=True", "--read-only=0", "--repo=a=b", "-n=x", "--", "-y=true"]
    assert kubectl_spellings(argv, parser) == [
        *["-v"] * 3,
        "sync",
        "-y",
        "--repo=a=b",
        "-n",
        "x",
        "--",
        "-y=true",
    ]
    assert kubectl_spellings(["diff", "-q=maybe"], parser) == ["diff", "-q=maybe"]
    assert kubectl_spellings(["report", "-o==x", "-n="], parser) == ["report", "-o", "=x", "-n", ""]
