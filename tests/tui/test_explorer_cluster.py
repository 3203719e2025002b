"""The explorer on the real control plane: read-only holds under every key; faults keep state."""

from __future__ import annotations

import json
import os
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest

from driftui.__main__ import history_of
from driftui.actions.executors import make_executors, make_previewers
from driftui.actions.gate import MutationGate
from driftui.engine import Scanner, ScanOptions
from driftui.model import Status
from driftui.tui.app import DriftExplorer
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.integration import drift_scenario
from tests.tui.conftest import TestExplorer, settle

pytestmark = pytest.mark.cluster

WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


def explorer(scanner: Scanner, gate: MutationGate, **extra: Any) -> DriftExplorer:
    return TestExplorer(
        scanner.scan,
        read_only=gate.read_only,
        gate=gate,
        history=history_of(scanner),
        executors=make_executors(scanner, gate),
        previewers=make_previewers(scanner),
        **extra,
    )


async def test_read_only_explorer_sends_no_write_whatever_keys_are_pressed(
    cluster: ClusterInfo, tmp_path: Path
) -> None:
    ns = f"ro-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    scenario = drift_scenario.build(cluster, ns, tmp_path)
    before = len(cluster.audit_log.read_text().splitlines())
    gate = MutationGate(read_only=True)
    # admin credentials on purpose: only the gate stands between the keys and a write
    scanner = Scanner(
        ScanOptions(
            repo=str(scenario.repo),
            kubeconfig=cluster.kubeconfig("admin"),
            namespace=ns,
            read_only=True,
        ),
        gate,
    )
    app = explorer(scanner, gate)
    pressed = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        counts = app.report.counts() if app.report else {}
        assert counts["drifted"] == 4 and counts["missing"] == 1 and counts["extra"] == 1
        for target in ("drifted", "missing", "extra"):
            wanted = next(r for r in app.report.results if r.status.value == target)
            assert app.resource_tree.reveal(wanted.ref, app.resource_tree.path_of(wanted))
            await settle(pilot)
            for key in [
                "1",
                "2",
                "3",
                "4",
                "5",
                "s",
                "p",
                "t",
                "enter",
                "r",
                "v",
                "c",
                "m",
                "w",
                "w",
                "escape",
            ]:
                await pilot.press(key)
                pressed.append(key)
                await settle(pilot)
                while app.screen is not app.screen_stack[0]:  # a dialog: try to confirm it
                    await pilot.press("tab", "enter")
                    await settle(pilot)
        for key in ("g", "i", "f", "s", "p", "ctrl+p", "escape"):  # views that change the tree
            await pilot.press(key)
            await settle(pilot)
    assert "s" in pressed and "p" in pressed
    events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines()[before:]]
    assert any(e["user"]["username"] == "admin" and e["verb"] == "list" for e in events)
    writes = [
        (e["verb"], e.get("objectRef"))
        for e in events
        if e["user"]["username"] == "admin" and e["verb"] in WRITE_VERBS
    ]
    assert writes == []


async def test_a_dead_server_keeps_the_last_good_state_and_watch_mode_recovers(
    doomed_cluster: ClusterInfo, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    drift_scenario.write_repo(
        repo,
        {
            "cm.yaml": [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "a", "namespace": "default"},
                    "data": {"k": "v"},
                }
            ]
        },
    )
    gate = MutationGate(read_only=True)
    scanner = Scanner(
        ScanOptions(
            repo=str(repo),
            kubeconfig=doomed_cluster.kubeconfig("admin"),
            namespace="default",
            read_only=True,
        ),
        gate,
    )
    app = explorer(scanner, gate, watch_interval=0.3)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert [r.status for r in app.report.results] == [Status.MISSING]
        first = app.report

        os.killpg(doomed_cluster.pids[-1], signal.SIGKILL)
        await pilot.press("r")
        await settle(pilot)
        assert app.report is first  # the last good state stays on screen
        assert "cannot reach" in app.error_text

        harness.restart_apiserver(doomed_cluster)
        harness.request(
            doomed_cluster,
            "POST",
            "/api/v1/namespaces/default/configmaps",
            {"metadata": {"name": "a"}, "data": {"k": "v"}},
        )
        await pilot.press("w")  # watch mode: re-scan on an interval until it works again
        for _ in range(100):
            await pilot.pause(0.1)
            if app.report is not first and not app.error_text:
                break
        await pilot.press("w")
        await settle(pilot)
        assert app.error_text == ""
        assert [r.status for r in app.report.results] == [Status.IN_SYNC]


