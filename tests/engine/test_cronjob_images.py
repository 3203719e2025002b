"""A CronJob's images follow its Jobs to their Pods (CronJob -> Job -> Pod, by controller
owner references), through a whole scan on the real API server; the test is the controller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import HealthStatus
from tests.drift_scenario import write_repo
from tests.health import manifests as m
from tests.health.kube import Kube
from tests.health.scene import kube
from tests.health.workloads import NGINX, A, B, pod_status, running

__all__ = ["kube"]  # the fixture

pytestmark = pytest.mark.cluster


def cronjob(name: str, image: str) -> dict[str, Any]:
    template = {"spec": {**m.containers(image), "restartPolicy": "Never"}}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": m.meta(name),
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}},
    }


def run_of(kube: Kube, owner: dict[str, Any] | None, name: str, image: str, digest: str) -> None:
    """A Job (owned by ``owner``, a CronJob) and its one Pod, running ``image``."""
    job = m.job(name)
    job["spec"]["template"]["spec"]["containers"][0]["image"] = image
    if owner is not None:
        job["metadata"]["ownerReferences"] = [m.owner_ref(owner)]
    created = kube.create(job)
    pod = m.pod(f"{name}-pod", image, restart="Never", owner=created)
    kube.play(pod, pod_status(running(f"{NGINX}:{image.split(':')[1]}", digest)))


def test_a_cronjob_shows_the_images_its_jobs_pods_ran(kube: Kube, tmp_path: Path) -> None:
    live = kube.create(cronjob("nightly", "nginx:1.25"))
    run_of(kube, live, "nightly-1", "nginx:1.25", A)
    run_of(kube, None, "by-hand", "nginx:1.26", B)  # same labels, not the CronJob's
    write_repo(tmp_path / "repo", {"cron.yaml": [cronjob("nightly", "nginx:1.25")]})
    options = ScanOptions(
        repo=str(tmp_path / "repo"),
        kubeconfig=kube.cluster.kubeconfig("admin"),
        namespace=kube.namespace,
    )
    [result] = Scanner(options, MutationGate(read_only=True)).scan().results
    assert [c.to_json() for c in result.images] == [
        {
            "container": "web",
            "git": "nginx:1.25",
            "spec": "nginx:1.25",
            "running": [{"image": f"{NGINX}:1.25", "digest": A, "pods": 1}],
        }
    ]
    assert result.health is not None and result.health.status is not HealthStatus.UNKNOWN
