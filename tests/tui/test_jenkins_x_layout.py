"""A Jenkins X 3 repository: manifests generated into ``config-root/namespaces/<ns>/<release>/``
and ``config-root/cluster/``, beside helmfiles and settings that are not Kubernetes objects.
It loads with ``--path config-root``, and the explorer groups it by release directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.__main__ import explorer_parts
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.tui.tree_model import Grouping, build_index
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import kubectl, write_repo
from tests.tui.conftest import TestExplorer, settle
from tests.tui.test_explorer import top_labels

pytestmark = pytest.mark.cluster


def _cm(ns: str, name: str, release: str, value: str) -> dict[str, Any]:
    meta = {"name": name, "namespace": ns, "labels": {"gitops.jenkins-x.io/pipeline": release}}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"v": value}}


def _deployment(ns: str, name: str) -> dict[str, Any]:
    labels = {"app": name}
    pod = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": name, "image": "x"}]}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"selector": {"matchLabels": labels}, "template": pod},
    }


def jx3_files(ns: str, cluster_role: str) -> dict[str, list[dict[str, Any]]]:
    """The generated tree (config-root) and what sits beside it in a JX3 cluster repo."""
    root = f"config-root/namespaces/{ns}"
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": cluster_role},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    }
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
    return {
        f"{root}/lighthouse/lighthouse-webhooks-deploy.yaml": [_deployment(ns, "lighthouse")],
        f"{root}/lighthouse/lighthouse-config-cm.yaml": [_cm(ns, "config", "lighthouse", "a")],
        f"{root}/jxboot-helmfile-resources/settings-cm.yaml": [_cm(ns, "settings", "jxboot", "b")],
        f"config-root/cluster/namespaces/{ns}.yaml": [namespace],
        f"config-root/cluster/resources/lighthouse/{cluster_role}-cr.yaml": [role],
        # beside config-root: helmfiles and requirements, read by jx, not by the cluster
        f"helmfiles/{ns}/helmfile.yaml": [{"releases": [{"chart": "jx3/lighthouse"}]}],
        "jx-requirements.yml": [
            {"apiVersion": "core.jenkins-x.io/v4beta1", "kind": "Requirements"}
        ],
    }


@pytest.fixture
def jx3_repo(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> Path:
    """Applied as `jx gitops` applies config-root, then one ConfigMap edited by hand."""
    files = jx3_files(namespace, f"jx3-{uuid.uuid4().hex[:8]}")
    repo = tmp_path / "cluster-repo"
    write_repo(repo, files)
    kubectl(cluster, "apply", "--server-side", "-R", "-f", str(repo / "config-root"))
    edited = _cm(namespace, "settings", "jxboot", "edited by hand")
    (tmp_path / "edit.yaml").write_text(yaml.safe_dump(edited))
    kubectl(
        cluster, "apply", "--server-side", "--force-conflicts", "-f", str(tmp_path / "edit.yaml")
    )
    return repo


def test_loads_with_path_config_root(cluster: ClusterInfo, namespace: str, jx3_repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "driftui", "report", "--format", "json", "--path", "config-root",
         "--repo", str(jx3_repo), "--kubeconfig", cluster.kubeconfig(), "-n", namespace],
        capture_output=True, text=True, env={**os.environ, "CI": "true"}, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # drift: the edited ConfigMap
    report = json.loads(done.stdout)
    status = {(r["kind"], r["name"]): r["status"] for r in report["objects"]}
    assert status.pop(("ConfigMap", "settings")) == "drifted"
    declared = {("Deployment", "lighthouse"), ("ConfigMap", "config"), ("Namespace", namespace)}
    assert declared <= set(status)
    assert {status[k] for k in declared} == {"in_sync"}, status
    assert not report.get("problems"), report["problems"]  # helmfiles are never read
    assert all(r["source_file"].startswith("config-root/") for r in report["objects"]
               if r["status"] != "extra")  # fmt: skip


async def test_explorer_groups_by_release_directory(
    cluster: ClusterInfo, namespace: str, jx3_repo: Path
) -> None:
    options = ScanOptions(
        repo=str(jx3_repo), path="config-root", kubeconfig=cluster.kubeconfig(), namespace=namespace
    )
    gate = MutationGate(read_only=True)
    scanner = Scanner(options, gate)
    releases = {
        f"config-root/namespaces/{namespace}/lighthouse",
        f"config-root/namespaces/{namespace}/jxboot-helmfile-resources",
        "config-root/cluster/namespaces",
        "config-root/cluster/resources/lighthouse",
    }
    index = build_index(scanner.scan().results, Grouping.DIRECTORY)
    assert releases <= set(index.children)
    lighthouse = index.children[f"config-root/namespaces/{namespace}/lighthouse"]
    assert set(lighthouse.children) == {"Deployment.apps", "ConfigMap"}

    app = TestExplorer(scanner.scan, **explorer_parts(scanner, gate))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        while app.resource_tree.grouping is not Grouping.DIRECTORY:
            await pilot.press("g")
            await settle(pilot)
        await pilot.press("i")  # show the in-sync releases too
        await settle(pilot)
        assert releases <= set(top_labels(app.resource_tree))
        assert "directory" in str(app.query_one("#tree-panel").border_title)
