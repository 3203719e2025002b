"""The explorer on the real control plane: read-only holds under every key; faults keep state."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button

from driftui.__main__ import explorer_parts
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.model import Status
from driftui.tui.app import DriftExplorer
from driftui.tui.screens.confirm import ConfirmActionScreen
from tests import drift_scenario
from tests.actions.test_sync import server_side_apply
from tests.cluster import harness
from tests.cluster.crds import namespaced_crd
from tests.cluster.harness import ClusterInfo
from tests.tui.conftest import TestExplorer, scanned, settle, told

pytestmark = pytest.mark.cluster

WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


def explorer(scanner: Scanner, gate: MutationGate, **extra: Any) -> DriftExplorer:
    """Built as `driftui` builds it, with a fixed clock and no cursor blink."""
    return TestExplorer(scanner.scan, **(explorer_parts(scanner, gate) | extra))


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
            wanted = next(r for r in scanned(app).results if r.status.value == target)
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
        assert [r.status for r in scanned(app).results] == [Status.MISSING]
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
        assert [r.status for r in scanned(app).results] == [Status.IN_SYNC]


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
            result = next(r for r in scanned(app).results if r.ref == ref)
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


# -- RBAC and the commit shown (issue: safety first) ----------------------------------------


async def reveal(pilot: Any, kind: str) -> None:
    app = pilot.app
    result = next(r for r in scanned(app).results if r.ref.kind == kind)
    assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
    await settle(pilot)


def new_namespace(cluster: ClusterInfo, prefix: str) -> str:
    ns = f"{prefix}-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    return ns


def octopus_crd(group: str) -> dict[str, Any]:
    """A CRD whose plural no English rule guesses ("octopuses" would be wrong)."""
    crd = namespaced_crd(group, "Octopus", {"arms": {"type": "integer"}})
    crd["metadata"]["name"] = f"octopodes.{group}"
    crd["spec"]["names"].update(plural="octopodes", singular="octopus")
    return crd


async def test_rbac_from_the_server_decides_each_action_under_its_real_resource_name(
    cluster: ClusterInfo, tmp_path: Path
) -> None:
    """`nobody` may patch octopodes but not ConfigMaps: the explorer says so, per object."""
    ns = new_namespace(cluster, "rbac")
    group = f"g{uuid.uuid4().hex[:8]}.driftui.dev"
    crd = octopus_crd(group)
    assert harness.request(cluster, "POST", CRDS, crd)[0] == 201
    served(cluster, f"/apis/{group}/v1", "octopodes")
    octopus = {
        "apiVersion": f"{group}/v1",
        "kind": "Octopus",
        "metadata": {"name": "inky", "namespace": ns},
        "spec": {"arms": 8},
    }
    settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s", "namespace": ns}}
    for obj, path in ((octopus, f"/apis/{group}/v1/namespaces/{ns}/octopodes"),
                      (dict(settings, data={"a": "live"}), f"/api/v1/namespaces/{ns}/configmaps")):  # fmt: skip
        assert harness.request(cluster, "POST", path, obj)[0] == 201
    grant(cluster, ns, "nobody", [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": [group], "resources": ["octopodes"], "verbs": ["get", "list", "patch"]},
    ])  # fmt: skip
    repo = tmp_path / "repo"
    drift_scenario.write_repo(
        repo,
        {"a.yaml": [dict(octopus, spec={"arms": 6}), dict(settings, data={"a": "git"})]},
    )
    gate = MutationGate()
    scanner = Scanner(
        ScanOptions(repo=str(repo), kubeconfig=cluster.kubeconfig("nobody"), namespace=ns), gate
    )
    app = explorer(scanner, gate)
    mark = len(cluster.audit_log.read_text().splitlines())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await reveal(pilot, "ConfigMap")
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert f"no patch permission on configmaps in {ns}" in told(app)
        await reveal(pilot, "Octopus")
        await pilot.press("s")
        dialog = await wait_for_dialog(pilot)  # allowed: RBAC says yes for "octopodes"
        dialog.query_one("#cancel", Button).press()
        await settle(pilot)
    events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines()[mark:]]
    reviews = [
        e
        for e in events
        if (e.get("objectRef") or {}).get("resource") == "selfsubjectaccessreviews"
    ]
    assert reviews and all(e["user"]["username"] == "nobody" for e in reviews)
    writes = [
        e for e in events
        if e["user"]["username"] == "nobody" and e["verb"] in WRITE_VERBS
        and (e.get("objectRef") or {}).get("resource") != "selfsubjectaccessreviews"
        and "dryRun" not in e.get("requestURI", "")
    ]  # fmt: skip
    assert writes == []
    harness.request(cluster, "DELETE", f"{CRDS}/{crd['metadata']['name']}")


async def test_a_sync_applies_the_commit_that_was_shown_and_says_the_ref_moved(
    cluster: ClusterInfo, tmp_path: Path
) -> None:
    ns = new_namespace(cluster, "shown")
    settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s", "namespace": ns}}
    path = f"/api/v1/namespaces/{ns}/configmaps"
    server_side_apply(cluster, dict(settings, data={"a": "live"}), "driftui")
    repo = tmp_path / "repo"
    drift_scenario.write_repo(repo, {"s.yaml": [dict(settings, data={"a": "shown"})]})
    shown = drift_scenario.git(repo, "rev-parse", "HEAD")
    gate = MutationGate()
    scanner = Scanner(
        ScanOptions(repo=str(repo), kubeconfig=cluster.kubeconfig("admin"), namespace=ns), gate
    )
    app = explorer(scanner, gate)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await reveal(pilot, "ConfigMap")
        (repo / "s.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: " + ns + "}\n"
            "data: {a: newer}\n"
        )
        drift_scenario.git(repo, "commit", "-qam", "a newer commit nobody has looked at")
        newer = drift_scenario.git(repo, "rev-parse", "HEAD")
        await pilot.press("s")
        dialog = await wait_for_dialog(pilot)
        text = "\n".join(dialog.changes)
        assert f"HEAD has moved to {newer[:12]} since the scan" in text
        assert f"this acts on the commit shown, {shown[:12]}" in text
        dialog.query_one("#confirm", Button).press()
        for _ in range(100):
            await settle(pilot)
            live = harness.request(cluster, "GET", f"{path}/s")[1]
            if live["data"]["a"] != "live":
                break
            await pilot.pause(0.05)
    assert live["data"] == {"a": "shown"}


CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def served(cluster: ClusterInfo, group_version: str, resource: str) -> None:
    """Wait until discovery serves a new CRD's resource."""
    for _ in range(150):
        status, body = harness.request(cluster, "GET", group_version)
        if status == 200 and any(r["name"] == resource for r in body.get("resources", [])):
            return
        time.sleep(0.2)
    raise AssertionError(f"{resource} never served")


def grant(cluster: ClusterInfo, ns: str, user: str, rules: list[dict[str, Any]]) -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": f"{user}-test", "namespace": ns}, "rules": rules}  # fmt: skip
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": f"{user}-test", "namespace": ns},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": f"{user}-test",
        },
        "subjects": [{"kind": "User", "name": user, "apiGroup": "rbac.authorization.k8s.io"}],
    }
    for kind, body in (("roles", role), ("rolebindings", binding)):
        path = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/{kind}"
        assert harness.request(cluster, "POST", path, body)[0] == 201
