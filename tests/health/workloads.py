"""A stuck rollout and a moving tag, built on the real API server with the test as controller.

``web``: Git names nginx:1.25 and so do the old ReplicaSet's two Pods, but someone set the
live spec to nginx:1.26 and only one new Pod runs it (and crash-loops). ``tagged``: Git and
spec say ``registry.example/app:latest``, and its three Pods run two digests of that tag.
A decoy Pod with the same labels, owned by another ReplicaSet, must never be counted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.health import manifests as m
from tests.health.kube import Kube

A, B, C = ("sha256:" + ch * 64 for ch in "abc")
NGINX = "docker.io/library/nginx"
APP = "registry.example/app"
# What ``web`` shows per container, in the JSON every layer writes: its init container on
# one digest everywhere, and the stuck rollout (two Pods on Git's image, one on the spec's).
WEB_IMAGES: list[dict[str, Any]] = [
    {
        "container": "setup",
        "git": "busybox:1.36",
        "spec": "busybox:1.36",
        "running": [{"image": "docker.io/library/busybox:1.36", "digest": C, "pods": 3}],
    },
    {
        "container": "web",
        "git": "nginx:1.25",
        "spec": "nginx:1.26",
        "running": [
            {"image": f"{NGINX}:1.25", "digest": A, "pods": 2},
            {"image": f"{NGINX}:1.26", "digest": B, "pods": 1},
        ],
    },
]


@dataclass
class Workloads:
    git_web: dict[str, Any]
    web: dict[str, Any]
    git_tagged: dict[str, Any]
    tagged: dict[str, Any]


def running(image: str, digest: str, ready: bool = True) -> dict[str, Any]:
    repo = image.rsplit(":", 1)[0]
    state: dict[str, Any] = (
        {"running": {}}
        if ready
        else {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}}
    )
    return {
        "name": "web",
        "image": image,
        "imageID": f"{repo}@{digest}",
        "ready": ready,
        "restartCount": 0 if ready else 3,
        "state": state,
    }


def pod_status(*containers: dict[str, Any], init: dict[str, Any] | None = None) -> dict[str, Any]:
    ready = all(c["ready"] for c in containers)
    status: dict[str, Any] = {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        "containerStatuses": list(containers),
    }
    if init is not None:
        status["initContainerStatuses"] = [init]
    return status


def setup_done(digest: str) -> dict[str, Any]:
    return {
        "name": "setup",
        "image": "docker.io/library/busybox:1.36",
        "imageID": f"docker.io/library/busybox@{digest}",
        "ready": True,
        "restartCount": 0,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
    }


def _pods(
    kube: Kube,
    owner: dict[str, Any],
    image: str,
    statuses: list[dict[str, Any]],
    init: str | None = None,
) -> None:
    for i, status in enumerate(statuses):
        name = f"{owner['metadata']['name']}-{i}"
        kube.play(m.pod(name, image, owner=owner, init=init), status)


def build(kube: Kube) -> Workloads:
    git_web = m.deployment("web", image="nginx:1.25", init="busybox:1.36")
    live_web = copy.deepcopy(git_web)
    live_web["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    web = kube.create(live_web)
    kube.write_status(
        web,
        {
            "observedGeneration": 1,
            "replicas": 3,
            "updatedReplicas": 1,
            "readyReplicas": 2,
            "availableReplicas": 2,
        },
    )
    old = kube.create(m.replicaset("web-old", 2, "nginx:1.25", owner=web))
    new = kube.create(m.replicaset("web-new", 1, "nginx:1.26", owner=web))
    init = setup_done(C)
    setup = "busybox:1.36"
    serving = pod_status(running(f"{NGINX}:1.25", A), init=init)
    _pods(kube, old, "nginx:1.25", [serving, serving], init=setup)
    crashing = pod_status(running(f"{NGINX}:1.26", B, ready=False), init=init)
    _pods(kube, new, "nginx:1.26", [crashing], init=setup)
    git_tagged = m.deployment("tagged", image=f"{APP}:latest")
    git_tagged["spec"]["selector"]["matchLabels"] = {"app": "web"}
    tagged = kube.create(copy.deepcopy(git_tagged))
    tagged_rs = kube.create(m.replicaset("tagged-rs", 3, f"{APP}:latest", owner=tagged))
    _pods(
        kube,
        tagged_rs,
        f"{APP}:latest",
        [pod_status(running(f"{APP}:latest", d)) for d in (A, A, B)],
    )
    decoy = kube.create(m.replicaset("decoy", 1, "nginx:9.9"))
    _pods(kube, decoy, "nginx:9.9", [pod_status(running(f"{NGINX}:9.9", C))])
    return Workloads(git_web, kube.read(web), git_tagged, kube.read(tagged))
