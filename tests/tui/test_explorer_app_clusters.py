"""Actions in the explorer's app tree when apps deploy to other clusters (issues 20 and 23),
on two real control planes: the Argo CD Applications live on plane A, ``home`` deploys to A
and its child ``remote`` to B. An action acts on the cluster its objects' app deploys to,
through that cluster's own client and gate, named in the confirmation; a selection of
objects on two clusters is refused."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from driftui.__main__ import app_tree_parts, apps_scan, explorer_parts, fleet_apps_scan, fleet_parts
from driftui.engine import Scanner, ScanOptions
from driftui.engine.fleet import Fleet
from driftui.gate import MutationGate
from driftui.model import AppRef
from driftui.tui.screens.confirm import ConfirmActionScreen
from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create
from tests.multi_cluster import Clusters, entry_of, kubeconfig_of, two_clusters
from tests.tui.conftest import TestExplorer, settle, told
from tests.tui.sample_data import clock

pytestmark = pytest.mark.cluster

REPO_URL = "https://git.example.invalid/deploy.git"  # --repo-map stands the local repo in
SIZE = (120, 30)
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


@pytest.fixture(scope="module")
def planes(
    cluster: ClusterInfo, gitops_crds: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Clusters]:
    with two_clusters(cluster, tmp_path_factory.mktemp("app-clusters")) as clusters:
        yield clusters


@pytest.fixture(scope="module")
def hub(planes: Clusters) -> Iterator[str]:
    """A namespace on plane A holding the Applications: ``home`` (to A) renders ``remote``
    (to B, by server URL). B has no Argo CD at all."""
    ns = f"hub-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        planes.a, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body

    def app(name: str, server: str, **meta: Any) -> None:
        spec = {
            "project": "default",
            "source": {"repoURL": REPO_URL, "targetRevision": "main", "path": "."},
            "destination": {"server": server, "namespace": planes.namespace},
        }
        create(
            planes.a, APPLICATION, ns, name, spec, status=argo_status("Synced", "Healthy"), **meta
        )

    app("home", "https://kubernetes.default.svc")
    tracking = f"{ns}_home:argoproj.io/Application:{ns}/remote"
    app("remote", planes.b.server, annotations={"argocd.argoproj.io/tracking-id": tracking})
    yield ns
    harness.request(planes.a, "DELETE", f"/api/v1/namespaces/{ns}")


@pytest.fixture
def b_restored(planes: Clusters, hub: str) -> Iterator[str]:
    """Plane B as the module made it (``extra`` deleted), after a test synced it."""
    yield hub
    harness.request(planes.b, "DELETE", f"/api/v1/namespaces/{planes.namespace}/configmaps/extra")


def args_for(planes: Clusters, hub: str) -> argparse.Namespace:
    """As ``driftui tui --all-apps -n HUB --repo-map URL=REPO`` parses."""
    return argparse.Namespace(namespace=hub, app=[], repo_map=[f"{REPO_URL}={planes.repo}"])


def one_hub(planes: Clusters, hub: str, kubeconfig: str = "") -> TestExplorer:
    """``driftui tui --context a --all-apps``, built as ``open_explorer`` builds it."""
    gate = MutationGate(read_only=False)
    config = kubeconfig or planes.kubeconfig
    options = ScanOptions(repo=str(planes.repo), kubeconfig=config, context="a")
    scanner = Scanner(options, gate)
    scan = apps_scan(scanner, args_for(planes, hub), every=True)
    return TestExplorer(scan, clock=clock, **app_tree_parts(explorer_parts(scanner, gate), scan))


def two_hubs(planes: Clusters, hub: str) -> TestExplorer:
    """``driftui tui --context a,b --all-apps``: the app tree under each cluster."""
    options = ScanOptions(repo=str(planes.repo), kubeconfig=planes.kubeconfig)
    fleet = Fleet(options, ["a", "b"], read_only=False)
    scan = fleet_apps_scan(fleet, args_for(planes, hub), every=True)
    parts = app_tree_parts(fleet_parts(fleet, MutationGate(read_only=False)), scan)
    return TestExplorer(scan, clock=clock, **parts)


def writes(plane: ClusterInfo, namespace: str) -> int:
    """Writes to ``namespace`` on ``plane`` so far (the server writes its own leases too;
    the rescan after an action predicts with dry-runs, which change nothing)."""
    events = [json.loads(line) for line in plane.audit_log.read_text().splitlines()]
    return sum(
        e.get("verb") in WRITE_VERBS
        and (e.get("objectRef") or {}).get("namespace") == namespace
        and "dryRun=" not in e.get("requestURI", "")
        for e in events
    )


async def on_remote_extra(pilot: Pilot[Any], hub: str) -> None:
    """The cursor on ``remote``'s ConfigMap ``extra`` (missing on B)."""
    app: Any = pilot.app
    await settle(pilot)
    remote = AppRef("Application", hub, "remote")
    result = next(r for r in app.report.results if r.app == remote and r.ref.name == "extra")
    assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
    await settle(pilot)


