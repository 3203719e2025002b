"""Health from standard conditions (any CRD, the Flux kinds), Argo CD's own, and APIServices.

A CRD of the test's own (with a status subresource, as Flux's have) stands for any kind that
writes kstatus conditions; the test writes them as its controller would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from driftui.health import Health, HealthStatus, assess
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.health.kube import Kube, wait_served

pytestmark = pytest.mark.cluster

GROUP = "health.driftui.dev"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
OPEN = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def crd(group: str, version: str, kind: str, status_subresource: bool) -> dict[str, Any]:
    plural = kind.lower() + "s"
    served: dict[str, Any] = {
        "name": version,
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": OPEN},
    }
    if status_subresource:
        served["subresources"] = {"status": {}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower()},
            "scope": "Namespaced",
            "versions": [served],
        },
    }


@pytest.fixture(scope="session")
def kinds(cluster: ClusterInfo, gitops_crds: None) -> None:
    """Gadget (ours, status subresource) beside the session's upstream GitOps CRDs, where
    Argo CD's Application, as upstream, has none: its status is written with the object."""
    status, answer = harness.request(
        cluster, "POST", CRDS, crd(GROUP, "v1", "Gadget", status_subresource=True)
    )
    assert status in (201, 409), answer
    wait_served(cluster, f"/apis/{GROUP}/v1/gadgets")


def gadget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Gadget",
        "metadata": {"name": "g"},
        "spec": spec,
    }


def cond(kind: str, status: str = "True", reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason, "message": message}


H, P, D, S = (
    HealthStatus.HEALTHY,
    HealthStatus.PROGRESSING,
    HealthStatus.DEGRADED,
    HealthStatus.SUSPENDED,
)
CONDITION_CASES = [
    (
        "ready",
        [cond("Ready", reason="Succeeded", message="Applied revision main@sha1:abc")],
        H,
        "Succeeded: Applied revision",
    ),
    (
        "failed",
        [cond("Ready", "False", "BuildFailed", "kustomize build failed")],
        D,
        "BuildFailed: kustomize build failed",
    ),
    (
        "waits-for-dependency",
        [cond("Ready", "False", "DependencyNotReady", "dep 'infra' not ready")],
        P,
        "DependencyNotReady",
    ),
    (
        "reconciling",
        [cond("Reconciling", reason="Progressing"), cond("Ready", "Unknown")],
        P,
        "Progressing",
    ),
    (
        "stalled",
        [
            cond("Stalled", reason="InvalidPath", message="path not found"),
            cond("Ready", "False", "InvalidPath"),
        ],
        D,
        "InvalidPath: path not found",
    ),
    (
        "ready-unknown",
        [cond("Ready", "Unknown", "Progressing", "reconciliation in progress")],
        P,
        "reconciliation in progress",
    ),
    ("unfamiliar", [cond("Established")], H, "no health rule"),
]


@pytest.mark.parametrize(
    ("conditions", "want", "says"),
    [c[1:] for c in CONDITION_CASES],
    ids=[c[0] for c in CONDITION_CASES],
)
def test_standard_conditions(
    kinds: None, kube: Kube, conditions: list[dict[str, str]], want: HealthStatus, says: str
) -> None:
    live = kube.play(gadget(), {"observedGeneration": 1, "conditions": conditions})
    health = assess(live)
    assert (health.status, says in health.message) == (want, True), health


def test_suspended_is_suspended_whatever_the_conditions(kinds: None, kube: Kube) -> None:
    live = kube.play(gadget(suspend=True), {"conditions": [cond("Ready", "False", "Failed")]})
    assert assess(live) == Health(S, "reconciliation is suspended")


def test_conditions_of_an_older_generation_say_nothing_yet(kinds: None, kube: Kube) -> None:
    obj = gadget(interval="1m")
    kube.play(obj, {"observedGeneration": 1, "conditions": [cond("Ready", reason="Succeeded")]})
    kube.patch(obj, {"spec": {"interval": "5m"}})  # generation 2; the controller has not seen it
    live = kube.read(obj)
    assert live["metadata"]["generation"] == 2
    assert assess(live) == Health(P, "latest generation not yet observed")


def application(name: str, health: dict[str, str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name},
        "spec": {"project": "default"},
    }
    if health is not None:
        body["status"] = {"health": health}
    return body


@pytest.mark.parametrize(
    ("reported", "want"),
    [
        (
            {"status": "Degraded", "message": "Deployment web exceeded its deadline"},
            Health(D, "Deployment web exceeded its deadline"),
        ),
        ({"status": "Suspended"}, Health(S, "Argo CD reports Suspended")),
        ({"status": "Missing"}, Health(HealthStatus.MISSING, "Argo CD reports Missing")),
        (None, Health(P, "Argo CD has not reported health yet")),
        (
            {"status": "Sideways"},
            Health(HealthStatus.UNKNOWN, "Argo CD reports an unknown health 'Sideways'"),
        ),
    ],
    ids=["degraded", "suspended", "missing", "not-yet", "unknown-word"],
)
def test_argo_cd_application_health_is_its_own(
    kinds: None, kube: Kube, reported: dict[str, str] | None, want: Health
) -> None:
    """Argo CD writes status with the object (its CRD has no status subresource)."""
    live = kube.play(application("app", reported), None)
    assert assess(live) == want


@pytest.fixture
def apiservice(cluster: ClusterInfo) -> Iterator[dict[str, Any]]:
    group = f"t{uuid.uuid4().hex[:8]}.health.driftui.dev"
    body = {
        "apiVersion": "apiregistration.k8s.io/v1",
        "kind": "APIService",
        "metadata": {"name": f"v1.{group}"},
        "spec": {
            "group": group,
            "version": "v1",
            "groupPriorityMinimum": 100,
            "versionPriority": 10,
            "service": {"namespace": "default", "name": "no-such-service", "port": 443},
            "insecureSkipTLSVerify": True,
        },
    }
    yield body
    path = f"/apis/apiregistration.k8s.io/v1/apiservices/v1.{group}"
    harness.request(cluster, "DELETE", path)


def test_an_apiservice_without_its_backend_is_progressing(
    kube: Kube, apiservice: dict[str, Any]
) -> None:
    """kube-apiserver's own availability controller agrees: the Service is not there."""
    reason = "ServiceNotFound"
    status = {"conditions": [cond("Available", "False", reason, "service/no-such-service")]}
    health = assess(kube.play(apiservice, status))
    assert health.status is P and health.message.startswith(reason), health


def test_an_available_apiservice_is_healthy(kube: Kube, apiservice: dict[str, Any]) -> None:
    del apiservice["spec"]["service"], apiservice["spec"]["insecureSkipTLSVerify"]  # local
    status = {
        "conditions": [cond("Available", "True", "Local", "Local APIServices are always available")]
    }
    health = assess(kube.play(apiservice, status))
    assert health.status is H and health.message.startswith("Local"), health
