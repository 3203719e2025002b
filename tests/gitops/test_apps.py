"""Argo CD and Flux awareness against the real control plane (their CRDs, no controllers).

Asserts the exact annotation / operation / spec each request writes, that suspend and
resume restore the app exactly, and that viewer, nobody and read-only mode write nothing.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from driftui.cli.apps import suspension_reminders
from driftui.gate import MutationGate
from driftui.gitops.apps import AppError, fetch_app, parse_app
from driftui.gitops.reconcile import FLUX_RECONCILE_ANNOTATION
from driftui.gitops.suspension import Suspension, SuspensionStore
from driftui.live.client import ClusterClient
from driftui.model import AppOwner
from tests.actions.test_sync import (
    audit_events,
    audit_mark,
    cm_path,
    configmap,
    get,
    run,
    server_side_apply,
    writes_by,
)
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import kubectl, write_repo

pytestmark = pytest.mark.cluster

ARGO = ("argoproj.io", "v1alpha1", "applications", "Application")
FLUX = ("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization")


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "driftui" / "suspensions.json"


def app_path(kind: tuple[str, str, str, str], ns: str, name: str) -> str:
    group, version, plural, _ = kind
    return f"/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}"


def create_app(
    cluster: ClusterInfo, kind: tuple[str, str, str, str], ns: str, name: str, spec: dict[str, Any]
) -> dict[str, Any]:
    group, version, plural, kind_name = kind
    body = {
        "apiVersion": f"{group}/{version}",
        "kind": kind_name,
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }
    status, created = harness.request(
        cluster, "POST", f"/apis/{group}/{version}/namespaces/{ns}/{plural}", body
    )
    assert status == 201, created
    return dict(created)


def argo_tracking(ns: str, app: str, name: str) -> dict[str, str]:
    return {"argocd.argoproj.io/tracking-id": f"{ns}_{app}:/ConfigMap:{ns}/{name}"}


def flux_labels(ns: str, ks: str) -> dict[str, str]:
    return {"kustomize.toolkit.fluxcd.io/name": ks, "kustomize.toolkit.fluxcd.io/namespace": ns}


def owned_drift(cluster: ClusterInfo, ns: str, repo: Path, names: list[str], **meta: Any) -> None:
    """ConfigMaps in Git applied by an operator, then edited by hand (drifted)."""
    docs = [configmap(ns, name, {"k": "git"}, **meta) for name in names]
    write_repo(repo, {"app.yaml": docs})
    for doc in docs:
        server_side_apply(cluster, doc, "gitops")
        kubectl(
            cluster,
            "-n",
            ns,
            "patch",
            f"configmap/{doc['metadata']['name']}",
            "--type=merge",
            "-p",
            '{"data":{"k":"edited"}}',
        )


# -- reconcile requests ------------------------------------------------------------------


def test_flux_reconcile_writes_requested_at_and_leaves_the_object(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> None:
    create_app(cluster, FLUX, namespace, "apps", {"interval": "10m", "prune": True})
    owned_drift(
        cluster, namespace, tmp_path / "repo", ["settings"], labels=flux_labels(namespace, "apps")
    )
    before = get(cluster, cm_path(namespace, "settings"))["metadata"]["resourceVersion"]

    result = run(cluster, tmp_path / "repo", namespace, "sync", "--yes")

    assert result.code == 0, result.err
    ks = get(cluster, app_path(FLUX, namespace, "apps"))
    stamp = ks["metadata"]["annotations"][FLUX_RECONCILE_ANNOTATION]
    assert stamp.endswith("Z") and datetime.fromisoformat(stamp).tzinfo is not None
    assert f"flux:{namespace}/apps: requested reconcile at {stamp}" in result.out
    assert ks["spec"] == {"interval": "10m", "prune": True}
    live = get(cluster, cm_path(namespace, "settings"))
    assert live["metadata"]["resourceVersion"] == before  # the operator's job, not ours


def test_argo_selective_sync_writes_the_operation(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> None:
    create_app(
        cluster,
        ARGO,
        namespace,
        "shop",
        {
            "project": "default",
            "source": {
                "repoURL": "https://git.example/shop.git",
                "targetRevision": "main",
                "path": "deploy",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        },
    )
    docs = [
        configmap(namespace, n, {"k": "git"}, annotations=argo_tracking(namespace, "shop", n))
        for n in ("a", "b")
    ]
    write_repo(tmp_path / "repo", {"app.yaml": docs})
    for doc in docs:
        server_side_apply(cluster, doc, "argocd-controller")
        kubectl(
            cluster,
            "-n",
            namespace,
            "patch",
            f"configmap/{doc['metadata']['name']}",
            "--type=merge",
            "-p",
            '{"data":{"k":"edited"}}',
        )

    result = run(cluster, tmp_path / "repo", namespace, "reconcile", "ConfigMap/a", "--yes")

    assert result.code == 0, result.err
    app = get(cluster, app_path(ARGO, namespace, "shop"))
    assert app["operation"] == {
        "initiatedBy": {"username": "driftui"},
        "sync": {
            "revision": "main",
            "resources": [{"group": "", "kind": "ConfigMap", "namespace": namespace, "name": "a"}],
        },
    }
    again = run(cluster, tmp_path / "repo", namespace, "reconcile", "ConfigMap/b", "--yes")
    assert again.code == 2 and "another operation is already in progress" in again.err

    refresh = run(
        cluster,
        tmp_path / "repo",
        namespace,
        "reconcile",
        "--refresh",
        "--yes",
        f"argocd:{namespace}/shop",
    )
    assert refresh.code == 0, refresh.err
    app = get(cluster, app_path(ARGO, namespace, "shop"))
    assert app["metadata"]["annotations"] == {"argocd.argoproj.io/refresh": "normal"}


def test_direct_sync_of_an_auto_syncing_app_warns(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> None:
    create_app(
        cluster,
        ARGO,
        namespace,
        "web",
        {
            "source": {"targetRevision": "v1"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    )
    owned_drift(
        cluster,
        namespace,
        tmp_path / "repo",
        ["cfg"],
        annotations=argo_tracking(namespace, "web", "cfg"),
    )
    result = run(
        cluster, tmp_path / "repo", namespace, "sync", "--direct", "--yes", "--force-conflicts"
    )
    assert result.code == 0, result.err
    assert (
        f"warning: argocd:{namespace}/web auto-syncs with selfHeal: Argo CD will redo or "
        "undo changes made outside it"
    ) in result.err
    assert get(cluster, cm_path(namespace, "cfg"))["data"] == {"k": "git"}
    assert "operation" not in get(cluster, app_path(ARGO, namespace, "web"))


# -- suspend / resume --------------------------------------------------------------------


def test_argo_suspend_and_resume_restore_the_exact_spec(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path, state_home: Path
) -> None:
    spec = {
        "project": "default",
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True, "allowEmpty": False},
            "syncOptions": ["CreateNamespace=true"],
        },
    }
    create_app(cluster, ARGO, namespace, "api", copy.deepcopy(spec))
    write_repo(tmp_path / "repo", {"x.yaml": [configmap(namespace, "x", {})]})
    app = f"argocd:{namespace}/api"

    suspended = run(cluster, tmp_path / "repo", namespace, "suspend", app, "--yes")

    assert suspended.code == 0, suspended.err
    live = get(cluster, app_path(ARGO, namespace, "api"))
    assert live["spec"] == {
        "project": "default",
        "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
    }
    record = json.loads(state_home.read_text())["suspensions"]
    assert [(r["tool"], r["namespace"], r["name"], r["field"], r["previous"]) for r in record] == [
        (
            "argocd",
            namespace,
            "api",
            "spec.syncPolicy.automated",
            {"prune": True, "selfHeal": True, "allowEmpty": False},
        )
    ]
    (reminder,) = suspension_reminders(cluster.server)
    assert reminder.startswith(f"auto-sync of argocd:{namespace}/api suspended by driftui at ")
    listed = run(cluster, tmp_path / "repo", namespace, "resume")
    assert listed.code == 0 and reminder in listed.out

    resumed = run(cluster, tmp_path / "repo", namespace, "resume", app, "--yes")

    assert resumed.code == 0, resumed.err
    assert get(cluster, app_path(ARGO, namespace, "api"))["spec"] == spec
    assert json.loads(state_home.read_text())["suspensions"] == []
    assert suspension_reminders(cluster.server) == []


@pytest.mark.parametrize("previous", [None, False])
def test_flux_suspend_and_resume_restore_the_exact_spec(
    cluster: ClusterInfo,
    gitops_crds: None,
    namespace: str,
    tmp_path: Path,
    previous: bool | None,
) -> None:
    spec: dict[str, Any] = {"interval": "5m", "path": "./deploy"}
    if previous is not None:
        spec["suspend"] = previous
    create_app(cluster, FLUX, namespace, "infra", copy.deepcopy(spec))
    write_repo(tmp_path / "repo", {"x.yaml": [configmap(namespace, "x", {})]})
    app = f"flux:{namespace}/infra"

    assert run(cluster, tmp_path / "repo", namespace, "suspend", app, "--yes").code == 0
    assert get(cluster, app_path(FLUX, namespace, "infra"))["spec"] == {**spec, "suspend": True}
    again = run(cluster, tmp_path / "repo", namespace, "suspend", app, "--yes")
    assert again.code == 2 and "does not auto-sync" in again.err

    assert run(cluster, tmp_path / "repo", namespace, "resume", app, "--yes").code == 0
    assert get(cluster, app_path(FLUX, namespace, "infra"))["spec"] == spec


def test_resume_leaves_an_app_changed_since_alone(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> None:
    create_app(cluster, FLUX, namespace, "svc", {"interval": "5m"})
    write_repo(tmp_path / "repo", {"x.yaml": [configmap(namespace, "x", {})]})
    app = f"flux:{namespace}/svc"
    assert run(cluster, tmp_path / "repo", namespace, "suspend", app, "--yes").code == 0
    status, body = harness.request(
        cluster,
        "PATCH",
        app_path(FLUX, namespace, "svc"),
        {"spec": {"suspend": False}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, body
    result = run(cluster, tmp_path / "repo", namespace, "resume", app, "--yes")
    assert result.code == 0
    assert "was changed since driftui suspended it; left as is" in result.out
    assert get(cluster, app_path(FLUX, namespace, "svc"))["spec"] == {
        "interval": "5m",
        "suspend": False,
    }
    assert suspension_reminders(cluster.server) == []


# -- lookups -----------------------------------------------------------------------------


def test_owning_app_lookup(cluster: ClusterInfo, gitops_crds: None, namespace: str) -> None:
    create_app(cluster, ARGO, namespace, "found", {"syncPolicy": {"automated": {}}})
    client = ClusterClient.from_kubeconfig(cluster.kubeconfig("viewer"), gate=MutationGate())
    app = fetch_app(client, AppOwner("argocd", namespace, "found"))
    assert app is not None and app.auto_sync.enabled and not app.auto_sync.self_heal
    assert fetch_app(client, AppOwner("argocd", namespace, "absent")) is None
    assert parse_app("argocd:found") == AppOwner("argocd", "argocd", "found")
    assert parse_app(f"Kustomization/{namespace}/x") == AppOwner("flux", namespace, "x")
    with pytest.raises(AppError):
        parse_app("flux:only-a-name")


# -- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "read_only", "reason"),
    [
        ("viewer", False, "no patch permission on "),
        ("nobody", False, "cannot read it: "),
        ("admin", True, "read-only mode"),
    ],
)
def test_operator_actions_refused_without_a_write(
    cluster: ClusterInfo,
    gitops_crds: None,
    namespace: str,
    tmp_path: Path,
    user: str,
    read_only: bool,
    reason: str,
) -> None:
    create_app(cluster, FLUX, namespace, "ks", {"interval": "1m"})
    argo = create_app(
        cluster, ARGO, namespace, "app", {"syncPolicy": {"automated": {"selfHeal": True}}}
    )
    owned_drift(cluster, namespace, tmp_path / "repo", ["cm"], labels=flux_labels(namespace, "ks"))
    SuspensionStore().add(
        Suspension(
            "argocd",
            namespace,
            "app",
            "spec.syncPolicy.automated",
            {"selfHeal": True},
            cluster.server,
            "admin@local",
            "2024-01-01T00:00:00Z",
        )
    )
    before = {
        p: get(cluster, p)["metadata"]["resourceVersion"]
        for p in (
            app_path(FLUX, namespace, "ks"),
            app_path(ARGO, namespace, "app"),
            cm_path(namespace, "cm"),
        )
    }
    mark = audit_mark(cluster)

    argvs = [
        ("reconcile", "--yes"),
        ("reconcile", "--yes", f"flux:{namespace}/ks"),
        ("reconcile", "--yes", "--refresh", f"argocd:{namespace}/app"),
        ("sync", "--yes"),
        ("suspend", "--yes", f"argocd:{namespace}/app", f"flux:{namespace}/ks"),
        ("resume", "--yes", f"argocd:{namespace}/app"),
    ]
    results = [
        run(cluster, tmp_path / "repo", namespace, *argv, user=user, read_only=read_only)
        for argv in argvs
    ]

    for argv, result in zip(argvs, results, strict=True):
        assert result.code == 2, (argv, result.out, result.err)
    assert any(reason in r.err for r in results), [r.err for r in results]
    events = audit_events(cluster, mark)
    assert any(e["user"]["username"] == user for e in events)  # the actions really ran
    assert writes_by(events, {user}, namespace, {"ks", "app", "cm", namespace}) == []
    after = {p: get(cluster, p)["metadata"]["resourceVersion"] for p in before}
    assert after == before
    assert argo["spec"] == get(cluster, app_path(ARGO, namespace, "app"))["spec"]
    assert len(suspension_reminders(cluster.server)) == 1  # the record is still there
