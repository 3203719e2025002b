"""Entry point: wires the command line to the explorer.

This is the only place outside ``driftui.tui`` that may import it, and it does so lazily,
so ``driftui diff`` in CI never loads textual.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from driftui import cli
from driftui.actions.clusters import acting_clusters
from driftui.actions.executors import make_executors, make_previewers, make_suspensions
from driftui.actions.registry import ActionRequest
from driftui.cli.app_scans import chosen_apps
from driftui.cli.flags import options_from
from driftui.engine import Scanner, ScanOptions
from driftui.engine.app_scan import AppScanner
from driftui.engine.clusters import CLUSTER_WORKERS
from driftui.engine.fleet import Fleet
from driftui.engine.object_history import history_for
from driftui.engine.watching import LiveWatch
from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.gitops.app_specs import App
from driftui.gitops.discovery import discover_apps
from driftui.gitops.repo_map import merged_repo_map
from driftui.history import HistoryEntry
from driftui.model import ClusterScan, Fidelity, LiveInfo, ObjectRef, ScanReport, SourceInfo
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.source.work_tree import is_work_tree

if TYPE_CHECKING:  # the explorer is imported lazily, when it opens
    from driftui.tui.action_flow import Placer

T = TypeVar("T")


def history_of(scanner: Scanner) -> Callable[[ObjectRef], list[HistoryEntry]]:
    """The explorer's History tab reads what `driftui history` prints."""
    return partial(history_for, scanner)


def explorer_parts(scanner: Scanner, gate: MutationGate) -> dict[str, Any]:
    """Everything the explorer is handed besides the scan: one wiring for the program and
    for the tests that drive it. Permissions come from the cluster's own RBAC (the gate's
    probe, set when the scanner opens its client) under discovery's real resource names."""
    return {
        "read_only": gate.read_only,
        "gate": gate,
        "history": history_of(scanner),
        "executors": make_executors(scanner, gate),
        "previewers": make_previewers(scanner),
        "suspensions": make_suspensions(scanner),
        "resource_of": scanner.resource_name,
        # watch events from the cluster; a snapshot has none, so watch mode rescans it
        "watcher": None if scanner.options.live_snapshot else partial(LiveWatch, scanner),
    }


def fleet_parts(fleet: Fleet, gate: MutationGate) -> dict[str, Any]:
    """A multi-cluster explorer's parts: each action acts on one cluster, through that
    cluster's own scanner, gate (its RBAC) and executors; read-only applies to all. History
    reads Git, which every cluster shares. Watch mode rescans (no watch over several)."""
    from driftui.tui.action_flow import ClusterParts

    first = fleet.scanners[fleet.contexts[0]]
    clusters = {
        context: ClusterParts(
            s.gate, make_executors(s, s.gate), make_previewers(s), s.resource_name
        )
        for context, s in fleet.scanners.items()
    }
    return {
        "read_only": gate.read_only,
        "gate": gate,
        "history": history_of(first),
        "resource_of": first.resource_name,
        "clusters": clusters,
    }


class AppTree:
    """The explorer's scan of apps: each app from its own source (:class:`AppScanner`), and the
    apps themselves with their operators' status, for the app tree. It keeps the AppScanner
    of its last scan, so that the app tree's actions act with the very sources it showed.
    ``every``: all the apps the user can read (``--all-apps``, or plain ``driftui`` outside a
    work tree)."""

    def __init__(self, scanner: Scanner, args: argparse.Namespace, *, every: bool) -> None:
        self.base, self.args, self.every = scanner, args, every
        self.current: AppScanner | None = None

    def __call__(self, _progress: ProgressFn) -> Any:
        from driftui.tui.scope import Scope

        args, every = self.args, self.every
        # --repo-map where the tui command takes it; none where it does not (plain driftui)
        picked = argparse.Namespace(
            **{"repo_map": [], **vars(args), "all_apps": every, "app": [] if every else args.app}
        )
        chosen = chosen_apps(self.base, picked)  # with -n: that namespace's apps only
        scanner = AppScanner(self.base, chosen, merged_repo_map(picked.repo_map))
        report = scanner.scan()
        self.current = scanner
        return Scope(report, apps={"": tuple(chosen)})

    def scanner(self) -> Scanner:
        if self.current is None:
            raise DriftuiError("the apps have not been scanned yet: wait for the scan")
        return self.current


