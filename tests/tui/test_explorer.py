"""Pilot tests: the explorer driven by keys, on a hand-built report (no engine, no cluster)."""

from __future__ import annotations

import base64
import gc
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual.binding import Binding
from textual.widgets import Button, DataTable, Input, OptionList

from driftui.gate import MutationGate
from driftui.history import HistoryEntry
from driftui.model import DriftResult, ObjectRef, Status
from driftui.runtime import heap, pacing
from driftui.tui.app import DriftExplorer
from driftui.tui.health_view import Facet
from driftui.tui.responsiveness import IDLE_BEFORE_COLLECT
from driftui.tui.screens.confirm import ConfirmActionScreen
from driftui.tui.screens.help import HelpScreen
from driftui.tui.status_style import DisplayStatus, display_status
from driftui.tui.widgets.header import SummaryHeader
from driftui.tui.widgets.resource_tree import FoldedEntry, GroupEntry, Node, ResourceTree
from tests.tui.conftest import RecordingExecutor, make_app, settle, told
from tests.tui.sample_data import commit, sample_report, scanner_of

WEB = ObjectRef("apps", "Deployment", "shop", "web")
DEBUG_SHELL = ObjectRef("apps", "Deployment", "shop", "debug-shell")
SERVICE = ObjectRef("", "Service", "shop", "web")
SECRET = ObjectRef("", "Secret", "payments", "api-credentials")


def header_text(app: Any) -> str:
    return str(app.query_one(SummaryHeader).render())


def leaves(tree: ResourceTree) -> list[DriftResult]:
    return [n.data for n in tree.walk() if isinstance(n.data, DriftResult)]


def top_labels(tree: ResourceTree) -> list[str]:
    return [group_label(n) for n in tree.root.children if isinstance(n.data, GroupEntry)]


def group_label(node: Node) -> str:
    assert isinstance(node.data, GroupEntry), node.data
    return node.data.group.label


def cursor(tree: ResourceTree) -> Node:
    """The node under the cursor: these tests always have one."""
    assert tree.cursor_node is not None
    return tree.cursor_node


def cursor_result(tree: ResourceTree) -> DriftResult:
    data = cursor(tree).data
    assert isinstance(data, DriftResult), data
    return data


def status_filter(app: DriftExplorer) -> Facet | None:
    """Read afresh: a key press changes it behind mypy's narrowing."""
    return app.status_filter


async def select(pilot: Any, ref: ObjectRef) -> None:
    app = pilot.app
    result = next(r for r in app.report.results if r.ref == ref)
    assert app.resource_tree.reveal(ref, app.resource_tree.path_of(result))
    await settle(pilot)
    assert cursor_result(app.resource_tree).ref == ref


async def test_first_scan_fills_tree_and_header() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = header_text(app)
        assert "READ-ONLY" in text
        assert "prod-eu (10.0.0.1:6443)" in text
        assert "@ main 4f2c9e1" in text
        assert "4 drifted" in text and "1 missing" in text and "1 forbidden" in text
        assert "refreshed 15:09:26" in text
        assert top_labels(app.resource_tree) == [
            "default",
            "monitoring",
            "payments",
            "shop",
            "vault",
        ]
        # the all-in-sync cluster-scoped group is folded into a count
        assert "3 in sync" in str(app.resource_tree.root.children[-1].label)
        # the cursor lands on the worst object of the worst group
        assert display_status(cursor_result(app.resource_tree)) is DisplayStatus.ERROR


async def test_navigation_with_j_k_enter_opens_group_on_worst_child() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        start = app.resource_tree.cursor_line
        await pilot.press("j")
        assert app.resource_tree.cursor_line == start + 1
        await pilot.press("k")
        assert app.resource_tree.cursor_line == start
        # move to the "shop" group and open it: the cursor lands on its worst child
        shop = next(n for n in app.resource_tree.root.children if group_label(n) == "shop")
        app.resource_tree.go_to(shop)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert shop.is_expanded
        worst = cursor(app.resource_tree)
        assert worst.parent is shop
        assert isinstance(worst.data, GroupEntry)
        assert worst.data.group.label == "ConfigMap"  # drifted; first of the worst, by name
        await pilot.press("enter")
        await settle(pilot)
        assert cursor_result(app.resource_tree).ref == ObjectRef(
            "", "ConfigMap", "shop", "web-config"
        )
        diff = app.detail.view_lines("diff-view")
        removed = [line for line in diff if "FEATURE_CHECKOUT_V2" in line and "- " in line]
        added = [line for line in diff if "FEATURE_CHECKOUT_V2" in line and "+ " in line]
        assert "'false'" in removed[0] and "'true'" in added[0]
        assert "helm · last write 10m ago" in added[0]
        await pilot.press("enter")  # on an object, enter moves into the tabs
        assert app.focused is app.query_one("#diff-view")


