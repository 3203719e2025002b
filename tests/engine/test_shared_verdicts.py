"""In-sync verdicts shared between the clusters of one scan (issue 23's speed): a verdict is
reused only where the next cluster's object matches in everything a comparison reads."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.compare import differ
from driftui.compare.ignore import IgnoreRule
from driftui.compare.options import CompareOptions
from driftui.engine import ScanOptions
from driftui.engine import verdict as verdict_module
from driftui.engine.clusters import scan_clusters
from driftui.engine.shared_verdicts import SharedVerdicts
from driftui.model import Fidelity, Manifest, ObjectRef
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo

MF = "2026-01-01T00:00:0{}Z"


def live(
    ns: str = "n1", uid: str = "u1", rv: str = "1", color: str = "blue", t: int = 1
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "web",
            "namespace": ns,
            "uid": uid,
            "resourceVersion": rv,
            "creationTimestamp": MF.format(t),
            "managedFields": [
                {"manager": "argocd-controller", "operation": "Update", "time": MF.format(t)},
                {"manager": "kubectl-edit", "operation": "Update", "time": MF.format(t + 1)},
            ],
        },
        "data": {"color": color},
        "status": {"seen": t},
    }


def manifest(ns: str = "n1") -> Manifest:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web", "namespace": ns}}
    return Manifest(ObjectRef("", "ConfigMap", ns, "web"), "v1", body, "app.yaml", "blob1")


def test_bookkeeping_the_namespace_and_status_do_not_change_the_key() -> None:
    shared, options = SharedVerdicts(), CompareOptions()
    key = shared.key(manifest(), live(), Fidelity.CLIENT_SIDE, options)
    other = shared.key(manifest("n2"), live("n2", "u2", "9", t=5), Fidelity.CLIENT_SIDE, options)
    assert key is not None and key == other


def test_what_a_comparison_reads_changes_the_key() -> None:
    shared, options = SharedVerdicts(), CompareOptions()
    key = shared.key(manifest(), live(), Fidelity.CLIENT_SIDE, options)
    swapped = live()
    fields = swapped["metadata"]["managedFields"]
    fields[0]["time"], fields[1]["time"] = fields[1]["time"], fields[0]["time"]  # order of managers
    for changed in (live(color="red"), swapped):
        assert shared.key(manifest(), changed, Fidelity.CLIENT_SIDE, options) != key
    assert shared.key(manifest(), live(), Fidelity.SERVER_SIDE, options) != key
    # a rule that selects by namespace makes the namespace count
    by_ns = CompareOptions(ignore=(IgnoreRule(namespace="n1", json_pointers=(("data",),)),))
    assert shared.key(manifest(), live(), Fidelity.CLIENT_SIDE, by_ns) != shared.key(
        manifest("n2"), live("n2"), Fidelity.CLIENT_SIDE, by_ns
    )


# -- on the real control plane: two contexts onto two namespaces, one scan --------------


def _cm(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


DECLARED = [
    _cm("same", {"k": "v"}),
    _cm("edited", {"k": "v"}),
    {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "token"},
        "stringData": {"t": "s3"},
    },
]


@pytest.fixture
def two_namespaces(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``c1`` and ``c2``: contexts onto namespaces of their own; ``edited`` differs in ``c2``."""
    names = [f"sv-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for ns in names:
        status, body = harness.request(
            cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
        )
        assert status == 201, body
        for doc in copy.deepcopy(DECLARED):
            if ns == names[1] and doc["metadata"]["name"] == "edited":
                doc["data"]["k"] = "changed"
            plural = "secrets" if doc["kind"] == "Secret" else "configmaps"
            status, body = harness.request(
                cluster, "POST", f"/api/v1/namespaces/{ns}/{plural}", doc
            )
            assert status == 201, body
    admin = json.loads(Path(cluster.kubeconfig("admin")).read_text())
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "plane", "cluster": admin["clusters"][0]["cluster"]}],
        "users": [{"name": "admin", "user": admin["users"][0]["user"]}],
        "contexts": [
            {"name": f"c{i + 1}", "context": {"cluster": "plane", "user": "admin", "namespace": ns}}
            for i, ns in enumerate(names)
        ],
        "current-context": "c1",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    write_repo(tmp_path / "repo", {"app.yaml": DECLARED})
    yield names[0], names[1], str(path)
    for ns in names:
        harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


@pytest.mark.cluster
def test_the_second_cluster_reuses_in_sync_verdicts_as_its_own(
    cluster: ClusterInfo,
    two_namespaces: tuple[str, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n1, n2, kubeconfig = two_namespaces
    compared: list[str] = []
    real = differ.compare

    def counted(desired: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        compared.append(f"{desired['metadata']['namespace']}/{desired['metadata']['name']}")
        return real(desired, *args, **kwargs)

    monkeypatch.setattr(verdict_module, "compare", counted)
    options = ScanOptions(repo=str(tmp_path / "repo"), kubeconfig=kubeconfig)
    report, _ = scan_clusters(options, ["c1", "c2"], read_only=True, workers=1)
    first, second = (c.report for c in report.clusters)
    assert first is not None and second is not None
    assert {r.ref.name: r.status.value for r in first.results} == dict.fromkeys(
        ("edited", "same", "token"), "in_sync"
    )
    assert {r.ref.name: r.status.value for r in second.results} == {
        "edited": "drifted",
        "same": "in_sync",
        "token": "in_sync",
    }
    # c2 compared only the object that differs from c1's: the rest were c1's verdicts
    assert sorted(compared) == sorted([f"{n1}/edited", f"{n1}/same", f"{n1}/token", f"{n2}/edited"])
    same = next(r for r in second.results if r.ref.name == "same")
    status, live_same = harness.request(cluster, "GET", f"/api/v1/namespaces/{n2}/configmaps/same")
    assert status == 200
    assert same.ref == ObjectRef("", "ConfigMap", n2, "same")
    assert same.resource_version == live_same["metadata"]["resourceVersion"]
    assert same.uid == live_same["metadata"]["uid"]  # c2's own object, not c1's
    assert same.desired is not None and same.desired["metadata"]["namespace"] == n2
    token = next(r for r in second.results if r.ref.name == "token")
    assert token.desired is not None and token.live is not None
    assert token.desired["data"] == token.live["data"]  # one mask key for the whole run
    assert "s3" not in json.dumps(token.desired) + json.dumps(token.live)


def test_clusters_judged_at_once_start_a_part_apart() -> None:
    from driftui.engine.clusters import SharedSourceScanner
    from driftui.gate import MutationGate
    from driftui.model import DesiredState, SourceInfo

    items = [manifest(f"n{i}") for i in range(8)]
    desired = DesiredState(SourceInfo("", "", "", ""))
    second = SharedSourceScanner(
        ScanOptions(repo="."), MutationGate(read_only=True), desired, None, (1, 4)
    )
    assert [m.ref.namespace for m in second.judging_order(items)] == [
        *(f"n{i}" for i in range(2, 8)),
        "n0",
        "n1",
    ]
