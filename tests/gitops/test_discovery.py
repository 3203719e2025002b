"""Discovery of Argo CD and Flux apps against the real control plane (their CRDs, no
controllers): what each app deploys, its operator's status, app-of-apps nesting, and that a
kind or namespace the user cannot read is absent, never an error for the rest."""

from __future__ import annotations

import pytest

from driftui.gate import MutationGate
from driftui.gitops.app_specs import App, AppSource
from driftui.gitops.discovery import Discovery, discover_apps, list_readable
from driftui.live.client import ClusterClient
from tests.cluster.crds import APPLICATION, GIT_REPOSITORY, HELM_RELEASE, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create, flux_status, grant, read_rule

pytestmark = pytest.mark.cluster

REPO = "https://git.example/shop.git"


def client_of(cluster: ClusterInfo, user: str = "admin") -> ClusterClient:
    return ClusterClient.from_kubeconfig(
        cluster.kubeconfig(user), gate=MutationGate(read_only=True)
    )


def in_namespaces(found: Discovery, *namespaces: str) -> dict[str, App]:
    return {str(a): a for a in found.apps if a.namespace in namespaces}


def argo_spec(path: str, ns: str, **source: object) -> dict[str, object]:
    return {
        "project": "default",
        "source": {"repoURL": REPO, "targetRevision": "main", "path": path, **source},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
    }


def test_every_kind_is_found_with_its_source_and_status(
    cluster: ClusterInfo, gitops_crds: None, namespace: str
) -> None:
    ns = namespace
    create(
        cluster,
        APPLICATION,
        ns,
        "web",
        argo_spec("deploy/web", "shop", directory={"recurse": True, "exclude": "*.md"}),
        status=argo_status("OutOfSync", "Degraded"),
    )
    create(
        cluster,
        GIT_REPOSITORY,
        ns,
        "infra",
        {"url": "https://git.example/infra.git", "ref": {"tag": "v1.2.0"}, "interval": "1m"},
    )
    ks_spec = {
        "path": "./clusters/prod",
        "targetNamespace": "prod",
        "sourceRef": {"kind": "GitRepository", "name": "infra"},
        "interval": "5m",
        "prune": True,
    }
    create(cluster, KUSTOMIZATION, ns, "prod", ks_spec, status=flux_status("True", "Succeeded"))
    chart_from = {"sourceRef": {"kind": "GitRepository", "name": "infra"}}
    create(
        cluster,
        HELM_RELEASE,
        ns,
        "db",
        {"chart": {"spec": {"chart": "./charts/db", **chart_from}}, "values": {"replicas": 2}},
        status=flux_status("False", "InstallFailed"),
    )
    helm_repo = {"sourceRef": {"kind": "HelmRepository", "name": "bitnami"}}
    create(cluster, HELM_RELEASE, ns, "redis", {"chart": {"spec": {"chart": "redis", **helm_repo}}})

    apps = in_namespaces(discover_apps(client_of(cluster)), ns)

    assert sorted(apps) == [
        f"application/{ns}/web",
        f"helmrelease/{ns}/db",
        f"kustomization/{ns}/prod",
    ]  # the HelmRelease from a Helm repository is not a Git source
    web = apps[f"application/{ns}/web"]
    assert web.sources == (
        AppSource(REPO, "main", "deploy/web", "directory", {"recurse": True, "exclude": "*.md"}),
    )
    assert (web.destination_namespace, web.sync_status, web.health_status) == (
        "shop",
        "OutOfSync",
        "Degraded",
    )
    prod = apps[f"kustomization/{ns}/prod"]
    assert prod.source is not None
    assert (prod.source.repo_url, prod.source.revision, prod.source.path) == (
        "https://git.example/infra.git",
        "v1.2.0",
        "clusters/prod",
    )
    assert (prod.destination_namespace, prod.sync_status, prod.health_status) == (
        "prod",
        "Ready",
        "Succeeded",
    )
    db = apps[f"helmrelease/{ns}/db"]
    assert db.source is not None and (db.source.path, db.source.renderer) == ("charts/db", "helm")
    assert db.source.options == {"values": {"replicas": 2}}
    assert (db.sync_status, db.health_status) == ("NotReady", "InstallFailed")


