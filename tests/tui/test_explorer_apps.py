"""The explorer over Argo CD apps (issue 20), on the real control plane with Git served on
127.0.0.1: app ▸ namespace ▸ kind, child apps under their parent, per-app counts, and the
operator's own status beside driftui's verdict, marked where they disagree."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from driftui.__main__ import (
    app_tree_parts,
    apps_scan,
    explorer_parts,
    fleet_apps_scan,
    fleet_parts,
    opens_on_apps,
)
from driftui.engine import Scanner, ScanOptions
from driftui.engine.fleet import Fleet
from driftui.gate import MutationGate
from driftui.runtime.progress import ProgressFn
from driftui.tui.scope import Scope
from driftui.tui.screens.confirm import ConfirmActionScreen
from driftui.tui.status_style import GLYPH, DisplayStatus
from driftui.tui.tree_model import Grouping
from driftui.tui.widgets.resource_tree import GroupEntry, Node
from tests.cli.test_app_sources import REPO_FILES, World, argo_applied, cm
from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create
from tests.gitserver import make_bare, serve_git
from tests.multi_cluster import two_clusters
from tests.source.test_render_config import make_repo
from tests.tui.conftest import TestExplorer, settle, told
from tests.tui.sample_data import clock

pytestmark = pytest.mark.cluster

NAMESPACE = "explorer-apps"  # fixed: the snapshot shows it
M = GLYPH[DisplayStatus.MISSING]
SIZE = (120, 30)


@pytest.fixture(scope="module")
def world(
    cluster: ClusterInfo, gitops_crds: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Three Argo CD apps: ``root`` (OutOfSync, its object missing) renders ``web``
    (Synced, yet its ConfigMap was edited by hand) and ``shop`` (Synced, in sync)."""
    tmp = tmp_path_factory.mktemp("explorer-apps")
    code, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": NAMESPACE}}
    )
    assert code == 201, body
    work = make_repo(tmp / "work", REPO_FILES)
    make_bare(tmp / "srv", "deploy.git", work)
    with serve_git(tmp / "srv") as base:
        w = World(cluster, NAMESPACE, f"{base}/deploy.git", work)
        application(w, "root", "right", "OutOfSync")
        application(w, "web", "web", "Synced", parent="root")
        application(w, "shop", "shop", "Synced", parent="root")
        argo_applied(w, "web", "web-settings", colour="red")  # an edit Argo has not seen
        argo_applied(w, "shop", "shop-settings")
        yield w
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{NAMESPACE}")


def application(w: World, name: str, path: str, sync: str, parent: str = "") -> None:
    """An Application as Argo CD leaves it; a child carries its parent's tracking id."""
    source = {"repoURL": w.url, "targetRevision": "main", "path": path}
    spec = {
        "project": "default",
        "source": source,
        "destination": {"server": "https://kubernetes.default.svc", "namespace": w.ns},
    }
    meta: dict[str, Any] = {}
    if parent:
        tracking = f"{w.ns}_{parent}:argoproj.io/Application:{w.ns}/{name}"
        meta["annotations"] = {"argocd.argoproj.io/tracking-id": tracking}
    create(w.cluster, APPLICATION, w.ns, name, spec, status=argo_status(sync, "Healthy"), **meta)


