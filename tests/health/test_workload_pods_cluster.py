"""Reading Pods and ReplicaSets only where the user may, and health's verdict either way.

Users come from the harness: ``admin`` may do anything, ``viewer`` holds the built-in view
role, ``nobody`` nothing unless a test grants it. The audit log shows what was sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from driftui.gate import MutationGate
from driftui.health import HealthStatus, needs_replica_sets, pods_of, workload_health
from driftui.live.client import ClusterClient
from driftui.live.workload_pods import WorkloadPods, read_workload_pods
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.health import manifests as m
from tests.health.kube import Kube, reader
from tests.health.workloads import Workloads, build

pytestmark = pytest.mark.cluster


@pytest.fixture
def built(kube: Kube) -> Workloads:
    return build(kube)


@pytest.fixture
def as_user(cluster: ClusterInfo) -> Iterator[Any]:
    opened: list[ClusterClient] = []

    def make(user: str, read_only: bool = False) -> ClusterClient:
        opened.append(reader(cluster, user, read_only))
        return opened[-1]

    yield make
    for client in opened:
        client.close()


def names(seen: WorkloadPods) -> tuple[list[str], list[str]]:
    return (
        sorted(p["metadata"]["name"] for p in seen.pods),
        sorted(r["metadata"]["name"] for r in seen.replica_sets),
    )


ALL_PODS = [
    "decoy-0",
    "tagged-rs-0",
    "tagged-rs-1",
    "tagged-rs-2",
    "web-new-0",
    "web-old-0",
    "web-old-1",
]
ALL_SETS = ["decoy", "tagged-rs", "web-new", "web-old"]


def pod_lists_by(cluster: ClusterInfo, user: str, namespace: str) -> list[str]:
    """Verbs ``user`` sent on pods in ``namespace``, from the audit log."""
    out = []
    for line in cluster.audit_log.read_text().splitlines():
        event = json.loads(line)
        ref = event.get("objectRef") or {}
        mine = event["user"]["username"] == user and ref.get("namespace") == namespace
        if mine and ref.get("resource") in ("pods", "replicasets"):
            out.append(f"{event['verb']} {ref['resource']} {event['responseStatus']['code']}")
    return out


def test_the_view_role_reads_pods_and_replica_sets(
    kube: Kube, built: Workloads, as_user: Any
) -> None:
    seen = read_workload_pods(as_user("viewer"), [kube.namespace])
    assert names(seen) == (ALL_PODS, ALL_SETS)
    assert seen.unreadable == {}
    assert seen.reason(kube.namespace, via_replica_sets=True) == ""


def test_without_permission_nothing_is_listed_and_health_says_why(
    kube: Kube, built: Workloads, as_user: Any, cluster: ClusterInfo
) -> None:
    ns = kube.namespace
    seen = read_workload_pods(as_user("nobody"), [ns])
    assert names(seen) == ([], [])
    assert seen.unreadable == {
        ("pods", ns): f"no permission to list pods in namespace {ns}",
        ("replicasets", ns): f"no permission to list replicasets.apps in namespace {ns}",
    }
    assert pod_lists_by(cluster, "nobody", ns) == []  # asked first, so no doomed LIST was sent
    health = workload_health(built.web, [], seen.reason(ns, via_replica_sets=True))
    assert health.status is HealthStatus.UNKNOWN
    assert health.message == (
        f"no permission to list pods in namespace {ns}; its own status says Progressing"
        " (waiting for rollout: 1 of 3 replicas updated)"
    )


def test_read_only_mode_sends_no_review_and_a_403_gives_the_reason(
    kube: Kube, built: Workloads, as_user: Any, cluster: ClusterInfo
) -> None:
    ns = kube.namespace
    seen = read_workload_pods(as_user("nobody", read_only=True), [ns])
    assert seen.reason(ns) == f"forbidden: list pods in namespace {ns}"
    assert sorted(pod_lists_by(cluster, "nobody", ns)) == ["list pods 403", "list replicasets 403"]


def test_pods_without_replica_sets_leave_a_deployment_unknown_but_not_a_replica_set(
    kube: Kube, built: Workloads, as_user: Any, cluster: ClusterInfo
) -> None:
    ns = kube.namespace
    role = {
        "metadata": {"name": "pods-only"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}],
    }
    binding = {
        "metadata": {"name": "nobody-pods-only"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pods-only"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "nobody"}],
    }
    rbac = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}"
    assert harness.request(cluster, "POST", f"{rbac}/roles", role)[0] == 201
    assert harness.request(cluster, "POST", f"{rbac}/rolebindings", binding)[0] == 201
    seen = read_workload_pods(as_user("nobody"), [ns])
    assert names(seen) == (ALL_PODS, [])
    assert needs_replica_sets(built.web)
    why = f"no permission to list replicasets.apps in namespace {ns}"
    assert seen.reason(ns, via_replica_sets=True) == why
    assert seen.reason(ns) == ""
    old_rs = kube.read(
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-old"}}
    )
    assert [p["metadata"]["name"] for p in pods_of(old_rs, seen.pods)] == ["web-old-0", "web-old-1"]


def test_a_crash_looping_pod_makes_its_deployment_degraded(kube: Kube, built: Workloads) -> None:
    """Its own status only says Progressing, until a ten-minute deadline runs out."""
    seen = read_workload_pods(kube.reader, [kube.namespace])
    owned = pods_of(built.web, seen.pods, seen.replica_sets)
    health = workload_health(built.web, owned)
    assert health.status is HealthStatus.DEGRADED
    assert health.message == (
        "1 of 3 pods Degraded; web-new-0: web: CrashLoopBackOff (back-off 40s)"
    )
    tagged = workload_health(built.tagged, pods_of(built.tagged, seen.pods, seen.replica_sets))
    assert tagged.status is HealthStatus.PROGRESSING  # no status written: not yet observed


def test_pods_are_slimmed_to_what_health_reads(kube: Kube, built: Workloads) -> None:
    seen = read_workload_pods(kube.reader, [kube.namespace])
    pod = next(p for p in seen.pods if p["metadata"]["name"] == "web-old-0")
    assert set(pod) == {"apiVersion", "kind", "metadata", "spec", "status"}
    assert (pod["apiVersion"], pod["kind"]) == ("v1", "Pod")
    assert "managedFields" not in pod["metadata"] and "labels" not in pod["metadata"]
    assert pod["spec"] == {
        "restartPolicy": "Always",
        "initContainers": [{"name": "setup", "image": "busybox:1.36"}],
        "containers": [{"name": "web", "image": "nginx:1.25"}],
    }


def test_only_the_scanned_namespaces_are_read(
    kube: Kube, built: Workloads, cluster: ClusterInfo
) -> None:
    other = f"{kube.namespace}-other"
    assert (
        harness.request(cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": other}})[0]
        == 201
    )
    try:
        elsewhere = Kube(cluster, other, kube.reader, kube.api)
        elsewhere.play(m.pod("stray"), None)
        seen = read_workload_pods(kube.reader, [kube.namespace])
        assert "stray" not in names(seen)[0]
        assert names(read_workload_pods(kube.reader, [other])) == (["stray"], [])
    finally:
        harness.request(cluster, "DELETE", f"/api/v1/namespaces/{other}")


def test_the_gate_s_own_probe_is_asked_and_its_cache_shared(
    kube: Kube, built: Workloads, cluster: ClusterInfo
) -> None:
    asked: list[tuple[str, str, str, str]] = []

    def probe(verb: str, group: str, resource: str, namespace: str) -> bool:
        asked.append((verb, group, resource, namespace))
        return resource == "pods"

    client = ClusterClient.from_kubeconfig(
        cluster.kubeconfig("admin"), gate=MutationGate(probe=probe)
    )
    try:
        seen = read_workload_pods(client, [kube.namespace])
    finally:
        client.close()
    ns = kube.namespace
    assert sorted(asked) == [("list", "", "pods", ns), ("list", "apps", "replicasets", ns)]
    assert names(seen) == (ALL_PODS, [])