def apps_scan(scanner: Scanner, args: argparse.Namespace, *, every: bool) -> AppTree:
    return AppTree(scanner, args, every=every)


def _on_current(
    tree: AppTree, made: Callable[[Scanner], Mapping[str, Callable[[ActionRequest], T]]]
) -> dict[str, Callable[[ActionRequest], T]]:
    """``made``'s actions, each run with the tree's latest AppScanner (its ids: the base's)."""

    def one(action_id: str) -> Callable[[ActionRequest], T]:
        return lambda request: made(tree.scanner())[action_id](request)

    return {action_id: one(action_id) for action_id in made(tree.base)}


def app_tree_parts(parts: dict[str, Any], apps: AppTree | FleetApps) -> dict[str, Any]:
    """Over apps, each object was judged from its own app's source, not the scanner's, and
    lives on its app's destination cluster: each action acts through its tree's AppScanner
    (its app's source; a selection of several apps is refused), on that one cluster, through
    its own client, gate and RBAC, named in the confirmation (:func:`app_tree_placer`).
    Watch mode rescans the apps (a watch rejudges against one source)."""
    trees = apps.trees if isinstance(apps, FleetApps) else {"": apps}
    placer = app_tree_placer(trees, parts)
    own = trees.get("")
    gate = parts["gate"]
    acting = {
        "executors": _on_current(own, lambda s: make_executors(s, gate)) if own else {},
        "previewers": _on_current(own, make_previewers) if own else {},
    }
    return parts | acting | {"watcher": None, "clusters": placer}


def app_tree_placer(trees: Mapping[str, AppTree], parts: dict[str, Any]) -> Placer:
    """The app tree's :data:`~driftui.tui.action_flow.Placer`. ``trees``: the AppTree of
    each cluster of the tree ("" alone: one cluster). A request acts on the cluster its
    objects' app deploys to, named in the confirmation unless it is the one cluster the
    explorer was opened on; objects of several clusters are refused, as in the cluster tree."""
    from driftui.tui.action_flow import ClusterParts
    from driftui.tui.scope import cluster_of

    gate = parts["gate"]

    def place(request: ActionRequest) -> tuple[str, ClusterParts | None]:
        hubs = sorted({cluster_of(t) for t in request.targets})
        if len(hubs) > 1:
            return f"select objects of one cluster, not of {', '.join(hubs)}", None
        if not hubs:  # nothing selected: the registry says so
            return "", ClusterParts(gate, resource_of=parts["resource_of"])
        tree = trees.get(hubs[0])
        if tree is None:
            return f"{hubs[0]} cannot act", None
        try:
            where = acting_clusters(tree.scanner(), request.targets)
        except DriftuiError as exc:
            return str(exc), None
        if len(where) > 1:
            return (
                f"select objects of one cluster, not of {', '.join(w.context for w in where)}",
                None,
            )
        one = where[0]
        acts = ClusterParts(
            one.scanner.gate,
            _on_current(tree, lambda s: make_executors(s, one.scanner.gate)),
            _on_current(tree, make_previewers),
            one.scanner.resource_name,
        )
        return ("" if one.home and not hubs[0] else one.context), acts

    return place