async def test_diff_attribution_and_toggles() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        unified = app.detail.view_lines("diff-view")
        added = [line for line in unified if "replicas: 5" in line]
        assert added and "◂ kubectl-edit · last write 2h ago" in added[0]
        assert any("name: DEBUG" in line and "kubectl-edit" in line for line in unified)
        compact_len = len(unified)
        await pilot.press("c")
        await settle(pilot)
        assert len(app.detail.view_lines("diff-view")) > compact_len  # full context
        await pilot.press("v")
        await settle(pilot)
        split = app.detail.view_lines("diff-view")
        assert any("replicas: 3" in line.split("│")[0] and "replicas: 5" in line for line in split)
        await pilot.press("v", "c")
        await settle(pilot)
        assert app.detail.view_lines("diff-view") == unified  # back, from the cache


async def test_tabs_by_number_and_managed_fields_toggle() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("2")
        await settle(pilot)
        assert app.detail.active_tab == "git"
        git = "\n".join(app.detail.view_lines("git-view"))
        assert "replicas: 3" in git and "managedFields" not in git
        await pilot.press("3")
        await settle(pilot)
        assert app.detail.active_tab == "live"
        assert "managedFields" not in "\n".join(app.detail.view_lines("live-view"))
        await pilot.press("m")
        await settle(pilot)
        live = "\n".join(app.detail.view_lines("live-view"))
        assert "managedFields" in live and "kubectl-edit" in live
        await pilot.press("4")
        await settle(pilot)
        table = app.query_one("#fields-table", DataTable)
        assert table.row_count == 2
        first = [str(c) for c in table.get_row_at(0)]
        assert first == ["spec.replicas", "changed", "kubectl-edit · last write 2h ago", "3", "5"]
        await pilot.press("5")
        await settle(pilot)
        assert app.detail.active_tab == "history"
        assert "not available" in " ".join(app.detail.view_lines("history-view"))
        await pilot.press("1")
        assert app.detail.active_tab == "diff"


async def test_fuzzy_filter_narrows_the_tree_and_escape_clears_it() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        field = app.query_one("#filter", Input)
        assert field.has_focus
        await pilot.press(*"dep web")
        await settle(pilot)
        names = {(r.ref.kind, r.ref.name) for r in leaves(app.resource_tree)}
        assert names == {("Deployment", "web")}
        await pilot.press("escape")
        await settle(pilot)
        assert app.query_text == "" and app.resource_tree.has_focus
        assert len(top_labels(app.resource_tree)) == 5


async def test_filter_matches_in_sync_objects_too() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzz", "enter")
        await settle(pilot)
        assert leaves(app.resource_tree) == []
        app.query_one("#filter", Input).value = "service web"
        await settle(pilot)
        found = {r.ref for r in leaves(app.resource_tree)}
        assert SERVICE in found  # in sync, still found
        assert found == {
            SERVICE,
            ObjectRef("monitoring.coreos.com", "ServiceMonitor", "monitoring", "shop-web"),
        }


async def test_status_filter_cycles_through_statuses() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert app.status_filter is DisplayStatus.DRIFTED
        app.resource_tree.open_all()
        shown = leaves(app.resource_tree)
        assert len(shown) == 4 and all(display_status(r) is DisplayStatus.DRIFTED for r in shown)
        await pilot.press("f")
        await settle(pilot)
        assert status_filter(app) is DisplayStatus.MISSING
        assert "missing" in str(app.query_one("#tree-panel").border_subtitle)


async def test_grouping_and_in_sync_toggle() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert "apps/shop/web.yaml" in top_labels(app.resource_tree)
        await pilot.press("g")
        await settle(pilot)
        assert "argocd:argocd/shop" in top_labels(app.resource_tree)
        await pilot.press("g")
        await settle(pilot)
        assert "apps/shop" in top_labels(app.resource_tree)  # the directory of web.yaml
        await pilot.press("g", "i")
        await settle(pilot)
        assert app.resource_tree.show_in_sync
        assert "(cluster-scoped)" in top_labels(app.resource_tree)


async def test_read_only_action_says_why_and_runs_nothing(recorder: RecordingExecutor) -> None:
    gate = MutationGate(read_only=True)
    app = make_app(gate=gate, executors={"sync": recorder, "prune": recorder})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        assert "sync" in {b.binding.id for b in app.screen.active_bindings.values()}
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert any("read-only mode" in m for m in told(app))
        await select(pilot, DEBUG_SHELL)
        await pilot.press("p")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert recorder.requests == []


