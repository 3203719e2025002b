"""The control plane is real: SSA, dry-run, conflicts, RBAC, CRDs and auditing behave as in production."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import harness
from tests.cluster.crds import namespaced_crd
from tests.cluster.harness import ClusterInfo

pytestmark = pytest.mark.cluster

APPLY = "application/apply-patch+yaml"


def configmap(ns: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": data,
    }


def apply(
    cluster: ClusterInfo,
    obj: dict[str, Any],
    manager: str,
    *,
    user: str = "admin",
    dry_run: bool = False,
    force: bool = False,
) -> tuple[int, Any]:
    ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
    query = (
        f"fieldManager={manager}"
        + ("&dryRun=All" if dry_run else "")
        + ("&force=true" if force else "")
    )
    path = f"/api/v1/namespaces/{ns}/configmaps/{name}?{query}"
    return harness.request(cluster, "PATCH", path, obj, user=user, content_type=APPLY)


def test_version_reports_the_real_kubernetes_release(cluster: ClusterInfo) -> None:
    status, body = harness.request(cluster, "GET", "/version")
    assert status == 200
    assert body["gitVersion"] == "v1.34.4"
    assert (body["major"], body["minor"]) == ("1", "34")


def test_server_side_apply_records_the_manager(cluster: ClusterInfo, namespace: str) -> None:
    status, body = apply(cluster, configmap(namespace, "cm", {"a": "1"}), "argocd-controller")
    assert status == 201, body
    managers = {(e["manager"], e["operation"]) for e in body["metadata"]["managedFields"]}
    assert managers == {("argocd-controller", "Apply")}
    fields = body["metadata"]["managedFields"][0]["fieldsV1"]
    assert "f:a" in fields["f:data"]


def test_dry_run_predicts_without_changing_the_live_object(
    cluster: ClusterInfo, namespace: str
) -> None:
    _, live = apply(cluster, configmap(namespace, "cm", {"a": "1"}), "driftui")
    status, predicted = apply(
        cluster, configmap(namespace, "cm", {"a": "2"}), "driftui", dry_run=True
    )
    assert status == 200
    assert predicted["data"] == {"a": "2"}
    _, after = harness.request(cluster, "GET", f"/api/v1/namespaces/{namespace}/configmaps/cm")
    assert after["data"] == {"a": "1"}
    assert after["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]


def test_a_second_manager_conflicts_with_409(cluster: ClusterInfo, namespace: str) -> None:
    apply(cluster, configmap(namespace, "cm", {"a": "1"}), "argocd-controller")
    status, body = apply(cluster, configmap(namespace, "cm", {"a": "2"}), "intruder")
    assert status == 409
    assert body["reason"] == "Conflict"
    assert 'conflict with "argocd-controller"' in body["message"]
    status, body = apply(cluster, configmap(namespace, "cm", {"a": "2"}), "intruder", force=True)
    assert status == 200 and body["data"]["a"] == "2"


def test_viewer_may_list_but_not_patch(cluster: ClusterInfo, namespace: str) -> None:
    apply(cluster, configmap(namespace, "cm", {"a": "1"}), "admin-tool")
    status, body = harness.request(
        cluster, "GET", f"/api/v1/namespaces/{namespace}/configmaps", user="viewer"
    )
    assert status == 200 and [i["metadata"]["name"] for i in body["items"]] == ["cm"]
    status, body = apply(
        cluster, configmap(namespace, "cm", {"a": "9"}), "viewer-tool", user="viewer"
    )
    assert status == 403, body
    status, _ = harness.request(
        cluster, "GET", f"/api/v1/namespaces/{namespace}/configmaps", user="nobody"
    )
    assert status == 403


CRD = namespaced_crd("harness.driftui.dev", "Widget", {"size": {"type": "integer", "default": 1}})


def test_crd_becomes_established_and_serves_objects(cluster: ClusterInfo, namespace: str) -> None:
    base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    status, body = harness.request(cluster, "POST", base, CRD)
    assert status in (201, 409), body
    deadline = time.monotonic() + 30
    established = False
    while not established and time.monotonic() < deadline:
        _, crd = harness.request(cluster, "GET", f"{base}/{CRD['metadata']['name']}")
        conditions = (crd.get("status") or {}).get("conditions") or []
        established = any(c["type"] == "Established" and c["status"] == "True" for c in conditions)
        time.sleep(0.1)
    assert established
    path = f"/apis/harness.driftui.dev/v1/namespaces/{namespace}/widgets"
    widget = {
        "apiVersion": "harness.driftui.dev/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {},
    }
    status, body = harness.request(cluster, "POST", path, widget)
    for _ in range(50):  # discovery of a new CRD may lag its Established condition briefly
        if status != 404:
            break
        time.sleep(0.1)
        status, body = harness.request(cluster, "POST", path, widget)
    assert status == 201, body
    assert body["spec"] == {"size": 1}  # structural-schema defaulting ran on the server
    status, listing = harness.request(cluster, "GET", path)
    assert status == 200 and [i["metadata"]["name"] for i in listing["items"]] == ["w"]


def test_audit_log_records_writes_and_who_made_them(cluster: ClusterInfo, namespace: str) -> None:
    apply(cluster, configmap(namespace, "audited", {"a": "1"}), "auditor-test")
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/audited")
    events = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = [
            json.loads(line)
            for line in cluster.audit_log.read_text().splitlines()
            if f'"namespace":"{namespace}"' in line and '"name":"audited"' in line
        ]
        if {e["verb"] for e in events} >= {"patch", "delete"}:
            break
        time.sleep(0.1)
    writes = {
        (e["verb"], e["user"]["username"]) for e in events if e["verb"] in {"patch", "delete"}
    }
    assert writes == {("patch", "admin"), ("delete", "admin")}


STARTER = """
import sys
from tests.cluster import harness
info = harness.up(sys.argv[1])
print(" ".join(str(pid) for pid in info.pids), flush=True)
sys.stdin.read()  # until killed
"""


def test_a_killed_test_run_leaves_no_control_plane_behind(tmp_path: Path) -> None:
    """A run stopped from outside (``timeout``, SIGKILL) never reaches its fixtures'
    teardown; its etcd and kube-apiserver must still end with it."""
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path / "plane")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert starter.stdout is not None
    pids = [int(pid) for pid in starter.stdout.readline().split()]
    assert len(pids) == 2 and all(alive(pid) for pid in pids)
    try:
        starter.kill()
        starter.wait()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in pids if alive(pid)] == []
    finally:
        harness.down(tmp_path / "plane")


def alive(pid: int) -> bool:
    """Running (a zombie of another parent has ended: its state is Z)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
