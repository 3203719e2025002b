"""Empty versus null versus absent, with the real API server as the oracle (issue 17 item 4).

Each object is applied exactly as Git has it and read back: what the server stored is
asserted first, then that driftui calls Git and that read-back equal. A second case drops
values the server does keep, and driftui must still see them missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import ScanReport
from tests import drift_scenario
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import CRD_GROUP

pytestmark = pytest.mark.cluster


def git_objects(ns: str) -> list[dict[str, Any]]:
    container = {
        "name": "web",
        "image": "nginx:1.25",
        "workingDir": "",
        "args": [],
        "command": None,
        "stdin": False,
        "env": [{"name": "EMPTY", "value": ""}],
    }
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": ns, "labels": {}, "annotations": None},
            "spec": {
                "paused": False,
                "minReadySeconds": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [container], "hostNetwork": False},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "sec", "namespace": ns},
            "data": {"empty": "", "nulled": None, "full": "eA=="},
            "stringData": {"plain-empty": ""},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "cfg",
                "namespace": ns,
                "labels": {"flag": ""},
                "annotations": {"note": ""},
            },
            "data": {"empty": "", "nulled": None},
        },
        {
            "apiVersion": f"{CRD_GROUP}/v1",
            "kind": "Widget",
            "metadata": {"name": "w", "namespace": ns},
            "spec": {"size": 0, "colour": ""},
        },
    ]


def apply(cluster: ClusterInfo, ns: str, docs: list[dict[str, Any]], where: Path) -> None:
    where.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    drift_scenario.kubectl(
        cluster, "-n", ns, "apply", "--server-side", "--field-manager=argocd-controller",
        "-f", str(where),
    )  # fmt: skip


def read(cluster: ClusterInfo, ns: str, what: str) -> dict[str, Any]:
    out = drift_scenario.kubectl(cluster, "-n", ns, "get", what, "-o", "json").stdout
    result: dict[str, Any] = json.loads(out)
    return result


def scan(cluster: ClusterInfo, ns: str, repo: Path, user: str) -> ScanReport:
    options = ScanOptions(
        repo=str(repo), kubeconfig=cluster.kubeconfig(user), namespace=ns,
        read_only=user == "viewer",
    )  # fmt: skip
    return Scanner(options, MutationGate(read_only=user == "viewer")).scan()


def verdicts(report: ScanReport) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    return {
        f"{r.ref.kind}/{r.ref.name}": (
            r.status.value,
            {(d.type.value, d.dotted) for d in r.differences},
        )
        for r in report.results
    }


@pytest.fixture
def ready(cluster: ClusterInfo, namespace: str) -> str:
    from tests.cluster import harness

    status, body = harness.request(
        cluster, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        drift_scenario.crd(),
    )  # fmt: skip
    assert status in (201, 409), body
    drift_scenario.wait_established(cluster, f"widgets.{CRD_GROUP}")
    drift_scenario.grant_auditor_reads(cluster, namespace)
    return namespace


def test_values_the_server_stores_as_empty_are_no_drift(
    cluster: ClusterInfo, ready: str, tmp_path: Path
) -> None:
    ns = ready
    docs = git_objects(ns)
    apply(cluster, ns, docs, tmp_path / "applied.yaml")
    # The oracle: what the server made of Git's empty values.
    secret = read(cluster, ns, "secret/sec")
    # null and "" are one value to the server: both read back "".
    assert secret["data"] == {"empty": "", "nulled": "", "full": "eA==", "plain-empty": ""}
    web = read(cluster, ns, "deployment/web")
    spec = web["spec"]
    assert "paused" not in spec and "minReadySeconds" not in spec
    assert "labels" not in web["metadata"] and "annotations" not in web["metadata"]
    container = spec["template"]["spec"]["containers"][0]
    for dropped in ("workingDir", "args", "command", "stdin"):
        assert dropped not in container, dropped
    assert container["env"] == [{"name": "EMPTY"}]  # value "" is not stored either
    assert "hostNetwork" not in spec["template"]["spec"]
    cfg = read(cluster, ns, "configmap/cfg")
    assert cfg["data"] == {"empty": "", "nulled": ""}
    assert cfg["metadata"]["labels"] == {"flag": ""}
    assert cfg["metadata"]["annotations"] == {"note": ""}
    widget = read(cluster, ns, f"widgets.{CRD_GROUP}/w")
    assert widget["spec"] == {"size": 0, "colour": ""}  # custom resources keep them

    repo = tmp_path / "repo"
    drift_scenario.write_repo(repo, {"app.yaml": docs})
    oracle = drift_scenario.kubectl(
        cluster, "-n", ns, "diff", "--server-side", "--field-manager=argocd-controller",
        "-f", str(repo / "app.yaml"), check=False,
    )  # fmt: skip
    assert (oracle.returncode, oracle.stdout) == (0, ""), oracle.stderr  # kubectl agrees
    for user in ("viewer", "admin"):
        found = verdicts(scan(cluster, ns, repo, user))
        assert found == {
            "Deployment/web": ("in_sync", set()),
            "Secret/sec": ("in_sync", set()),
            "ConfigMap/cfg": ("in_sync", set()),
            "Widget/w": ("in_sync", set()),
        }, user


def test_empty_values_the_server_keeps_are_missing_when_dropped(
    cluster: ClusterInfo, ready: str, tmp_path: Path
) -> None:
    """Git's "" in a label, an annotation and ConfigMap data, and 0 and "" in a custom
    resource, are real values: live without them is drift."""
    ns = ready
    docs = git_objects(ns)
    older = json.loads(json.dumps(docs))
    cfg, widget = older[2], older[3]
    del cfg["metadata"]["labels"]["flag"], cfg["metadata"]["annotations"]["note"]
    cfg["metadata"]["labels"]["keep"] = cfg["metadata"]["annotations"]["keep"] = "k"
    cfg["data"] = {"other": "o"}
    widget["spec"] = {"colour": "red"}
    apply(cluster, ns, older, tmp_path / "applied.yaml")
    assert "size" not in read(cluster, ns, f"widgets.{CRD_GROUP}/w")["spec"]
    repo = tmp_path / "repo"
    drift_scenario.write_repo(repo, {"app.yaml": docs})
    for user in ("viewer", "admin"):
        found = verdicts(scan(cluster, ns, repo, user))
        assert found["ConfigMap/cfg"][1] >= {
            ("missing_in_live", "metadata.labels.flag"),
            ("missing_in_live", "metadata.annotations.note"),
            ("missing_in_live", "data.empty"),
        }, user
        assert found["Widget/w"] == (
            "drifted",
            {("missing_in_live", "spec.size"), ("changed", "spec.colour")},
        ), user
