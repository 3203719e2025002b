"""Watch mode keeps health current: a rejudged object's health (a workload's from its Pods,
read anew) is what a fresh scan says, on the real API server where the test is controller."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import DriftResult, HealthStatus, ObjectRef, ScanReport
from tests.health import manifests as m
from tests.health.kube import Kube
from tests.health.scene import kube, scene
from tests.health.workloads import NGINX, B, C, pod_status, running, setup_done

__all__ = ["kube"]  # the fixture

pytestmark = pytest.mark.cluster


def _scanner(kube: Kube, repo: Path) -> Scanner:
    options = ScanOptions(
        repo=str(repo), kubeconfig=kube.cluster.kubeconfig("admin"), namespace=kube.namespace
    )
    return Scanner(options, MutationGate(read_only=True))


def _web(report: ScanReport, kube: Kube) -> DriftResult:
    ref = ObjectRef("apps", "Deployment", kube.namespace, "web")
    return next(r for r in report.results if r.ref == ref)


def test_a_rejudged_workload_gets_the_health_its_pods_give_now(kube: Kube, tmp_path: Path) -> None:
    repo = scene(kube, tmp_path)
    scanner = _scanner(kube, repo)
    report = scanner.scan()
    before = _web(report, kube)
    assert before.health is not None and before.health.status is HealthStatus.DEGRADED
    # The controller's news: the crash-looping Pod runs now, and the rollout moved on.
    crashed = m.pod("web-new-0", "nginx:1.26")
    kube.write_status(crashed, pod_status(running(f"{NGINX}:1.26", B), init=setup_done(C)))
    web = m.deployment("web")
    kube.write_status(web, {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 2})
    now = scanner.rejudge(report, {before.ref: kube.read(web)})
    after = _web(now, kube)
    fresh = _web(_scanner(kube, repo).scan(), kube)
    assert after.health is not None and after.health.status is HealthStatus.PROGRESSING
    assert (after.health, after.images) == (fresh.health, fresh.images)
