"""`driftui images` against the real API server: Git, spec and running images per container,
with their flags, as a table and as JSON; exit 1 when an image is flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftui.cli import main
from tests.health.kube import Kube
from tests.health.scene import kube, scene
from tests.health.workloads import APP, NGINX, A, B

__all__ = ["kube"]  # the fixture

pytestmark = pytest.mark.cluster


def images(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[int, str]:
    argv = ["images", "--repo", str(repo), "-n", kube.namespace]
    code = main([*argv, "--kubeconfig", kube.cluster.kubeconfig("admin"), *flags])
    return code, capsys.readouterr().out


def test_images_lists_every_workload_container_with_its_flags(
    kube: Kube, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = scene(kube, tmp_path)
    code, out = images(kube, repo, capsys, "--format", "json")
    assert code == 1
    rows = {
        (w["name"], c["container"]): (c["git"], c["spec"], c["running"], c["flags"])
        for w in json.loads(out)["workloads"]
        for c in w["images"]
    }
    assert rows == {
        ("gone", "web"): ("nginx:1.25", None, [], []),
        ("tagged", "web"): (
            f"{APP}:latest",
            f"{APP}:latest",
            [
                {"image": f"{APP}:latest", "digest": A, "pods": 2},
                {"image": f"{APP}:latest", "digest": B, "pods": 1},
            ],
            [f"moving tag: {APP}:latest runs under 2 digests"],
        ),
        ("web", "setup"): (
            "busybox:1.36",
            "busybox:1.36",
            [
                {
                    "image": "docker.io/library/busybox:1.36",
                    "digest": "sha256:" + "c" * 64,
                    "pods": 3,
                }
            ],
            [],
        ),
        ("web", "web"): (
            "nginx:1.25",
            "nginx:1.26",
            [
                {"image": f"{NGINX}:1.25", "digest": A, "pods": 2},
                {"image": f"{NGINX}:1.26", "digest": B, "pods": 1},
            ],
            [
                "image: Git nginx:1.25, live spec nginx:1.26",
                "rollout: 2 of 3 pods run another image than nginx:1.26",
            ],
        ),
    }
    code, table = images(kube, repo, capsys)
    assert code == 1
    header, *rows_ = table.splitlines()
    assert header.split() == [
        "NAMESPACE",
        "WORKLOAD",
        "CONTAINER",
        "GIT",
        "SPEC",
        "RUNNING",
        "FLAGS",
    ]
    web = next(row for row in rows_ if row.split()[1:3] == ["Deployment/web", "web"])
    assert " ".join(web.split()) == (
        f"{kube.namespace} Deployment/web web nginx:1.25 nginx:1.26"
        f" {NGINX}:1.25 (2 pods), {NGINX}:1.26 (1 pod)"
        " image: Git nginx:1.25, live spec nginx:1.26;"
        " rollout: 2 of 3 pods run another image than nginx:1.26"
    )


def test_a_snapshot_carries_the_pods_so_an_offline_audit_shows_health_and_images(
    kube: Kube, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the snapshot key
    repo = scene(kube, tmp_path)
    snap = tmp_path / "live.json"
    argv = ["--repo", str(repo), "-n", kube.namespace]
    cluster = ["--kubeconfig", kube.cluster.kubeconfig("admin")]
    assert main(["snapshot", *argv, *cluster, "-o", str(snap)]) == 0
    capsys.readouterr()
    stored = json.loads(snap.read_text())["workloadPods"]
    assert sorted(p["metadata"]["name"] for p in stored["pods"]) == [
        "decoy-0",
        "tagged-rs-0",
        "tagged-rs-1",
        "tagged-rs-2",
        "web-new-0",
        "web-old-0",
        "web-old-1",
    ]
    assert stored["unreadable"] == {}
    assert main(["report", *argv, "--live", str(snap), "--format", "json"]) == 1
    objects = {o["name"]: o for o in json.loads(capsys.readouterr().out)["objects"]}
    assert objects["web"]["health"] == {
        "status": "Degraded",
        "message": "1 of 3 pods Degraded; web-new-0: web: CrashLoopBackOff (back-off 40s)",
    }
    assert objects["web"]["images"][1]["running"] == [
        {"image": f"{NGINX}:1.25", "digest": A, "pods": 2},
        {"image": f"{NGINX}:1.26", "digest": B, "pods": 1},
    ]
