"""Each health rule against the real API server: the test writes the status, as a controller.

Every case creates one object, writes its status through the ``/status`` subresource, reads
it back with driftui's client and asserts the verdict and a telling part of its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from driftui.health import Health, HealthStatus, assess
from tests.health import manifests as m
from tests.health.kube import Kube

pytestmark = pytest.mark.cluster

H, P, D, S, U = (
    HealthStatus.HEALTHY,
    HealthStatus.PROGRESSING,
    HealthStatus.DEGRADED,
    HealthStatus.SUSPENDED,
    HealthStatus.UNKNOWN,
)
DIGEST = "sha256:" + "a" * 64


@dataclass(frozen=True)
class Case:
    id: str
    obj: dict[str, Any]
    status: dict[str, Any] | None
    want: HealthStatus
    says: str  # a fragment of the message


def rollout(observed: int = 1, **counts: Any) -> dict[str, Any]:
    return {"observedGeneration": observed, **counts}


def cond(kind: str, status: str = "True", **extra: str) -> dict[str, Any]:
    return {"type": kind, "status": status, **extra}


def container(state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "web",
        "image": "docker.io/library/nginx:1.25",
        "imageID": f"docker.io/library/nginx@{DIGEST}",
        "ready": False,
        "restartCount": 0,
        "state": state,
        **extra,
    }


CRASHING = container({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}})
READY = [cond("Ready")]
FULL = {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}

DEPLOYMENT = [
    Case("paused", m.deployment("d", paused=True), rollout(**FULL), S, "paused"),
    Case("unobserved", m.deployment("d"), rollout(0, **FULL), P, "not yet observed"),
    Case(
        "deadline",
        m.deployment("d"),
        rollout(
            replicas=3,
            updatedReplicas=1,
            conditions=[
                cond(
                    "Progressing",
                    "False",
                    reason="ProgressDeadlineExceeded",
                    message='ReplicaSet "d-1" has timed out progressing.',
                )
            ],
        ),
        D,
        "timed out progressing",
    ),
    Case("updating", m.deployment("d"), rollout(replicas=3, updatedReplicas=1), P, "1 of 3"),
    Case(
        "old-pending",
        m.deployment("d"),
        rollout(replicas=4, updatedReplicas=3, readyReplicas=4, availableReplicas=4),
        P,
        "1 old replicas",
    ),
    Case(
        "unavailable",
        m.deployment("d"),
        rollout(replicas=3, updatedReplicas=3, readyReplicas=3, availableReplicas=2),
        P,
        "2 of 3 updated replicas available",
    ),
    Case("healthy", m.deployment("d"), rollout(**FULL), H, "3 of 3"),
]

STATEFULSET = [
    Case("unobserved", m.statefulset("s"), {"replicas": 0}, P, "not yet observed"),
    Case(
        "not-ready",
        m.statefulset("s"),
        rollout(replicas=3, readyReplicas=1, availableReplicas=1),
        P,
        "2 pods",
    ),
    Case(
        "partition",
        m.statefulset(
            "s", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
        ),
        rollout(replicas=3, readyReplicas=3, availableReplicas=3, updatedReplicas=1),
        P,
        "partitioned rollout (partition 1): 1 of 2 pods updated",
    ),
    Case(
        "on-delete",
        m.statefulset("s", updateStrategy={"type": "OnDelete"}),
        rollout(replicas=3, readyReplicas=3, availableReplicas=3, updateRevision="s-2"),
        H,
        "OnDelete",
    ),
    Case(
        "rolling",
        m.statefulset("s"),
        rollout(
            replicas=3,
            readyReplicas=3,
            availableReplicas=3,
            updatedReplicas=1,
            currentRevision="s-1",
            updateRevision="s-2",
        ),
        P,
        "rolling update: 1 of 3 pods updated",
    ),
    Case(
        "healthy",
        m.statefulset("s"),
        rollout(
            replicas=3,
            readyReplicas=3,
            availableReplicas=3,
            updatedReplicas=3,
            currentRevision="s-2",
            updateRevision="s-2",
        ),
        H,
        "rolling update complete: 3 pods updated",
    ),
]

SCHEDULED = {"currentNumberScheduled": 2, "numberMisscheduled": 0, "numberReady": 2}
DAEMONSET = [
    Case(
        "unobserved",
        m.daemonset("ds"),
        rollout(0, desiredNumberScheduled=0, **SCHEDULED),
        P,
        "not yet observed",
    ),
    Case(
        "updating",
        m.daemonset("ds"),
        rollout(desiredNumberScheduled=2, updatedNumberScheduled=1, numberAvailable=2, **SCHEDULED),
        P,
        "1 of 2 pods updated",
    ),
    Case(
        "unavailable",
        m.daemonset("ds"),
        rollout(desiredNumberScheduled=2, updatedNumberScheduled=2, numberAvailable=1, **SCHEDULED),
        P,
        "1 of 2 updated pods available",
    ),
    Case(
        "on-delete",
        m.daemonset("ds", updateStrategy={"type": "OnDelete"}),
        rollout(desiredNumberScheduled=2, updatedNumberScheduled=0, **SCHEDULED),
        H,
        "OnDelete",
    ),
    Case(
        "healthy",
        m.daemonset("ds"),
        rollout(desiredNumberScheduled=2, updatedNumberScheduled=2, numberAvailable=2, **SCHEDULED),
        H,
        "2 of 2",
    ),
]

REPLICASET = [
    Case(
        "failure",
        m.replicaset("rs"),
        rollout(
            replicas=0,
            conditions=[
                cond("ReplicaFailure", reason="FailedCreate", message='pods "rs-" is forbidden')
            ],
        ),
        D,
        "FailedCreate: pods",
    ),
    Case(
        "unavailable",
        m.replicaset("rs"),
        rollout(replicas=3, readyReplicas=3, availableReplicas=1),
        P,
        "1 of 3",
    ),
    Case("unobserved", m.replicaset("rs"), rollout(0, replicas=3), P, "not yet observed"),
    Case(
        "healthy",
        m.replicaset("rs"),
        rollout(replicas=3, readyReplicas=3, availableReplicas=3),
        H,
        "3 of 3",
    ),
]

POD = [
    Case(
        "crash-loop",
        m.pod("p"),
        {"phase": "Running", "containerStatuses": [CRASHING]},
        D,
        "web: CrashLoopBackOff (back-off 5m0s)",
    ),
    Case(
        "image-pull",
        m.pod("p"),
        {
            "phase": "Pending",
            "containerStatuses": [
                container({"waiting": {"reason": "ImagePullBackOff", "message": "pull failed"}})
            ],
        },
        D,
        "ImagePullBackOff",
    ),
    Case(
        "init-error",
        m.pod("p", init="busybox:1.36"),
        {
            "phase": "Pending",
            "initContainerStatuses": [
                container(
                    {"waiting": {"reason": "CreateContainerConfigError"}},
                    name="setup",
                    image="docker.io/library/busybox:1.36",
                )
            ],
        },
        D,
        "setup: CreateContainerConfigError",
    ),
    Case(
        "crash-loop-never",
        m.pod("p", restart="Never"),
        {"phase": "Running", "containerStatuses": [CRASHING]},
        P,
        "running to completion",
    ),
    Case("pending", m.pod("p"), {"phase": "Pending"}, P, "pending"),
    Case("succeeded", m.pod("p", restart="Never"), {"phase": "Succeeded"}, H, "succeeded"),
    Case(
        "failed",
        m.pod("p", restart="Never"),
        {
            "phase": "Failed",
            "containerStatuses": [container({"terminated": {"exitCode": 3, "reason": "Error"}})],
        },
        D,
        "container web exited with 3",
    ),
    Case(
        "oom",
        m.pod("p", restart="Never"),
        {
            "phase": "Failed",
            "containerStatuses": [
                container({"terminated": {"exitCode": 137, "reason": "OOMKilled"}})
            ],
        },
        D,
        "OOMKilled",
    ),
    Case(
        "ready",
        m.pod("p"),
        {
            "phase": "Running",
            "conditions": READY,
            "containerStatuses": [container({"running": {}}, ready=True)],
        },
        H,
        "ready",
    ),
    Case(
        "crashed-not-ready",
        m.pod("p"),
        {
            "phase": "Running",
            "conditions": [cond("Ready", "False")],
            "containerStatuses": [
                container(
                    {"running": {}},
                    restartCount=4,
                    lastState={"terminated": {"exitCode": 1, "reason": "Error"}},
                )
            ],
        },
        D,
        "4 restarts",
    ),
    Case(
        "starting",
        m.pod("p"),
        {"phase": "Running", "conditions": [cond("Ready", "False")]},
        P,
        "not yet ready",
    ),
    Case("unknown-phase", m.pod("p"), {"phase": "Unknown"}, U, "Unknown"),
]

STARTED = {"startTime": "2026-01-01T00:00:00Z"}
JOB = [
    Case("suspended", m.job("j", suspend=True), None, S, "suspended"),
    Case(
        "failed",
        m.job("j"),
        {
            **STARTED,
            "failed": 1,
            "conditions": [
                cond("FailureTarget"),
                cond("Failed", reason="BackoffLimitExceeded", message="reached the backoff limit"),
            ],
        },
        D,
        "BackoffLimitExceeded: reached the backoff limit",
    ),
    Case(
        "complete",
        m.job("j"),
        {
            **STARTED,
            "completionTime": "2026-01-01T00:01:00Z",
            "succeeded": 1,
            "conditions": [cond("SuccessCriteriaMet"), cond("Complete")],
        },
        H,
        "completed",
    ),
    Case("running", m.job("j"), {**STARTED, "active": 1}, P, "1 active"),
]

PVC = [
    Case("bound", m.pvc("c"), {"phase": "Bound"}, H, "bound"),
    Case("pending", m.pvc("c"), {"phase": "Pending"}, P, "waiting for a volume"),
    Case("lost", m.pvc("c"), {"phase": "Lost"}, D, "lost"),
]

LB = {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}
NETWORK = [
    Case("lb-waiting", m.service("s", "LoadBalancer"), None, P, "waiting for a load balancer"),
    Case("lb-assigned", m.service("s", "LoadBalancer"), LB, H, "192.0.2.10"),
    Case("cluster-ip", m.service("s"), None, H, "ClusterIP"),
    Case("ingress-waiting", m.ingress("i"), None, P, "waiting for a load balancer"),
    Case(
        "ingress-assigned",
        m.ingress("i"),
        {"loadBalancer": {"ingress": [{"hostname": "lb.example"}]}},
        H,
        "lb.example",
    ),
]

HPA = [
    Case(
        "cannot-scale",
        m.hpa("h"),
        {"conditions": [cond("AbleToScale", "False", reason="FailedGetScale", message="no scale")]},
        D,
        "FailedGetScale",
    ),
    Case(
        "in-range",
        m.hpa("h"),
        {
            "conditions": [
                cond("AbleToScale", reason="ReadyForNewScale"),
                cond("ScalingLimited", "False", reason="DesiredWithinRange"),
            ]
        },
        H,
        "DesiredWithinRange",
    ),
    Case("no-metrics-yet", m.hpa("h"), None, P, "waiting to autoscale"),
]

CASES = [
    *(("Deployment", c) for c in DEPLOYMENT),
    *(("StatefulSet", c) for c in STATEFULSET),
    *(("DaemonSet", c) for c in DAEMONSET),
    *(("ReplicaSet", c) for c in REPLICASET),
    *(("Pod", c) for c in POD),
    *(("Job", c) for c in JOB),
    *(("PersistentVolumeClaim", c) for c in PVC),
    *(("Network", c) for c in NETWORK),
    *(("HPA", c) for c in HPA),
]


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[f"{k}-{c.id}" for k, c in CASES])
def test_health_of_a_live_object(kube: Kube, case: Case) -> None:
    live = kube.play(case.obj, case.status)
    health = assess(live)
    assert (health.status, case.says in health.message) == (case.want, True), health


def test_an_object_being_deleted_is_progressing(kube: Kube) -> None:
    """A finalizer holds the object while it is deleted; whatever its status, it is going."""
    obj = m.deployment("d")
    obj["metadata"]["finalizers"] = ["driftui.dev/hold"]
    healthy = kube.play(obj, rollout(**FULL))
    assert assess(healthy).status is H
    kube.delete(obj)
    going = kube.read(obj)
    assert going["metadata"]["deletionTimestamp"]
    assert assess(going) == Health(P, "being deleted")
    kube.patch(obj, {"metadata": {"finalizers": None}})  # let the namespace go
