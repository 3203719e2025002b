"""The fidelity a scan reports is the one it used, object by object, on the real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import Fidelity, ScanReport, Status
from driftui.report import to_dict
from tests.cluster.harness import ClusterInfo
from tests.source.test_render_config import create, make_repo

pytestmark = pytest.mark.cluster


def cm(name: str, **data: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def scan(cluster: ClusterInfo, repo: Path, namespace: str, user: str) -> ScanReport:
    options = ScanOptions(repo=str(repo), kubeconfig=cluster.kubeconfig(user), namespace=namespace)
    return Scanner(options, MutationGate(read_only=False)).scan()


def test_without_patch_permission_the_scan_says_client_side(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    files = {
        "same.yaml": json.dumps(cm("same", a="1")),
        "edited.yaml": json.dumps(cm("edited", a="1")),
    }
    repo = make_repo(tmp_path / "repo", files)
    create(cluster, f"/api/v1/namespaces/{namespace}/configmaps", cm("same", a="1"))
    create(cluster, f"/api/v1/namespaces/{namespace}/configmaps", cm("edited", a="2"))

    viewer = scan(cluster, repo, namespace, "viewer")  # may get and list, not patch
    assert {r.ref.name: r.status for r in viewer.results} == {
        "same": Status.IN_SYNC,
        "edited": Status.DRIFTED,
    }
    assert {r.fidelity for r in viewer.results} == {Fidelity.CLIENT_SIDE}
    assert viewer.fidelity is Fidelity.CLIENT_SIDE
    assert viewer.fidelity_text() == "client-side for 2 (no patch permission)"
    assert to_dict(viewer)["fidelity_detail"] == "client-side for 2 (no patch permission)"

    admin = scan(cluster, repo, namespace, "admin")
    assert admin.fidelity is Fidelity.SERVER_SIDE and admin.fidelity_text() == "server-side"
    assert {r.fidelity for r in admin.results} == {Fidelity.SERVER_SIDE}
