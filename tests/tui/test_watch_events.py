"""Watch mode on the real control plane: events where RBAC allows watch, rescans where not."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from driftui.__main__ import explorer_parts
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import DriftResult, ScanReport, Status
from driftui.runtime import heap
from driftui.runtime.progress import ProgressFn
from driftui.tui.widgets.resource_tree import node_key
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.tui.conftest import TestExplorer, scanned, settle

pytestmark = pytest.mark.cluster

PATIENCE = 60.0  # seconds before a wait gives up (a guard, not a timing check)


def configmaps(namespace: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"cm-{i}", "namespace": namespace},
            "data": {"i": str(i)},
        }
        for i in range(count)
    ]


def declared_and_applied(cluster: ClusterInfo, namespace: str, repo: Path) -> None:
    objects = configmaps(namespace, 3)
    for obj in objects:
        status, body = harness.request(
            cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", obj
        )
        assert status == 201, body
    write_repo(repo, {"cms.yaml": objects})


def watching_read_only(
    cluster: ClusterInfo, namespace: str, repo: Path, user: str = "viewer"
) -> Scanner:
    """Three ConfigMaps declared in Git and applied, and ``user``'s read-only scanner of them."""
    declared_and_applied(cluster, namespace, repo)
    options = ScanOptions(
        repo=str(repo), kubeconfig=cluster.kubeconfig(user), namespace=namespace, read_only=True
    )
    return Scanner(options, MutationGate(read_only=True))


class CountingScan:
    """The scanner's full scan, counted: watch events must not cost one."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.calls = 0

    def __call__(self, progress: ProgressFn) -> ScanReport:
        self.calls += 1
        return self.scanner.scan(progress)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.1)


def verdicts(report: ScanReport | None) -> dict[str, tuple[str, tuple[str, ...]]]:
    assert report is not None
    return {
        str(r.ref): (r.status.value, tuple(sorted(f"{d.dotted}={d.live}" for d in r.differences)))
        for r in report.results
    }


async def edit_by_hand(cluster: ClusterInfo, namespace: str, name: str) -> None:
    status, body = harness.request(
        cluster,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/{name}",
        {"data": {"i": "changed by hand"}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, body


def status_of(report: ScanReport | None, name: str) -> Status | None:
    assert report is not None
    return next((r.status for r in report.results if r.ref.name == name), None)


async def test_watch_mode_judges_changed_objects_from_events_without_a_rescan(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[int] = []  # jobs that froze the heap: a batch must not (heap.keep_all)
    monkeypatch.setattr(heap, "keep_all", lambda: frozen.append(len(frozen)))
    scanner = watching_read_only(cluster, namespace, tmp_path / "repo")
    scan = CountingScan(scanner)
    app = TestExplorer(scan, **explorer_parts(scanner, scanner.gate), watch_interval=3600)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert status_of(app.report, "cm-1") is Status.IN_SYNC
        await pilot.press("w")
        await wait_until(pilot, lambda: app.watching.events is not None, "the informers")
        await edit_by_hand(cluster, namespace, "cm-1")
        await wait_until(
            pilot, lambda: status_of(app.report, "cm-1") is Status.DRIFTED, "the event"
        )
        tree = app.resource_tree
        cm1 = next(r for r in scanned(app).results if r.ref.name == "cm-1")
        assert tree.reveal(cm1.ref, tree.path_of(cm1))  # the cursor on cm-1, its groups open
        await settle(pilot)
        nodes = {node_key(n.data): n for n in tree.walk()}
        await edit_by_hand(cluster, namespace, "cm-2")
        await wait_until(
            pilot, lambda: status_of(app.report, "cm-2") is Status.DRIFTED, "the second event"
        )
        await settle(pilot)
        screen = app.export_screenshot().replace("&#160;", " ")
        shown = app.report
        now = {node_key(n.data): n for n in tree.walk()}
        cursor = tree.cursor_node
        app.watching.stop()
    assert scan.calls == 1  # the events were judged on their own, not by a full rescan
    # cm-2 left the "in sync" fold for its group (a new node); every other node stayed
    assert len(nodes) >= 3 and all(now.get(key) is node for key, node in nodes.items())
    assert cursor is nodes[("", cm1.ref)]
    assert {n.data.ref.name for n in now.values() if isinstance(n.data, DriftResult)} == {
        "cm-1",
        "cm-2",
    }
    # the scan and the informers' first LIST froze what they built; the events' batches did not
    assert frozen == [0, 1]
    assert "watching events" in screen
    assert verdicts(shown) == verdicts(Scanner(scanner.options, scanner.gate).scan())


def grant_list_but_not_watch(cluster: ClusterInfo, namespace: str, user: str) -> None:
    base = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}"
    role = {
        "metadata": {"name": "list-only"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
    }
    binding = {
        "metadata": {"name": "list-only"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "list-only"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    for kind, body in (("roles", role), ("rolebindings", binding)):
        status, answer = harness.request(cluster, "POST", f"{base}/{kind}", body)
        assert status == 201, answer


async def test_without_watch_permission_it_rescans_and_the_header_says_so(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    declared_and_applied(cluster, namespace, tmp_path / "repo")
    grant_list_but_not_watch(cluster, namespace, "nobody")
    options = ScanOptions(
        repo=str(tmp_path / "repo"), kubeconfig=cluster.kubeconfig("nobody"), namespace=namespace
    )
    gate = MutationGate(read_only=False)  # the RBAC review is asked, as for any user
    scanner = Scanner(options, gate)
    scan = CountingScan(scanner)
    app = TestExplorer(scan, **explorer_parts(scanner, gate), watch_interval=0.5)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: bool(app.watching.refused), "the access review")
        await wait_until(pilot, lambda: scan.calls >= 2, "a rescan")  # the fallback runs
        screen = app.export_screenshot().replace("&#160;", " ")
        app.watching.stop()
        await settle(pilot)  # the last rescan lands before the app closes
    assert app.watching.events is None
    assert "no watch permission" in screen


async def test_a_report_a_watch_batch_replaced_goes_without_a_full_collection(
    cluster: ClusterInfo, namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference counting alone frees the report a batch replaced. Textual's workers live in
    reference cycles, and the batch's worker closed over the report it judged: with full
    collections held off while the user types, each kept a whole report and every result
    and live object churn replaced since (issue 21: 23 reports after 50 s of churn)."""
    monkeypatch.setattr(heap, "settle", lambda *, idle: False)  # no full collection of ours
    scanner = watching_read_only(cluster, namespace, tmp_path / "repo")
    app = TestExplorer(scanner.scan, **explorer_parts(scanner, scanner.gate), watch_interval=3600)
    gc.collect()
    gc.disable()  # nor CPython's: what waits for one stays
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            await pilot.press("w")
            await wait_until(pilot, lambda: app.watching.events is not None, "the informers")
            replaced = weakref.ref(scanned(app))
            await edit_by_hand(cluster, namespace, "cm-1")
            await wait_until(
                pilot, lambda: status_of(app.report, "cm-1") is Status.DRIFTED, "the event"
            )
            await settle(pilot)
            gone = replaced() is None
            app.watching.stop()
    finally:
        gc.enable()
    assert gone