async def test_missing_permission_is_the_reason_shown(recorder: RecordingExecutor) -> None:
    gate = MutationGate(probe=lambda verb, group, resource, ns: verb != "patch")
    app = make_app(read_only=False, gate=gate, executors={"sync": recorder})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("s")
        await settle(pilot)
        assert any("no patch permission on deployments.apps in shop" in m for m in told(app))
        assert recorder.requests == []


async def test_actions_hidden_where_they_do_not_apply() -> None:
    app = make_app(read_only=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, SERVICE)  # in sync: nothing to sync or prune
        active = {b.binding.id for b in app.screen.active_bindings.values() if b.enabled}
        assert "sync" not in active and "prune" not in active and "revert" not in active
        assert "split" in active  # diff tab is showing
        await pilot.press("2")
        await settle(pilot)
        active = {b.binding.id for b in app.screen.active_bindings.values() if b.enabled}
        assert "split" not in active and "managed_fields" not in active


async def test_confirmation_focuses_cancel_and_lists_changes(recorder: RecordingExecutor) -> None:
    app = make_app(read_only=False, executors={"sync": recorder})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmActionScreen)
        assert app.focused is dialog.query_one("#cancel", Button)
        changes = str(dialog.query_one("#confirm-changes").query_one("Static").render())
        assert "patch Deployment.apps shop/web:" in changes
        assert "spec.replicas: 5 → 3" in changes
        assert "keep spec.template.spec.containers[name=web].env[name=DEBUG]" in changes
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        assert recorder.requests == []
        await pilot.press("s")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert [r.ref for r in recorder.requests[0].targets] == [WEB]
        assert app.scans_finished == 2  # a successful action re-scans


async def test_prune_needs_the_name_typed(recorder: RecordingExecutor) -> None:
    app = make_app(read_only=False, executors={"prune": recorder})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, DEBUG_SHELL)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmActionScreen)
        confirm = dialog.query_one("#confirm", Button)
        assert confirm.disabled
        dialog.query_one("#confirm-word", Input).value = "debug-shel"
        await pilot.pause()
        assert confirm.disabled
        dialog.query_one("#confirm-word", Input).value = "debug-shell"
        await pilot.pause()
        assert not confirm.disabled
        await pilot.click("#confirm")
        await settle(pilot)
        assert [r.ref for r in recorder.requests[0].targets] == [DEBUG_SHELL]


