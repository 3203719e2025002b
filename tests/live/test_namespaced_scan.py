"""A namespaced scan reads only its namespaces: LIST per namespace for namespaced kinds,
cluster-wide only for cluster-scoped ones (issue 21). A proxy in front of the real API
server records every request, so the tests see exactly what was asked, and of whom."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.live import reader
from driftui.live.client import ClusterClient
from driftui.live.discovery import discover
from driftui.live.errors import ApiError
from driftui.model import Status
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.faultproxy import Fault, FaultProxy

pytestmark = pytest.mark.cluster

APP = "shop-app"


@pytest.fixture
def proxy(cluster: ClusterInfo, tmp_path: Path) -> Iterator[FaultProxy]:
    directory = tmp_path / "proxy"
    directory.mkdir()
    with FaultProxy(cluster, directory) as running:
        yield running


@pytest.fixture
def elsewhere(cluster: ClusterInfo) -> Iterator[str]:
    """A second namespace, full of the same app's objects, that a `-n` scan must not read."""
    with harness.temporary_namespace(cluster) as name:
        yield name


def configmap(name: str, namespace: str = "", tracked: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if tracked:
        marker = f"{APP}:/ConfigMap:{namespace}/{name}"
        meta["annotations"] = {"argocd.argoproj.io/tracking-id": marker}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}}


def create(cluster: ClusterInfo, obj: dict[str, Any]) -> None:
    namespace = obj["metadata"]["namespace"]
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, body = harness.request(cluster, "POST", path, obj)
    assert status == 201, body


def lists(proxy: FaultProxy) -> list[tuple[str, int]]:
    """(path, status) of every LIST the scan sent: the paged GETs."""
    return [(s.path, s.status) for s in proxy.seen if s.method == "GET" and "limit=" in s.query]


def scan(repo: Path, kubeconfig: str, namespace: str) -> Any:
    options = ScanOptions(
        repo=str(repo), kubeconfig=kubeconfig, namespace=namespace, read_only=True
    )
    return Scanner(options, MutationGate(read_only=True)).scan()


def test_a_namespaced_scan_lists_only_its_namespace_and_its_extras(
    cluster: ClusterInfo, namespace: str, elsewhere: str, proxy: FaultProxy, tmp_path: Path
) -> None:
    for obj in (
        configmap("settings", namespace, tracked=True),
        configmap("stray", namespace, tracked=True),  # the app's, absent from Git: an extra
        configmap("settings", elsewhere, tracked=True),  # the same app, another namespace
        configmap("stray", elsewhere, tracked=True),
    ):
        create(cluster, obj)
    repo = tmp_path / "repo"
    write_repo(
        repo,
        {
            "cm.yaml": [configmap("settings")],  # no namespace: `-n` places it
            "ns.yaml": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}],
        },
    )
    report = scan(repo, proxy.kubeconfig(), namespace)

    assert sorted(lists(proxy)) == [
        ("/api/v1/namespaces", 200),  # a cluster-scoped kind: the one cluster-wide LIST
        (f"/api/v1/namespaces/{namespace}/configmaps", 200),
    ]
    verdicts = {(r.ref.kind, r.ref.namespace, r.ref.name): r.status for r in report.results}
    assert verdicts == {
        ("ConfigMap", namespace, "settings"): Status.IN_SYNC,
        ("ConfigMap", namespace, "stray"): Status.EXTRA,
        ("Namespace", "", namespace): Status.IN_SYNC,
    }
    assert not report.warnings


def test_a_user_who_may_list_only_in_one_namespace_scans_it_without_a_refusal(
    cluster: ClusterInfo, namespace: str, elsewhere: str, proxy: FaultProxy, tmp_path: Path
) -> None:
    """`nobody` may read ConfigMaps in `namespace` only: a cluster-wide LIST is forbidden to it,
    so the scan must never send one, not even to fall back after the refusal."""
    harness_grant_configmap_reads(cluster, namespace, "nobody")
    create(cluster, configmap("settings", namespace))
    create(cluster, configmap("hidden", elsewhere))
    kubeconfig = proxy.kubeconfig("nobody")
    nobody = ClusterClient.from_kubeconfig(kubeconfig, gate=MutationGate(read_only=True))
    with pytest.raises(ApiError) as refused:  # what a cluster-wide LIST would meet
        list(nobody.list_items("/api/v1/configmaps"))
    assert refused.value.status == 403
    proxy.seen.clear()

    repo = tmp_path / "repo"
    write_repo(repo, {"cm.yaml": [configmap("settings"), configmap("absent")]})
    report = scan(repo, kubeconfig, namespace)

    assert lists(proxy) == [(f"/api/v1/namespaces/{namespace}/configmaps", 200)]
    verdicts = {r.ref.name: (r.status, r.reason) for r in report.results}
    assert verdicts == {"settings": (Status.IN_SYNC, ""), "absent": (Status.MISSING, "")}
    assert not report.warnings and not report.has_errors