def explorer(
    w: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    read_only: bool = True,
    repo: Path | None = None,
) -> TestExplorer:
    """Built as ``driftui tui --all-apps`` builds it, named alike on every run. ``repo``:
    the scanner's own --repo (by default the work tree of the apps' repository)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    gate = MutationGate(read_only=read_only)
    options = ScanOptions(
        repo=str(repo or w.work),
        kubeconfig=w.cluster.kubeconfig("admin"),
        namespace=w.ns,
        read_only=read_only,
    )
    scanner = Scanner(options, gate)
    args = argparse.Namespace(namespace=w.ns)  # as plain `driftui` parses: no --app flags
    scan = apps_scan(scanner, args, every=True)

    def named(progress: ProgressFn) -> Scope:
        scope: Scope = scan(progress)
        source = replace(scope.report.source, repo="deploy", commit="0" * 40)
        live = replace(scope.report.live, server="https://127.0.0.1:6443")
        return replace(scope, report=replace(scope.report, source=source, live=live))

    parts = app_tree_parts(explorer_parts(scanner, gate), scan)
    return TestExplorer(named, clock=clock, **parts)


def label(node: Node) -> str:
    return str(node.label)


def child(node: Node, start: str) -> Node:
    return next(c for c in node.children if label(c).startswith(start))


async def open_all(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    app.resource_tree.show_in_sync = True
    app._rebuild()
    app.resource_tree.open_all()
    await settle(pilot)


async def test_the_tree_is_app_namespace_kind_with_children_under_their_parent(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = explorer(world, monkeypatch, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.resource_tree.grouping is Grouping.APPS
        await open_all(pilot)
        tree = app.resource_tree
        (root,) = [c for c in tree.root.children if isinstance(c.data, GroupEntry)]
        assert label(root).startswith(f"{M} root")
        assert f"{M}1" in label(root) and "≠1" in label(root) and "✓1" in label(root)
        web = child(root, "≠ web")
        shop = child(root, "✓ shop")
        assert label(child(child(web, f"≠ {NAMESPACE}"), "≠ ConfigMap").children[0]) == (
            "≠ web-settings"
        )
        assert "✓1" in label(shop)
        right = child(child(root, f"{M} {NAMESPACE}"), f"{M} ConfigMap").children[0]
        assert label(right) == f"{M} right-settings · ♥ Missing"


async def test_the_operators_status_stands_beside_the_verdict_marked_where_they_disagree(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = explorer(world, monkeypatch, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_all(pilot)
        root = app.resource_tree.root.children[0]
        web = child(root, "≠ web")
        shop = child(root, "✓ shop")
        # Argo CD calls web Synced while driftui sees its ConfigMap edited: marked
        assert label(web).endswith("≠1 ⚠ Argo CD: Synced/Healthy")
        app.resource_tree.go_to(web)
        await settle(pilot)
        said = app.detail.view_lines("diff-view")[0]
        assert said == "root ▸ web — ⚠ Argo CD calls it Synced, but driftui sees drift"
        # in sync and Synced: the status only; OutOfSync with drift: agreed, no mark
        assert label(shop).endswith("· Argo CD: Synced/Healthy")
        assert "⚠" not in label(root) and label(root).endswith("· Argo CD: OutOfSync/Healthy")


async def force_sync_web_settings(app: TestExplorer, pilot: Pilot[Any]) -> list[str]:
    """Select web ▸ web-settings in the app tree, force-sync it (kubectl-edit owns the
    colour), confirm when asked; the notifications told."""
    await settle(pilot)
    await open_all(pilot)
    web = child(app.resource_tree.root.children[0], "≠ web")
    leaf = child(child(child(web, f"≠ {NAMESPACE}"), "≠ ConfigMap"), "≠ web-settings")
    return await act_on(app, pilot, leaf, "S")


async def act_on(app: TestExplorer, pilot: Pilot[Any], node: Node, key: str) -> list[str]:
    """Press ``key`` on ``node``, confirm when asked; the notifications told."""
    app.resource_tree.go_to(node)
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    if isinstance(app.screen, ConfirmActionScreen):
        app.screen.query_one("#confirm", Button).press()
        await settle(pilot)
    return told(app)


def live_colour(w: World) -> str:
    code, body = harness.request(
        w.cluster, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps/web-settings"
    )
    assert code == 200, body
    return str(body["data"]["colour"])


@pytest.fixture
def restored(world: World) -> Iterator[World]:
    """web-settings as the module's world made it (edited red), after a test synced it."""
    yield world
    path = f"/api/v1/namespaces/{NAMESPACE}/configmaps/web-settings"
    harness.request(world.cluster, "DELETE", path)
    argo_applied(world, "web", "web-settings", colour="red")