async def sync_confirmed(pilot: Pilot[Any]) -> tuple[str, list[str]]:
    """Press s, confirm; the confirmation's title and the notifications."""
    app: Any = pilot.app
    await pilot.press("s")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ConfirmActionScreen), told(app)
    title = str(screen.query_one("#confirm-title").render())
    screen.query_one("#confirm", Button).press()
    await settle(pilot)
    await app.workers.wait_for_complete()
    await settle(pilot)
    return title, told(app)


def extra_on(plane: ClusterInfo, namespace: str) -> dict[str, Any] | None:
    path = f"/api/v1/namespaces/{namespace}/configmaps/extra"
    code, body = harness.request(plane, "GET", path)
    return body if code == 200 else None


@pytest.mark.parametrize("opened", [one_hub, two_hubs], ids=["context-a", "contexts-a-b"])
async def test_a_sync_of_an_object_of_an_app_on_plane_b_writes_to_b_and_names_it(
    planes: Clusters, b_restored: str, opened: Any
) -> None:
    hub = b_restored
    app = opened(planes, hub)
    async with app.run_test(size=SIZE) as pilot:
        await on_remote_extra(pilot, hub)
        on_a = writes(planes.a, planes.namespace)
        title, told = await sync_confirmed(pilot)
        assert title == f"Sync ConfigMap {planes.namespace}/extra in cluster b?"
        assert any("Sync: 1 of 1 done" in m for m in told), told
    created = extra_on(planes.b, planes.namespace)
    assert created is not None  # created on B, through B's own context
    assert "driftui" in {m["manager"] for m in created["metadata"]["managedFields"]}
    assert writes(planes.a, planes.namespace) == on_a  # and nothing written to A
    assert extra_on(planes.a, planes.namespace) is not None  # A's own extra, as it was


async def test_a_selection_over_two_clusters_is_refused(planes: Clusters, hub: str) -> None:
    """home's row holds home's objects (on A) and its child remote's (on B)."""
    app = one_hub(planes, hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = next(n for n in app.resource_tree.root.children if " home" in str(n.label))
        app.resource_tree.go_to(home)
        await settle(pilot)
        on_a, on_b = writes(planes.a, planes.namespace), writes(planes.b, planes.namespace)
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("select objects of one cluster, not of a, b" in m for m in told(app)), told(app)
    assert writes(planes.a, planes.namespace) == on_a
    assert writes(planes.b, planes.namespace) == on_b


async def test_b_s_own_rbac_decides_an_action_on_b(
    planes: Clusters, hub: str, tmp_path: Path
) -> None:
    """Admin on A, only a viewer on B: a sync of remote's object is refused by B's RBAC
    before any confirmation (A's permissions say nothing about B)."""
    contexts = {"a": planes.entries["a"], "b": entry_of(planes.b.kubeconfig("viewer"))}
    app = one_hub(planes, hub, kubeconfig_of(tmp_path / "viewer-on-b.kubeconfig", contexts))
    async with app.run_test(size=SIZE) as pilot:
        await on_remote_extra(pilot, hub)
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("no create permission on configmaps" in m for m in told(app)), told(app)
    assert extra_on(planes.b, planes.namespace) is None