def test_a_forbidden_namespace_is_named_and_the_others_are_still_read(
    cluster: ClusterInfo, namespace: str, elsewhere: str, proxy: FaultProxy, tmp_path: Path
) -> None:
    """Two namespaces in Git, reads granted in one: each LIST answers for its own namespace."""
    harness_grant_configmap_reads(cluster, namespace, "nobody")
    create(cluster, configmap("settings", namespace))
    repo = tmp_path / "repo"
    write_repo(repo, {"cm.yaml": [configmap("settings", namespace), configmap("other", elsewhere)]})
    report = scan(repo, proxy.kubeconfig("nobody"), namespace)

    assert set(lists(proxy)) == {
        (f"/api/v1/namespaces/{elsewhere}/configmaps", 403),
        (f"/api/v1/namespaces/{namespace}/configmaps", 200),
    }
    assert len(lists(proxy)) == 2
    verdicts = {r.ref.name: (r.status, r.reason) for r in report.results}
    assert verdicts == {
        "settings": (Status.IN_SYNC, ""),
        "other": (Status.ERROR, f"forbidden: list configmaps in namespace {elsewhere}"),
    }


def test_a_list_that_fails_in_one_namespace_says_nothing_of_another(
    cluster: ClusterInfo, namespace: str, elsewhere: str, proxy: FaultProxy, tmp_path: Path
) -> None:
    """A LIST refused with a 500 in one namespace: that namespace's objects are not read,
    while an object absent from the namespace that was read really is missing."""
    proxy.inject(Fault(500, within=f"/namespaces/{elsewhere}/configmaps"))
    repo = tmp_path / "repo"
    write_repo(repo, {"cm.yaml": [configmap("gone", namespace), configmap("other", elsewhere)]})
    report = scan(repo, proxy.kubeconfig(), namespace)

    verdicts = {r.ref.name: r.status for r in report.results}
    assert verdicts == {"gone": Status.MISSING, "other": Status.ERROR}
    (other,) = [r for r in report.results if r.ref.name == "other"]
    assert other.reason.startswith("not read: ")
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"could not read ConfigMap in namespace {elsewhere}: ")


def harness_grant_configmap_reads(cluster: ClusterInfo, namespace: str, user: str) -> None:
    """A Role and RoleBinding in ``namespace`` only: the user may get and list ConfigMaps."""
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    name = f"{user}-reads-configmaps"
    role = {
        "metadata": {"name": name, "namespace": namespace},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
    }
    binding = {
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "User", "name": user, "apiGroup": "rbac.authorization.k8s.io"}],
    }
    for kind, body in (("roles", role), ("rolebindings", binding)):
        status, answer = harness.request(
            cluster, "POST", f"{rbac}/namespaces/{namespace}/{kind}", body
        )
        assert status == 201, answer


def test_over_many_namespaces_one_cluster_wide_list_keeps_only_the_scanned_ones(
    cluster: ClusterInfo,
    namespace: str,
    elsewhere: str,
    second_namespace: str,
    proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past PER_NAMESPACE_MAX namespaces a LIST per kind is cheaper; what it brings from
    namespaces the scan does not look at is dropped at once, and a refusal still falls back."""
    monkeypatch.setattr(reader, "PER_NAMESPACE_MAX", 1)  # two namespaces count as many
    for ns in (namespace, elsewhere, second_namespace):  # the third is not looked at
        create(cluster, configmap("settings", ns))
    harness_grant_configmap_reads(cluster, namespace, "nobody")

    admin = ClusterClient.from_kubeconfig(proxy.kubeconfig(), gate=MutationGate(read_only=True))
    info = discover(admin).resolve("", "ConfigMap")
    assert info is not None
    state = reader.read_live(admin, [info], {namespace, elsewhere})
    assert {ref.namespace for ref in state.objects} == {namespace, elsewhere}
    assert lists(proxy) == [("/api/v1/configmaps", 200)]

    proxy.seen.clear()
    nobody = ClusterClient.from_kubeconfig(
        proxy.kubeconfig("nobody"), gate=MutationGate(read_only=True)
    )
    state = reader.read_live(nobody, [info], {namespace, elsewhere})
    assert {ref.namespace for ref in state.objects} == {namespace}
    assert state.forbidden == {
        ("", "ConfigMap", elsewhere): f"forbidden: list configmaps in namespace {elsewhere}"
    }
    assert lists(proxy)[0] == ("/api/v1/configmaps", 403)
    assert set(lists(proxy)[1:]) == {
        (f"/api/v1/namespaces/{elsewhere}/configmaps", 403),
        (f"/api/v1/namespaces/{namespace}/configmaps", 200),
    }