async def wait_for_dialog(pilot: Any) -> Any:
    from driftui.tui.screens.confirm import ConfirmActionScreen

    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(pilot.app.screen, ConfirmActionScreen):
            return pilot.app.screen
    raise AssertionError("no confirmation dialog")


async def wait_for_status(pilot: Any, ref: Any, status: Status) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        found = next((r for r in pilot.app.report.results if r.ref == ref), None)
        if found is not None and found.status is status:
            return
    raise AssertionError(f"{ref} never became {status}")


async def test_sync_from_the_explorer_previews_then_applies_and_force_is_separate(
    cluster: ClusterInfo, tmp_path: Path
) -> None:
    from textual.widgets import Button, Static

    from driftui.model import ObjectRef

    ns = f"sync-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    scenario = drift_scenario.build(cluster, ns, tmp_path)
    gate = MutationGate(read_only=False)
    scanner = Scanner(
        ScanOptions(repo=str(scenario.repo), kubeconfig=cluster.kubeconfig("admin"), namespace=ns),
        gate,
    )
    app = explorer(scanner, gate)
    gone = ObjectRef("", "ConfigMap", ns, "gone")
    widget = ObjectRef("scenario.driftui.dev", "Widget", ns, "w1")
    widget_path = f"/apis/scenario.driftui.dev/v1/namespaces/{ns}/widgets/w1"
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)

        async def select(ref: ObjectRef) -> None:
            result = next(r for r in app.report.results if r.ref == ref)
            assert app.resource_tree.reveal(ref, app.resource_tree.path_of(result))
            await settle(pilot)

        def shown(dialog: Any) -> str:
            return "\n".join(str(s.render()) for s in dialog.query(Static))

        # a missing object: the dry-run shows what will be created; confirming creates it
        await select(gone)
        await pilot.press("s")
        dialog = await wait_for_dialog(pilot)
        assert "+ kind: ConfigMap" in shown(dialog) and "+   k: v" in shown(dialog)
        status, _ = harness.request(cluster, "GET", f"/api/v1/namespaces/{ns}/configmaps/gone")
        assert status == 404  # the preview created nothing
        dialog.query_one("#confirm", Button).press()
        await wait_for_status(pilot, gone, Status.IN_SYNC)

        # a field another manager owns: plain sync reports the conflict and its manager ...
        await select(widget)
        await pilot.press("s")
        dialog = await wait_for_dialog(pilot)
        assert "fields owned by kubectl-patch" in shown(dialog)
        _, before = harness.request(cluster, "GET", widget_path)
        dialog.query_one("#cancel", Button).press()
        await settle(pilot)
        # ... and force is its own action, with its own confirmation
        await pilot.press("S")
        dialog = await wait_for_dialog(pilot)
        assert "-   size: 5" in shown(dialog) and "+   size: 3" in shown(dialog)
        _, unchanged = harness.request(cluster, "GET", widget_path)
        assert unchanged["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
        dialog.query_one("#confirm", Button).press()
        await wait_for_status(pilot, widget, Status.IN_SYNC)
    _, live = harness.request(cluster, "GET", widget_path)
    assert live["spec"]["size"] == 3
    assert "driftui" in {e["manager"] for e in live["metadata"]["managedFields"]}
