"""Health and images in `driftui report` (JSON, Markdown, JUnit) and `--fail-on-health`,
end to end against the real API server, where the test wrote the controllers' status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftui.cli import main
from tests.drift_scenario import write_repo
from tests.health import manifests as m
from tests.health.kube import Kube
from tests.health.scene import kube, scene
from tests.health.workloads import NGINX, WEB_IMAGES

__all__ = ["kube"]  # the fixture

pytestmark = pytest.mark.cluster

WEB = "1 of 3 pods Degraded; web-new-0: web: CrashLoopBackOff (back-off 40s)"


def report(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[int, str]:
    argv = ["report", "--repo", str(repo), "-n", kube.namespace]
    argv += ["--kubeconfig", kube.cluster.kubeconfig("admin"), *flags]
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.fixture
def repo(kube: Kube, tmp_path: Path) -> Path:
    return scene(kube, tmp_path)


def test_json_gives_each_object_health_and_each_workload_its_images(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = report(kube, repo, capsys, "--format", "json")
    assert code == 1  # drift
    doc = json.loads(out)
    health = {f"{o['kind']}/{o['name']}": o["health"] for o in doc["objects"]}
    assert health == {
        "Service/front": {"status": "Healthy", "message": "ClusterIP service"},
        "Deployment/gone": {
            "status": "Missing",
            "message": "declared in Git, absent from the cluster",
        },
        "Deployment/tagged": {
            "status": "Progressing",
            "message": "rollout not yet observed by the controller",
        },
        "Deployment/web": {"status": "Degraded", "message": WEB},
    }
    assert doc["summary"]["health"] == {
        "Healthy": 1,
        "Suspended": 0,
        "Progressing": 1,
        "Missing": 1,
        "Degraded": 1,
        "Unknown": 0,
    }
    web = next(o for o in doc["objects"] if o["name"] == "web")
    assert web["images"] == WEB_IMAGES
    front = next(o for o in doc["objects"] if o["name"] == "front")
    assert "images" not in front


def test_markdown_shows_health_and_the_images_table(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = report(kube, repo, capsys, "--format", "markdown")
    assert "Health: 1 Healthy, 1 Progressing, 1 Missing, 1 Degraded." in out
    ns = kube.namespace
    assert f"<summary>{ns}/Deployment.apps/web: drifted · ♥ Degraded (web.yaml)</summary>" in out
    assert f"Health: Degraded: {WEB}" in out
    assert f"| web | nginx:1.25 | nginx:1.26 | {NGINX}:1.25 (2 pods), {NGINX}:1.26 (1 pod) |" in out


def _case(junit: str, name: str) -> str:
    start = junit.index(f'<testcase name="{name}"')
    return junit[start : junit.index("</testcase>", start)]


def test_a_degraded_object_fails_junit_only_with_fail_on_health(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Git declares what the web Deployment's live spec says: in sync, but crash-looping.
    in_sync = tmp_path / "in-sync"
    write_repo(
        in_sync, {"web.yaml": [m.deployment("web", image="nginx:1.26", init="busybox:1.36")]}
    )
    name = f"{kube.namespace}/Deployment.apps/web"
    code, plain = report(kube, in_sync, capsys, "--format", "junit")
    assert code == 0
    assert _case(plain, name) == (
        f'<testcase name="{name}" classname="web.yaml">'
        f"<system-out>health: Degraded: {WEB}</system-out>"
    )
    assert 'failures="0"' in plain
    code, failing = report(kube, in_sync, capsys, "--format", "junit", "--fail-on-health")
    assert code == 1
    assert _case(failing, name) == (
        f'<testcase name="{name}" classname="web.yaml">'
        f'<failure message="Degraded">Degraded: {WEB}</failure>'
        f"<system-out>health: Degraded: {WEB}</system-out>"
    )
    assert 'failures="1"' in failing


def test_the_health_selector_keeps_only_the_states_it_names(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = report(kube, repo, capsys, "--format", "json", "--health", "degraded,MISSING")
    assert sorted(o["name"] for o in json.loads(out)["objects"]) == ["gone", "web"]
    _, out = report(kube, repo, capsys, "--format", "json", "--health", "Healthy")
    assert [o["name"] for o in json.loads(out)["objects"]] == ["front"]


def _in_sync_but_degraded(kube: Kube, tmp_path: Path) -> Path:
    """Git declares what the web Deployment's live spec says: in sync, but crash-looping."""
    repo = tmp_path / "in-sync-ci"
    write_repo(repo, {"web.yaml": [m.deployment("web", image="nginx:1.26", init="busybox:1.36")]})
    return repo


def test_a_degraded_object_is_a_github_notice_and_a_warning_with_fail_on_health(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    in_sync = _in_sync_but_degraded(kube, tmp_path)
    ref = f"{kube.namespace}/Deployment.apps/web"
    code, out = report(kube, in_sync, capsys, "--format", "github")
    assert code == 0
    lines = out.splitlines()
    assert f"::notice file=web.yaml,line=1,title=driftui%3A Degraded::{ref} is Degraded: {WEB}" in (
        lines
    )
    assert lines[-1].endswith("0 error; 1 Degraded")
    code, out = report(kube, in_sync, capsys, "--format", "github", "--fail-on-health")
    assert code == 1
    assert (
        f"::warning file=web.yaml,line=1,title=driftui%3A Degraded::{ref} is Degraded: {WEB}"
        in out.splitlines()
    )


def test_a_degraded_object_is_a_sarif_note_and_a_warning_with_fail_on_health(
    kube: Kube, repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    in_sync = _in_sync_but_degraded(kube, tmp_path)
    ref = f"{kube.namespace}/Deployment.apps/web"
    for flags, level in (((), "note"), (("--fail-on-health",), "warning")):
        _, out = report(kube, in_sync, capsys, "--format", "sarif", *flags)
        run = json.loads(out)["runs"][0]
        rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        [finding] = run["results"]
        assert finding["ruleId"] == "driftui/degraded"
        assert rules[finding["ruleIndex"]] == "driftui/degraded"
        assert finding["level"] == level
        assert finding["message"]["text"] == f"{ref} is Degraded: {WEB}"
        location = finding["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "web.yaml"