def test_a_kustomization_without_its_git_repository_says_so(
    cluster: ClusterInfo, gitops_crds: None, namespace: str
) -> None:
    spec = {"path": "./", "sourceRef": {"kind": "GitRepository", "name": "gone"}, "interval": "5m"}
    create(cluster, KUSTOMIZATION, namespace, "orphan", spec)

    [app] = in_namespaces(discover_apps(client_of(cluster)), namespace).values()

    assert app.sources == ()
    assert app.problem == f"GitRepository {namespace}/gone: not found or not readable"


def test_an_app_of_apps_nests_its_children(
    cluster: ClusterInfo, gitops_crds: None, namespace: str
) -> None:
    ns = namespace
    create(cluster, APPLICATION, ns, "root", argo_spec("apps", ns))
    for child in ("billing", "search"):
        tracking = f"{ns}_root:argoproj.io/Application:{ns}/{child}"
        create(
            cluster,
            APPLICATION,
            ns,
            child,
            argo_spec(f"deploy/{child}", ns),
            annotations={"argocd.argoproj.io/tracking-id": tracking},
        )

    found = discover_apps(client_of(cluster))
    [root] = [n for n in found.tree() if n.app.namespace == ns]

    assert root.app.name == "root"
    assert [c.app.name for c in root.children] == ["billing", "search"]
    assert [a.name for a in root.walk()] == ["root", "billing", "search"]


def test_a_kustomization_that_renders_kustomizations_nests_them(
    cluster: ClusterInfo, gitops_crds: None, namespace: str
) -> None:
    ns = namespace
    create(cluster, GIT_REPOSITORY, ns, "fleet", {"url": "https://git.example/fleet.git"})
    source = {"sourceRef": {"kind": "GitRepository", "name": "fleet"}, "interval": "5m"}
    create(cluster, KUSTOMIZATION, ns, "flux-system", {"path": "./clusters/prod", **source})
    flux_labels = {
        "kustomize.toolkit.fluxcd.io/name": "flux-system",
        "kustomize.toolkit.fluxcd.io/namespace": ns,
    }
    create(cluster, KUSTOMIZATION, ns, "infra", {"path": "./infra", **source}, labels=flux_labels)

    [root] = [n for n in discover_apps(client_of(cluster)).tree() if n.app.namespace == ns]

    assert (root.app.name, [c.app.name for c in root.children]) == ("flux-system", ["infra"])
    assert root.app.source is not None and root.app.source.revision == "master"  # Flux's default


def test_a_kind_the_cluster_does_not_serve_is_simply_absent(cluster: ClusterInfo) -> None:
    listing = list_readable(client_of(cluster), ("nothere.driftui.example", "v1", "widgets"))

    assert (listing.items, listing.notes) == ([], [])


def test_a_namespace_the_user_cannot_read_is_absent_not_an_error(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, second_namespace: str
) -> None:
    create(cluster, APPLICATION, namespace, "open", argo_spec("a", namespace))
    create(cluster, APPLICATION, second_namespace, "closed", argo_spec("b", second_namespace))
    grant(cluster, "nobody", namespace, [read_rule(APPLICATION)])

    found = discover_apps(client_of(cluster, "nobody"), [namespace, second_namespace])

    assert [str(a) for a in found.apps] == [f"application/{namespace}/open"]
    assert f"cannot list applications.argoproj.io in namespace {second_namespace}" in found.notes
    # Flux kinds are wholly forbidden to this user: absent, with notes, and no error
    assert not [a for a in found.apps if a.kind != "Application"]
