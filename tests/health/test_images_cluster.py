"""Images per container against the real API server: spec drift, a stuck rollout, a moving tag."""

from __future__ import annotations

import pytest

from driftui.health import image_flags, pods_of, workload_images
from driftui.live.workload_pods import read_workload_pods
from tests.health.kube import Kube
from tests.health.workloads import APP, WEB_IMAGES, A, B, Workloads, build

pytestmark = pytest.mark.cluster


@pytest.fixture
def built(kube: Kube) -> Workloads:
    return build(kube)


def test_a_stuck_rollout_shows_git_spec_and_what_runs(kube: Kube, built: Workloads) -> None:
    seen = read_workload_pods(kube.reader, [kube.namespace])
    owned = pods_of(built.web, seen.pods, seen.replica_sets)
    assert sorted(p["metadata"]["name"] for p in owned) == ["web-new-0", "web-old-0", "web-old-1"]
    images = workload_images(built.git_web, built.web, owned)
    assert [c.to_json() for c in images] == WEB_IMAGES
    flags = [(f.kind, f.container, f.pods, f.message) for f in image_flags(images)]
    assert flags == [
        ("spec", "web", 0, "image: Git nginx:1.25, live spec nginx:1.26"),
        ("rollout", "web", 2, "rollout: 2 of 3 pods run another image than nginx:1.26"),
    ]


def test_a_moving_tag_is_flagged_and_nothing_else(kube: Kube, built: Workloads) -> None:
    seen = read_workload_pods(kube.reader, [kube.namespace])
    owned = pods_of(built.tagged, seen.pods, seen.replica_sets)
    images = workload_images(built.git_tagged, built.tagged, owned)
    assert [c.to_json() for c in images] == [
        {
            "container": "web",
            "git": f"{APP}:latest",
            "spec": f"{APP}:latest",
            "running": [
                {"image": f"{APP}:latest", "digest": A, "pods": 2},
                {"image": f"{APP}:latest", "digest": B, "pods": 1},
            ],
        },
    ]
    flags = [(f.kind, f.container, f.message) for f in image_flags(images)]
    assert flags == [("moving_tag", "web", f"moving tag: {APP}:latest runs under 2 digests")]


def test_a_digest_in_git_is_never_a_moving_tag(kube: Kube, built: Workloads) -> None:
    seen = read_workload_pods(kube.reader, [kube.namespace])
    owned = pods_of(built.tagged, seen.pods, seen.replica_sets)
    pinned = f"{APP}:latest@{A}"
    git = built.git_tagged
    git["spec"]["template"]["spec"]["containers"][0]["image"] = pinned
    images = workload_images(git, built.tagged, owned)
    kinds = [f.kind for f in image_flags(images)]
    assert kinds == ["spec"]
