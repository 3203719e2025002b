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


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """ "namespace/name" of every object the scan compares rather than adopts a verdict for."""
    seen: list[str] = []

    def counted(desired: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(f"{desired['metadata']['namespace']}/{desired['metadata']['name']}")
        return differ.compare(desired, *args, **kwargs)

    monkeypatch.setattr(verdict_module, "compare", counted)
    return seen


def service(ip: str | None, *, declared_ip: bool = False) -> tuple[Manifest, dict[str, Any]]:
    """Git's Service and its live object, whose clusterIP (``None``: none) the server chose."""
    spec: dict[str, Any] = {"ports": [{"port": 80}]}
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Service"}
    body["metadata"] = {"name": "web", "namespace": "n1"}
    git = {**body, "spec": {**spec, **({"clusterIP": "10.0.0.9"} if declared_ip else {})}}
    obj = copy.deepcopy(body) | {"spec": copy.deepcopy(spec)}
    if ip is not None:
        obj["spec"] |= {"clusterIP": ip, "clusterIPs": [ip], "ipFamilyPolicy": "SingleStack"}
    return Manifest(ObjectRef("", "Service", "n1", "web"), "v1", git, "a.yaml", "blob2"), obj


def test_a_default_git_does_not_set_counts_by_presence_not_by_value() -> None:
    """Every cluster gives a Service another clusterIP, which the comparison takes for the
    server's default whatever it is: the key ignores its value, unless Git sets it."""
    shared, options, side = SharedVerdicts(), CompareOptions(), Fidelity.CLIENT_SIDE
    one, other = (shared.key(*service(ip), side, options) for ip in ("10.0.1.1", "10.0.7.7"))
    assert one is not None and one == other
    assert shared.key(*service(None), side, options) != one  # whether it is there counts
    declared = [shared.key(*service(ip, declared_ip=True), side, options) for ip in ("1", "2")]
    assert declared[0] != declared[1]  # Git sets it: its value is compared


KINDS = [
    ("v1", "Service"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("v1", "ServiceAccount"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Namespace"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
]


def _claim(fields: dict[str, Any], path: tuple[Any, ...]) -> None:
    """``path`` added to a managedFields entry's fieldsV1."""
    for seg in path:
        fields = fields.setdefault(f"f:{seg}", {})


@pytest.mark.parametrize(("api_version", "kind"), KINDS)
def test_the_comparison_never_reads_the_value_of_such_a_default(
    api_version: str, kind: str
) -> None:
    """What the key leaves out must be what compare() cannot see: the same Comparison for
    any value, even one a hand claims (the strongest case: it would be added_outside_git)."""
    from driftui.compare.defaults import any_value_defaults
    from driftui.compare.differ import compare
    from driftui.model import group_of

    paths = any_value_defaults(group_of(api_version), kind)
    assert paths or kind not in ("Service", "Job")
    git: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    git["metadata"] = {"name": "x", "namespace": "n"}
    outcomes = []
    for value in ("a", 7, ["b"], {"c": "d"}):
        obj = copy.deepcopy(git)
        hand: dict[str, Any] = {}
        for path in paths:
            node = obj
            for seg in path[:-1]:
                node = node.setdefault(seg, {})
            node[path[-1]] = copy.deepcopy(value)
            _claim(hand, path)
        obj["metadata"]["managedFields"] = [
            {
                "manager": "kubectl-edit",
                "operation": "Update",
                "fieldsType": "FieldsV1",
                "fieldsV1": hand,
                "time": MF.format(1),
            },
        ]
        outcomes.append(compare(git, obj, CompareOptions()))
    assert all(o == outcomes[0] for o in outcomes)


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


PLURALS = {"Secret": "secrets", "ConfigMap": "configmaps", "Service": "services"}


@pytest.fixture
def two_namespaces(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``c1`` and ``c2``: contexts onto namespaces of their own; ``edited`` differs in ``c2``."""
    yield from _two_contexts(cluster, tmp_path, DECLARED)


def _two_contexts(
    cluster: ClusterInfo, tmp_path: Path, declared: list[dict[str, Any]]
) -> Iterator[tuple[str, str, str]]:
    names = [f"sv-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for ns in names:
        status, body = harness.request(
            cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
        )
        assert status == 201, body
        for doc in copy.deepcopy(declared):
            if ns == names[1] and doc["metadata"]["name"] == "edited":
                doc["data"]["k"] = "changed"
            plural = PLURALS[doc["kind"]]
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
    write_repo(tmp_path / "repo", {"app.yaml": declared})
    yield names[0], names[1], str(path)
    for ns in names:
        harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


@pytest.mark.cluster
def test_the_second_cluster_reuses_in_sync_verdicts_as_its_own(
    cluster: ClusterInfo,
    two_namespaces: tuple[str, str, str],
    tmp_path: Path,
    compared: list[str],
) -> None:
    n1, n2, kubeconfig = two_namespaces
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


SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


@pytest.fixture
def two_services(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``c1`` and ``c2`` each hold the Service ``web``, at a clusterIP of its own."""
    yield from _two_contexts(cluster, tmp_path, [SERVICE])


@pytest.mark.cluster
def test_a_service_at_another_cluster_ip_reuses_the_verdict_unchanged(
    cluster: ClusterInfo,
    two_services: tuple[str, str, str],
    tmp_path: Path,
    compared: list[str],
) -> None:
    n1, n2, kubeconfig = two_services
    ips = [
        harness.request(cluster, "GET", f"/api/v1/namespaces/{ns}/services/web")[1]["spec"][
            "clusterIP"
        ]
        for ns in (n1, n2)
    ]
    assert ips[0] != ips[1]
    options = ScanOptions(repo=str(tmp_path / "repo"), kubeconfig=kubeconfig)
    key = b"k" * 32
    alone, _ = scan_clusters(
        options, ["c1", "c2"], read_only=True, share_verdicts=False, mask_key=key
    )
    compared.clear()  # only the shared scan's
    shared, _ = scan_clusters(options, ["c1", "c2"], read_only=True, workers=1, mask_key=key)
    assert [c.split("/")[0] for c in compared] == [n1]  # c2's Service took c1's verdict
    for own, reused in zip(alone.clusters, shared.clusters, strict=True):
        assert own.report is not None and reused.report is not None
        assert [r.status.value for r in reused.report.results] == ["in_sync"]
        assert reused.report.results == own.report.results  # every field, its clusterIP too


@pytest.mark.cluster
def test_the_explorers_fleet_shares_in_sync_verdicts_too(
    cluster: ClusterInfo,
    two_namespaces: tuple[str, str, str],
    tmp_path: Path,
    compared: list[str],
) -> None:
    """``driftui tui --context c1,c2`` scans through a Fleet: the same sharing as the CLI's
    scan, and the same verdicts as each cluster judged alone."""
    from driftui.engine.fleet import Fleet

    n1, n2, kubeconfig = two_namespaces
    options = ScanOptions(repo=str(tmp_path / "repo"), kubeconfig=kubeconfig)
    fleet = Fleet(options, ["c1", "c2"], read_only=True, workers=1)  # one order of compares
    alone, _ = scan_clusters(
        options, ["c1", "c2"], read_only=True, share_verdicts=False, mask_key=fleet.mask_key
    )
    compared.clear()  # only the fleet's
    report = fleet.scan()
    # c2 compared only the object that differs from c1's: the rest were c1's verdicts
    assert sorted(compared) == sorted([f"{n1}/edited", f"{n1}/same", f"{n1}/token", f"{n2}/edited"])
    for own, reused in zip(alone.clusters, report.clusters, strict=True):
        assert own.report is not None and reused.report is not None
        assert reused.report.results == own.report.results


@pytest.mark.cluster
def test_a_cluster_scan_judges_from_its_own_starting_point(
    two_namespaces: tuple[str, str, str], tmp_path: Path, compared: list[str]
) -> None:
    """The order reaches the scan itself, not only the function (a merge once lost it)."""
    from driftui.engine import Scanner
    from driftui.engine.clusters import SharedSourceScanner
    from driftui.gate import MutationGate

    n1, _, kubeconfig = two_namespaces
    options = ScanOptions(repo=str(tmp_path / "repo"), kubeconfig=kubeconfig, context="c1")
    desired = Scanner(options, MutationGate(read_only=True)).desired()
    names = [m.ref.name for m in desired.manifests]
    scanner = SharedSourceScanner(options, MutationGate(read_only=True), desired, None, (1, 2))
    scanner.scan()
    assert compared == [f"{n1}/{name}" for name in names[1:] + names[:1]]
