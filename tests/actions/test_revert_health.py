"""A revert preview shows the health of each in-scope object that exists live, as the scan
assessed it, on the real API server where the test wrote the controllers' status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from driftui.cli import main
from tests.drift_scenario import git
from tests.health.kube import Kube
from tests.health.scene import kube, scene

__all__ = ["kube"]  # the fixture

pytestmark = pytest.mark.cluster

WEB = "1 of 3 pods Degraded; web-new-0: web: CrashLoopBackOff (back-off 40s)"


def test_a_revert_preview_says_how_each_live_object_is_now(
    kube: Kube, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = scene(kube, tmp_path)
    docs = list(yaml.safe_load_all((repo / "web.yaml").read_text()))
    docs[0]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    (repo / "web.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    git(repo, "commit", "-qam", "web: nginx 1.26")
    bump = git(repo, "rev-parse", "HEAD").strip()
    argv = ["revert", bump, "--dry-run", "--repo", str(repo), "-n", kube.namespace]
    argv += ["--kubeconfig", kube.cluster.kubeconfig("admin")]
    assert main([*argv, "--format", "json"]) == 0
    [web] = json.loads(capsys.readouterr().out)["objects"]
    assert web["object"] == f"{kube.namespace}/Deployment.apps/web"
    assert web["health"] == {"status": "Degraded", "message": WEB}
    assert main(argv) == 0
    assert f"      health now: Degraded: {WEB}" in capsys.readouterr().out.splitlines()