async def test_action_without_executor_says_so() -> None:
    app = make_app(read_only=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("s")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert any("not available in this build" in m for m in told(app))


async def test_help_screen_lists_every_binding() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-body").query_one("Static").render())
        bindings = [b for b in app.BINDINGS if isinstance(b, Binding)]
        assert len(bindings) == len(app.BINDINGS)
        for binding in bindings:
            if binding.action.startswith(("show_tab", "leave_filter")):
                continue
            assert app.get_key_display(binding) in text, binding
        for needle in ("ctrl+p", "1 2 3 4 5", "j / ↓", "Sync", "Prune", "[read-only mode]"):
            assert needle in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_every_action() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {c.title: c.help for c in app.get_system_commands(app.screen)}
        for title in ("Sync", "Prune", "Revert commit", "Refresh", "Filter", "Watch", "Split"):
            assert title in titles
        assert "unavailable: read-only mode" in titles["Sync"]


async def test_failed_refresh_keeps_previous_state() -> None:
    app = make_app(scanner_of(sample_report(), ConnectionError("connection refused")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        before = app.report
        await pilot.press("r")
        await settle(pilot)
        assert app.report is before
        assert "refresh failed: connection refused" in header_text(app)
        assert any("connection refused" in m for m in told(app))
        assert cursor_result(app.resource_tree).ref == WEB
        assert any("replicas: 5" in line for line in app.detail.view_lines("diff-view"))


async def test_first_scan_failure_is_shown_and_retry_works() -> None:
    app = make_app(scanner_of(RuntimeError("no kubeconfig"), sample_report()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "no kubeconfig" in str(app.query_one("#scan-status").render())
        await pilot.press("r")
        await settle(pilot)
        assert app.report is not None and "refresh failed" not in header_text(app)


async def test_watch_mode_rescans_and_keeps_the_selection() -> None:
    app = make_app(watch_interval=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, SECRET)
        await pilot.press("w")
        assert "watching every 0.05s" in header_text(app)
        for _ in range(200):
            await pilot.pause(0.02)
            if app.scans_finished >= 3:
                break
        await pilot.press("w")
        await settle(pilot)
        assert app.scans_finished >= 3
        assert cursor_result(app.resource_tree).ref == SECRET


async def test_secret_diff_shows_masks_only() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, SECRET)
        diff = "\n".join(app.detail.view_lines("diff-view"))
        assert "password: <secret:1a2b3c4d5e6f>" in diff
        assert "password: <secret:9f8e7d6c5b4a>" in diff


def _secret(password: str) -> dict[str, Any]:
    encoded = base64.b64encode(password.encode()).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "api-credentials", "namespace": "payments"},
        "data": {"password": encoded},
    }


async def test_history_lists_commits_and_enter_shows_masked_diff() -> None:
    entries = [
        commit(
            "b" * 40,
            "Ana",
            "2025-03-14T12:00:00Z",
            "rotate password",
            _secret("hunter2"),
            _secret("s3cr3t!"),
        ),
        commit("a" * 40, "Bo", "2025-03-10T12:00:00Z", "add credentials", None, _secret("hunter2")),
    ]
    calls: list[ObjectRef] = []

    def history(ref: ObjectRef) -> list[HistoryEntry]:
        calls.append(ref)
        return entries

    app = make_app(history=history)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, SECRET)
        await pilot.press("5")
        await settle(pilot)
        assert calls == [SECRET]
        options = app.query_one("#history-list", OptionList)
        assert options.option_count == 2
        assert "rotate password" in str(options.get_option_at_index(0).prompt)
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        shown = "\n".join(app.detail.view_lines("history-view"))
        assert "password: <secret:" in shown
        for secret in ("hunter2", "s3cr3t!", base64.b64encode(b"hunter2").decode()):
            assert secret not in shown
        assert app.detail.selected_commit() == "b" * 40


async def test_a_commit_without_a_message_lists_no_secret_data() -> None:
    """Git allows an empty commit message; the History tab's line must then not fall back
    to the entry itself, whose bodies hold the Secret's data unmasked."""
    encoded = base64.b64encode(b"hunter2").decode()
    silent = commit("c" * 40, "Cy", "2025-03-14T12:00:00Z", "", None, _secret("hunter2"))
    app = make_app(history=lambda ref: [silent])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, SECRET)
        await pilot.press("5")
        await settle(pilot)
        line = str(app.query_one("#history-list", OptionList).get_option_at_index(0).prompt)
        assert "ccccccc" in line and "(no message)" in line
        assert encoded not in line and "hunter2" not in line


