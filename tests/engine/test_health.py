"""Health and images in a scan's results, against the real API server (the test plays the
controllers: it writes status through /status)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import DriftResult, ScanReport
from tests.cluster import harness
from tests.drift_scenario import write_repo
from tests.health.kube import Kube
from tests.health.scene import kube, scene

__all__ = ["kube"]  # the fixture
from tests.health.workloads import WEB_IMAGES, build

pytestmark = pytest.mark.cluster


def scan(kube: Kube, repo: Path, user: str = "admin") -> ScanReport:
    options = ScanOptions(
        repo=str(repo), kubeconfig=kube.cluster.kubeconfig(user), namespace=kube.namespace
    )
    return Scanner(options, MutationGate(read_only=False)).scan()


def by_name(report: ScanReport) -> dict[str, DriftResult]:
    return {f"{r.ref.kind}/{r.ref.name}": r for r in report.results}


@pytest.fixture
def report(kube: Kube, tmp_path: Path) -> ScanReport:
    return scan(kube, scene(kube, tmp_path))


def health_of(report: ScanReport) -> dict[str, tuple[str, str, str]]:
    return {
        name: (r.status.value, str(r.health.status), r.health.message)
        for name, r in by_name(report).items()
        if r.health is not None
    }


def test_every_result_has_health_beside_its_drift(report: ScanReport) -> None:
    assert health_of(report) == {
        "Service/front": ("in_sync", "Healthy", "ClusterIP service"),
        "Deployment/gone": ("missing", "Missing", "declared in Git, absent from the cluster"),
        "Deployment/tagged": (
            "in_sync",
            "Progressing",
            "rollout not yet observed by the controller",
        ),
        "Deployment/web": (
            "drifted",
            "Degraded",
            "1 of 3 pods Degraded; web-new-0: web: CrashLoopBackOff (back-off 40s)",
        ),
    }


def test_a_workload_result_carries_git_spec_and_running_images(report: ScanReport) -> None:
    web, gone = by_name(report)["Deployment/web"], by_name(report)["Deployment/gone"]
    assert [c.to_json() for c in web.images] == WEB_IMAGES
    assert [c.to_json() for c in gone.images] == [
        {"container": "web", "git": "nginx:1.25", "spec": None, "running": []}
    ]
    assert by_name(report)["Service/front"].images == ()


def grant(kube: Kube, user: str, resources: list[str], group: str) -> None:
    """A namespaced Role for ``user``: get/list of ``resources`` only."""
    rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/" + kube.namespace
    role: dict[str, Any] = {
        "metadata": {"name": f"{user}-{group or 'core'}"},
        "rules": [{"apiGroups": [group], "resources": resources, "verbs": ["get", "list"]}],
    }
    binding = {
        "metadata": {"name": f"{user}-{group or 'core'}"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": role["metadata"]["name"],
        },
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    for path, body in ((f"{rbac}/roles", role), (f"{rbac}/rolebindings", binding)):
        status, answer = harness.request(kube.cluster, "POST", path, body)
        assert status == 201, answer


def test_without_permission_to_list_pods_a_workload_is_unknown_with_the_reason(
    kube: Kube, tmp_path: Path
) -> None:
    built = build(kube)
    grant(kube, "nobody", ["deployments"], "apps")
    write_repo(tmp_path / "repo", {"web.yaml": [built.git_web]})
    report = scan(kube, tmp_path / "repo", user="nobody")
    ns = kube.namespace
    assert health_of(report) == {
        "Deployment/web": (
            "drifted",
            "Unknown",
            f"no permission to list pods in namespace {ns}; its own status says Progressing"
            " (waiting for rollout: 1 of 3 replicas updated)",
        )
    }
    (web,) = report.results
    assert [(c.container, c.spec, c.running) for c in web.images] == [
        ("setup", "busybox:1.36", ()),
        ("web", "nginx:1.26", ()),
    ]