async def test_a_sync_in_the_app_tree_applies_that_apps_own_source(
    restored: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """web-settings was judged from web's source (blue, on the served repository); the
    scanner's own --repo here says green. The sync applies web's source, and only it."""
    w = restored
    other = make_repo(tmp_path / "other", {"web/settings.yaml": cm("web-settings", colour="green")})
    app = explorer(w, monkeypatch, tmp_path, read_only=False, repo=other)
    async with app.run_test(size=SIZE) as pilot:
        told = await force_sync_web_settings(app, pilot)
        assert any("Sync: 1 of 1 done" in m for m in told), told
    assert live_colour(w) == "blue"
    code, shop = harness.request(
        w.cluster, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps/shop-settings"
    )
    assert code == 200 and "driftui" not in str(shop["metadata"]["managedFields"])


async def test_a_sync_of_objects_of_several_apps_refuses_rather_than_pick_one_source(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The root app's row holds root's own missing object and its children's objects."""
    app = explorer(world, monkeypatch, tmp_path, read_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_all(pilot)
        told = await act_on(app, pilot, app.resource_tree.root.children[0], "s")
        assert any("belong to several apps" in m for m in told), told
    code, _ = harness.request(
        world.cluster, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps/right-settings"
    )
    assert code == 404  # root's missing object was not created
    assert live_colour(world) == "red"


async def test_an_action_in_a_read_only_app_tree_still_refuses(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = explorer(world, monkeypatch, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        told = await force_sync_web_settings(app, pilot)
        # refused before any preview or confirmation, not by the apply itself
        assert any("read-only" in m.lower() for m in told), told
        assert not any("Working out" in m or " done" in m for m in told), told
    assert live_colour(world) == "red"


async def test_apps_over_two_clusters_sit_under_their_cluster(
    world: World,
    cluster: ClusterInfo,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``driftui tui --context a,b --all-apps``: plane a runs the apps; plane b has no
    Argo CD at all, which is no error: its row says it declares nothing."""
    with two_clusters(cluster, tmp_path, "explorer-apps-b") as planes:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # after: testbin
        options = ScanOptions(
            repo=str(world.work), kubeconfig=planes.kubeconfig, namespace=NAMESPACE, read_only=True
        )
        fleet = Fleet(options, ["a", "b"], read_only=True)
        args = argparse.Namespace(namespace=NAMESPACE, app=[], repo_map=[])
        scan = fleet_apps_scan(fleet, args, every=True)
        parts = app_tree_parts(fleet_parts(fleet, MutationGate(read_only=True)), scan)
        app = TestExplorer(scan, clock=clock, **parts)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.resource_tree.grouping is Grouping.APPS
            await open_all(pilot)
            a, b = app.resource_tree.root.children
            assert label(a).startswith(f"{M} a ")
            web = child(child(a, f"{M} root"), "≠ web")
            assert label(web).endswith("≠1 ⚠ Argo CD: Synced/Healthy")
            assert label(b) == "✓ b · nothing declared here"


def test_plain_driftui_outside_a_work_tree_opens_on_the_apps(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = argparse.Namespace(repo=".", path=None, live=None)
    scanner = Scanner(ScanOptions(repo=".", kubeconfig=world.cluster.kubeconfig("admin")))
    monkeypatch.chdir(tmp_path)
    assert opens_on_apps(args, scanner)
    monkeypatch.chdir(world.work)  # inside a work tree: the work tree stays the source
    assert not opens_on_apps(args, scanner)
    monkeypatch.chdir(tmp_path)
    assert not opens_on_apps(
        argparse.Namespace(repo=str(world.work), path=None, live=None), scanner
    )


def test_snapshot_app_tree(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, snap_compare: Any
) -> None:
    async def on_root(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app: Any = pilot.app
        app.resource_tree.go_to(app.resource_tree.root.children[0])
        await settle(pilot)

    app = explorer(world, monkeypatch, tmp_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=on_root)