async def test_moving_onto_a_prefetched_object_shows_it_at_once() -> None:
    """The objects next to the cursor are built ahead, and the cursor's callback shows them
    in the same turn as the move: no worker, no wait for the next message."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        tree = app.resource_tree
        nearby = tree.neighbours()
        assert nearby and all(app.detail.is_cached(result) for result in nearby)
        above = tree.get_node_at_line(tree.cursor_line - 1)  # debug-shell
        assert above is not None and above.data in nearby
        tree.action_cursor_up()  # no await: nothing else runs in between
        assert app.detail.subject.result is above.data
        assert not app.detail.pending


def with_status(report: Any, ref: ObjectRef, status: Status) -> Any:
    results = [replace(r, status=status) if r.ref == ref else r for r in report.results]
    return replace(report, results=results)


async def test_a_rescan_of_the_same_shape_updates_nodes_in_place() -> None:
    """Watch mode must not rebuild 10,000 nodes per rescan: same shape, same nodes."""
    first = sample_report()
    again = replace(first, results=[replace(r) for r in first.results])  # new objects
    fixed = with_status(first, WEB, Status.IN_SYNC)  # web now in sync: folded, a new shape
    app = make_app(scanner_of(first, again, fixed))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        tree = app.resource_tree
        nodes = {id(n) for n in tree.walk()}
        web_node = cursor(tree)
        await pilot.press("r")
        await settle(pilot)
        assert {id(n) for n in tree.walk()} == nodes  # no node was rebuilt
        assert tree.cursor_node is web_node
        new_web = next(r for r in again.results if r.ref == WEB)
        assert web_node.data is new_web  # but it holds the new scan's result
        assert app.detail.subject.result is web_node.data
        await pilot.press("r")
        await settle(pilot)
        assert {id(n) for n in tree.walk()} != nodes  # web moved under "in sync": rebuilt
        assert cursor_result(tree).ref == WEB  # still selected, now inside the fold
        parent = cursor(tree).parent
        assert parent is not None and isinstance(parent.data, FoldedEntry)


async def test_full_garbage_collections_wait_for_a_pause_in_typing(monkeypatch: Any) -> None:
    collected: list[bool] = []

    def settle_heap(*, idle: bool) -> bool:
        collected.append(idle)
        return idle

    monkeypatch.setattr(heap, "settle", settle_heap)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        app.responsiveness.settle_heap()
        assert collected[-1] is False  # a key was just pressed
        app.responsiveness.last_input -= IDLE_BEFORE_COLLECT
        app.responsiveness.settle_heap()
        assert collected[-1] is True


async def test_a_key_press_holds_background_work_until_the_frame_that_shows_its_move(
    monkeypatch: Any,
) -> None:
    """``j`` is the tree's binding, which the app runs when the key bubbles back to it: a
    hold released after the app's own next frame came before the cursor moved, and scans
    ran beside the move (benchmarks/bench_scale, keys during a rescan)."""
    app = make_app()
    calls: list[tuple[str, int, bool]] = []

    def seen(what: str) -> Callable[[], None]:
        shown = app.detail.subject.result
        return lambda: calls.append(
            (what, app.resource_tree.cursor_line, app.detail.subject.result is not shown)
        )

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        line = app.resource_tree.cursor_line
        monkeypatch.setattr(pacing, "foreground_busy", seen("busy"))
        monkeypatch.setattr(pacing, "foreground_done", seen("done"))
        await pilot.press("j")
        await settle(pilot)
    holds = [what for what, _line, _shown in calls]
    assert holds.count("busy") == holds.count("done") >= 1
    assert calls[0][0] == "busy"
    _what, last_line, detail_changed = calls[-1]
    assert (last_line, detail_changed) == (line + 1, True)
    assert heap._input_holds == 0 and gc.isenabled()  # the collector was held as long


async def test_a_filter_typed_while_a_rescan_runs_applies_to_what_it_brings() -> None:
    """The scan worker groups its report for the view it started with; by the time it
    lands the user may have typed a filter, which must win."""
    release = threading.Event()
    first = sample_report()

    def scanner(progress: Any) -> Any:
        if app.scans_finished:
            release.wait(10)
        return first

    app = make_app(scanner)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.press("slash", *"debug", "enter")
        release.set()
        await settle(pilot)
        assert app.scans_finished == 2
        assert [r.ref for r in leaves(app.resource_tree)] == [DEBUG_SHELL]


async def test_while_refreshes_fail_the_data_says_stale_and_its_ages_stop() -> None:
    """The last good read stays, marked "stale since", and "last write 2m ago" stops ageing."""
    from datetime import timedelta

    from tests.tui.sample_data import NOW

    now = [NOW]
    app = make_app(scanner_of(sample_report(), ConnectionError("cannot reach the server")))
    app.clock = lambda: now[0]
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("4")
        await settle(pilot)

        def ages() -> list[str]:
            table = app.query_one("#fields-table", DataTable)
            return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]

        fresh = ages()
        assert any("last write" in age for age in fresh)
        now[0] = NOW + timedelta(days=3)
        await pilot.press("r")
        await settle(pilot)
        assert app.error_text
        header = str(app.query_one(SummaryHeader).render())
        assert f"stale since {NOW.astimezone(NOW.tzinfo):%H:%M:%S}" in header
        assert "refreshed" not in header
        assert ages() == fresh  # not 3 days older: the data is as old as its read


async def test_the_fields_tab_keeps_who_and_when_in_view_and_shows_a_row_whole() -> None:
    """At 140 columns, a long path and long values: manager and time still fit on screen."""
    long_value = "x" * 300
    report = sample_report()
    web = next(r for r in report.results if r.ref == WEB)
    first = replace(web.differences[0], git=long_value, live=long_value + "y")
    first = replace(first, path=first.path, manager="kubectl-set")
    wide = replace(web, differences=(first, *web.differences[1:]))
    monkey = replace(report, results=[wide if r.ref == WEB else r for r in report.results])
    app = make_app(scanner_of(monkey))
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("4")
        await settle(pilot)
        table = app.query_one("#fields-table", DataTable)
        rendered = [
            "".join(seg.text for seg in table.render_line(y)) for y in range(1, table.row_count + 1)
        ]
        assert "kubectl-set · last write" in rendered[0], rendered
        assert all(len(line.rstrip()) <= table.size.width for line in rendered)
        whole = str(app.query_one("#field-whole").render())
        assert long_value in whole and long_value + "y" in whole  # nothing cut is out of reach
        table.move_cursor(row=1)
        await settle(pilot)
        second = str(app.query_one("#field-whole").render())
        assert long_value not in second and web.differences[1].dotted in second
