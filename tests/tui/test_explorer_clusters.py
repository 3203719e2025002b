"""The explorer over several clusters (issue 23), on two real control planes: clusters at
the top of the tree, "Same object, every cluster", "Compare clusters", and actions that act
on exactly one cluster, named in the confirmation."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from driftui.__main__ import fleet_parts
from driftui.engine import ScanOptions
from driftui.engine.fleet import Fleet
from driftui.gate import MutationGate
from driftui.model import ClustersReport, ObjectRef
from driftui.runtime.progress import ProgressFn
from driftui.tui.screens.cluster_compare import CompareClustersScreen
from driftui.tui.screens.cluster_matrix import ClusterMatrixScreen
from driftui.tui.screens.confirm import ConfirmActionScreen
from driftui.tui.status_style import GLYPH, DisplayStatus
from driftui.tui.widgets.key_bar import KeyBar
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.multi_cluster import Clusters, two_clusters
from tests.tui.conftest import TestExplorer, make_app, settle
from tests.tui.sample_data import clock

pytestmark = pytest.mark.cluster

NAMESPACE = "explorer-multi"  # fixed: the snapshots show it
SIZE = (110, 30)
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


@pytest.fixture(scope="module")
def planes(cluster: ClusterInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clusters]:
    with two_clusters(cluster, tmp_path_factory.mktemp("multi-tui"), NAMESPACE) as clusters:
        yield clusters


def renamed(report: ClustersReport) -> ClustersReport:
    """The same scan with the temporary repository's path and commit named alike on every
    run, so the header of a snapshot does not change."""
    source = replace(report.source, repo="deploy", commit="0" * 40)
    for c in report.clusters:
        if c.report is not None:
            c.report = replace(c.report, source=source)
    return replace(report, source=source)


def explorer(
    planes: Clusters, contexts: list[str], *, read_only: bool = True, repo: Path | None = None
) -> TestExplorer:
    """Built as ``driftui tui --context …`` builds it (``fleet_parts``), with a fixed clock.
    Read-only ones name their source alike on every run (a sync needs the real commit)."""
    options = ScanOptions(
        repo=str(repo or planes.repo),
        kubeconfig=planes.kubeconfig,
        namespace=planes.namespace,
        read_only=read_only,
    )
    fleet = Fleet(options, contexts, read_only=read_only)

    def scan(progress: ProgressFn) -> ClustersReport:
        report = fleet.scan(progress)
        return renamed(report) if read_only else report

    gate = MutationGate(read_only=read_only)
    return TestExplorer(scan, clock=clock, **fleet_parts(fleet, gate))


def top_rows(app: TestExplorer) -> list[str]:
    return [str(node.label) for node in app.resource_tree.root.children]


async def on_object(pilot: Pilot[Any], cluster: str, name: str, kind: str = "ConfigMap") -> None:
    app: Any = pilot.app
    result = next(
        r
        for r in app.report.results
        if r.cluster == cluster and r.ref == ObjectRef("", kind, NAMESPACE, name)
    )
    assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
    await settle(pilot)


async def test_clusters_lead_the_tree_with_their_counts_and_an_unreadable_one_says_why(
    planes: Clusters,
) -> None:
    app = explorer(planes, ["a", "b", "down"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        a, b, down = top_rows(app)
        assert a.startswith("≠ a") and "≠1" in a and "✓2" in a
        missing, error = GLYPH[DisplayStatus.MISSING], GLYPH[DisplayStatus.ERROR]
        assert b.startswith(f"{missing} b") and f"{missing}1" in b and "✓2" in b
        assert down.startswith(f"{error} down cannot be read: cannot reach https://127.0.0.1:")
        assert app.resource_tree.grouping.heading == "namespace ▸ kind"


async def test_a_cluster_the_user_may_not_read_is_one_row_with_its_error(
    planes: Clusters,
) -> None:
    app = explorer(planes, ["ro-a", "ro-b"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ro_a, ro_b = top_rows(app)
        assert "≠1" in ro_a and "cannot be read" not in ro_a
        assert "cannot be read: forbidden" in ro_b and "(every object)" in ro_b


async def test_same_object_every_cluster_says_a_is_the_only_one_that_drifted(
    planes: Clusters,
) -> None:
    app = explorer(planes, ["a", "b", "down"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_object(pilot, "a", "settings")
        await pilot.press("x")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClusterMatrixScreen)
        cells = {row.context: (row.status, row.differences) for row in screen.rows}
        assert cells["a"] == ("≠ drifted", 1)
        assert cells["b"] == ("✓ in sync", 0)
        assert cells["down"][0] == "cluster error"
        verdict = str(screen.query_one("#matrix-verdict").render())
        assert verdict == "differs from Git only in a; in sync in b; not known in down"


async def test_compare_clusters_diffs_the_object_live_in_a_against_live_in_b(
    planes: Clusters,
) -> None:
    app = explorer(planes, ["a", "b"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_object(pilot, "a", "settings")
        await pilot.press("W")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareClustersScreen)
        assert (screen.left, screen.right) == ("a", "b")
        assert [p for p in screen.comparison.paths] == [("data", "color")]
        lines = screen.lines()
        assert "-   color: red" in lines and "+   color: blue" in lines
        # normalised as Git against live: nothing the API server invents differs
        assert not any(word in "\n".join(lines) for word in ("uid", "resourceVersion", "status"))
        await pilot.press("escape")
        await settle(pilot)
        await on_object(pilot, "a", "plain")
        await pilot.press("W")
        await settle(pilot)
        assert isinstance(app.screen, CompareClustersScreen)
        assert app.screen.comparison.same
        assert str(app.screen.query_one("#compare-summary").render()) == "the same in a and b"


def _secret(name: str, value: str) -> dict[str, Any]:
    encoded = base64.b64encode(value.encode()).decode()
    meta = {"name": name, "namespace": NAMESPACE}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": {"token": encoded}}


async def test_compare_clusters_masks_secrets_with_one_key_equal_values_compare_equal(
    planes: Clusters, tmp_path: Path
) -> None:
    """Each cluster's scanner masks with the explorer's one key: a Secret that holds the
    same value in both is the same, one that differs shows which key, never the value."""
    repo = tmp_path / "secrets-repo"
    write_repo(repo, {"secrets.yaml": [_secret("same", "s3cret-one"), _secret("apart", "x")]})
    for plane, apart in ((planes.a, "s3cret-in-a"), (planes.b, "s3cret-in-b")):
        for body in (_secret("same", "s3cret-one"), _secret("apart", apart)):
            path = f"/api/v1/namespaces/{NAMESPACE}/secrets"
            code, out = harness.request(plane, "POST", path, body)
            assert code == 201, out
    app = explorer(planes, ["a", "b"], repo=repo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_object(pilot, "a", "same", kind="Secret")
        await pilot.press("W")
        await settle(pilot)
        assert isinstance(app.screen, CompareClustersScreen)
        assert app.screen.comparison.same
        await pilot.press("escape")
        await on_object(pilot, "a", "apart", kind="Secret")
        await pilot.press("W")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareClustersScreen)
        assert screen.comparison.paths == (("data", "token"),)
        text = "\n".join(screen.lines())
        for value in ("s3cret-in-a", "s3cret-in-b"):
            assert value not in text and base64.b64encode(value.encode()).decode() not in text
    for plane in (planes.a, planes.b):
        for name in ("same", "apart"):
            harness.request(plane, "DELETE", f"/api/v1/namespaces/{NAMESPACE}/secrets/{name}")


def _writes(cluster: ClusterInfo) -> int:
    """Writes to the test's namespace (the API server writes its own leases meanwhile)."""
    events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines()]
    return sum(
        e.get("verb") in WRITE_VERBS and (e.get("objectRef") or {}).get("namespace") == NAMESPACE
        for e in events
    )