class FleetApps:
    """``--context a,b`` with ``--app``/``--all-apps``: each cluster's apps, each from its own
    source; a cluster whose apps cannot be scanned is its own error row. Each cluster keeps
    its :class:`AppTree`, so that the tree's actions act with the very sources it showed."""

    def __init__(self, fleet: Fleet, args: argparse.Namespace, *, every: bool) -> None:
        self.fleet = fleet
        # the run's own options (fetch as asked), not the fleet scanner's shared-source ones
        self.trees = {
            context: apps_scan(
                Scanner(replace(fleet.options, context=context), fleet.scanners[context].gate),
                args,
                every=every,
            )
            for context in fleet.contexts
        }

    def _one(self, context: str) -> tuple[ClusterScan, tuple[App, ...]]:
        try:
            scope = self.trees[context](no_progress)
        except (DriftuiError, OSError) as exc:
            return ClusterScan(context, error=str(exc) or type(exc).__name__), ()
        return ClusterScan(context, report=scope.report), scope.apps.get("", ())

    def __call__(self, _progress: ProgressFn) -> Any:
        from driftui.tui.scope import Scope

        contexts = self.fleet.contexts
        with ThreadPoolExecutor(
            max(1, min(CLUSTER_WORKERS, len(contexts))), "driftui-cluster"
        ) as pool:
            found = list(pool.map(self._one, contexts))
        base = next((c.report for c, _ in found if c.report is not None), None)
        empty = ScanReport(SourceInfo("", "", "", ""), LiveInfo(), Fidelity.CLIENT_SIDE)
        apps = {c.context: chosen for c, chosen in found}
        return Scope(base or empty, tuple(c for c, _ in found), apps)


def fleet_apps_scan(fleet: Fleet, args: argparse.Namespace, *, every: bool) -> FleetApps:
    return FleetApps(fleet, args, every=every)


def opens_on_apps(args: argparse.Namespace, scanner: Scanner) -> bool:
    """Plain ``driftui``: no --repo, --path or snapshot, outside any Git work tree, in a
    cluster that runs apps. Inside a work tree the work tree stays the source, as always."""
    if args.repo != "." or args.path is not None or args.live or is_work_tree(args.repo):
        return False
    try:
        return bool(discover_apps(scanner.client()).apps)
    except DriftuiError:
        return False


def open_explorer(args: argparse.Namespace, scanner: Scanner, gate: MutationGate) -> int:
    from driftui.tui.app import run_explorer

    contexts = list(getattr(args, "contexts", None) or [])
    named = bool(getattr(args, "app", None))
    if len(contexts) > 1:
        fleet = Fleet(options_from(args), contexts, read_only=gate.read_only)
        if named or getattr(args, "all_apps", False):
            scan = fleet_apps_scan(fleet, args, every=not named)
            return run_explorer(scan, **app_tree_parts(fleet_parts(fleet, gate), scan))
        return run_explorer(fleet.scan, **fleet_parts(fleet, gate))
    parts = explorer_parts(scanner, gate)
    every = bool(getattr(args, "all_apps", False)) or (not named and opens_on_apps(args, scanner))
    if named or every:
        tree = apps_scan(scanner, args, every=every)
        return run_explorer(tree, **app_tree_parts(parts, tree))
    return run_explorer(scanner.scan, **parts)


def run_demo(args: argparse.Namespace) -> int:
    from driftui.demo import DEMO_KEY, build_demo, named_for_demo
    from driftui.tui.app import run_explorer

    with tempfile.TemporaryDirectory(prefix="driftui-demo-") as tmp:
        fixture = build_demo(Path(tmp))
        gate = MutationGate(read_only=True)
        options = ScanOptions(
            repo=str(fixture.repo),
            live_snapshot=str(fixture.snapshot),
            read_only=True,
            snapshot_key=DEMO_KEY,
        )
        scanner = Scanner(options, gate)
        # The header names the demo's repository and snapshot, not this temporary directory
        return run_explorer(named_for_demo(scanner.scan), **explorer_parts(scanner, gate))


def main() -> int:
    """The program: a command other than the explorer ends the process when it is done."""
    return cli.main(sys.argv[1:], explorer=open_explorer, demo=run_demo, leave_when_done=True)


if __name__ == "__main__":
    sys.exit(main())