async def test_a_sync_names_its_one_cluster_and_writes_to_that_cluster_only(
    planes: Clusters,
) -> None:
    app = explorer(planes, ["a", "b"], read_only=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_object(pilot, "b", "extra")  # missing in b only
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmActionScreen)
        title = str(screen.query_one("#confirm-title").render())
        assert title == f"Sync ConfigMap {NAMESPACE}/extra in cluster b?"
        writes_on_a = _writes(planes.a)
        screen.query_one("#confirm", Button).press()
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
    code, _ = harness.request(planes.b, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps/extra")
    assert code == 200  # created in b
    assert _writes(planes.b) > 0
    assert _writes(planes.a) == writes_on_a  # and nothing written to a
    code, _ = harness.request(
        planes.b, "DELETE", f"/api/v1/namespaces/{NAMESPACE}/configmaps/extra"
    )
    assert code == 200


async def test_the_cluster_keys_show_only_over_several_clusters(planes: Clusters) -> None:
    many = explorer(planes, ["a", "b"])
    async with many.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await on_object(pilot, "a", "settings")
        shown = {e.description for e in many.query_one(KeyBar).entries}
        assert {"Every cluster", "Compare clusters"} <= shown
    one = make_app()
    async with one.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        shown = {e.description for e in one.query_one(KeyBar).entries}
        assert not {"Every cluster", "Compare clusters"} & shown


# -- snapshots ---------------------------------------------------------------------------


def test_snapshot_clusters_tree(planes: Clusters, snap_compare: Any) -> None:
    async def on_clusters(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app: Any = pilot.app
        app.resource_tree.go_to(app.resource_tree.root.children[0])
        await settle(pilot)

    assert snap_compare(explorer(planes, ["a", "b"]), terminal_size=SIZE, run_before=on_clusters)


def test_snapshot_same_object_every_cluster(planes: Clusters, snap_compare: Any) -> None:
    async def matrix(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await on_object(pilot, "a", "settings")
        await pilot.press("x")
        await settle(pilot)

    assert snap_compare(explorer(planes, ["a", "b"]), terminal_size=SIZE, run_before=matrix)


def test_snapshot_compare_clusters(planes: Clusters, snap_compare: Any) -> None:
    async def compare(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await on_object(pilot, "a", "settings")
        await pilot.press("W")
        await settle(pilot)

    assert snap_compare(explorer(planes, ["a", "b"]), terminal_size=SIZE, run_before=compare)
