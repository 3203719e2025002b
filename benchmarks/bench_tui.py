"""Explorer responsiveness with 10,000 objects, driven headless by Textual's Pilot.

Run: ``.venv/bin/python benchmarks/bench_tui.py``. Prints time to first paint, the time
for the tree to fill, cursor-move and node-open repaint times (median / p95), the time
for a filter keystroke to update the tree, and RSS. Targets (issue 4): repaint <= 50 ms,
filter <= 200 ms, RSS <= 500 MB, first paint < 1 s.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from driftui.actions.gate import MutationGate
from driftui.model import (
    Difference,
    DiffType,
    DriftResult,
    Fidelity,
    LiveInfo,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.progress import ProgressFn
from driftui.tui.app import DriftExplorer
from driftui.tui.widgets.resource_tree import GroupEntry

NOW = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)
KINDS = (
    ("apps", "Deployment"),
    ("", "Service"),
    ("", "ConfigMap"),
    ("networking.k8s.io", "Ingress"),
)


def _status(i: int) -> Status:
    if i % 10 == 0:
        return Status.DRIFTED
    if i % 53 == 0:
        return Status.MISSING
    if i % 97 == 0:
        return Status.EXTRA
    if i % 101 == 0:
        return Status.ERROR
    return Status.IN_SYNC


def _body(group: str, kind: str, ns: str, name: str, replicas: int) -> dict[str, Any]:
    api = f"{group}/v1" if group else "v1"
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name, "team": "t" + ns[-1]}},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": name, "image": f"r/{name}:1"}]}},
        },
    }


def _result(i: int, group: str, kind: str, ns: str, name: str) -> DriftResult:
    status = _status(i)
    desired = _body(group, kind, ns, name, 2) if status is not Status.EXTRA else None
    live = _body(group, kind, ns, name, 3 if status is Status.DRIFTED else 2)
    differences: tuple[Difference, ...] = ()
    if status is Status.DRIFTED:
        differences = (
            Difference(
                ("spec", "replicas"), DiffType.CHANGED, 2, 3, "kubectl-edit", "2025-03-14T13:00:00Z"
            ),
        )
    return DriftResult(
        ref=ObjectRef(group, kind, ns, name),
        api_version=(f"{group}/v1" if group else "v1"),
        status=status,
        fidelity=Fidelity.SERVER_SIDE,
        reason="parse error" if status is Status.ERROR else "",
        source_file=f"apps/{ns}/{kind.lower()}s.yaml",
        differences=differences,
        desired=desired if status is not Status.ERROR else None,
        live=None if status in (Status.MISSING, Status.ERROR) else live,
        resource_version=str(i),
        blob_sha=f"blob{i}",
    )


def synthetic_report(n: int = 10_000) -> ScanReport:
    """40 namespaces x 4 kinds x 50 objects, plus one namespace holding 2,000 ConfigMaps."""
    results: list[DriftResult] = []
    i = 0
    for ns_index in range(40):
        for group, kind in KINDS:
            for k in range(50):
                results.append(_result(i, group, kind, f"team-{ns_index:02d}", f"svc-{k:03d}"))
                i += 1
    while len(results) < n:
        results.append(_result(i, "", "ConfigMap", "bulk", f"cm-{i:05d}"))
        i += 1
    return ScanReport(
        source=SourceInfo("git.example.com/acme/big", "main", "0123456789abcdef", "."),
        live=LiveInfo(context="bench", server="https://127.0.0.1:6443"),
        fidelity=Fidelity.SERVER_SIDE,
        results=results,
    )


def _rss_mb() -> tuple[float, float]:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    current = pages * resource.getpagesize() / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def _stats(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"median {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms   (n={len(ms)})"


async def _timed(action: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


async def main() -> None:
    report = synthetic_report()

    def scanner(progress: ProgressFn) -> ScanReport:
        return report

    app = DriftExplorer(
        scanner, read_only=True, gate=MutationGate(read_only=True), clock=lambda: NOW
    )
    start = time.perf_counter()
    async with app.run_test(size=(100, 30)) as pilot:
        first_paint = time.perf_counter() - start
        while app.report is None:
            await pilot.pause(0.005)
        await pilot.pause()
        filled = time.perf_counter() - start

        async def settle_detail() -> None:
            while app.detail.pending:
                await pilot.pause(0.001)

        await app.workers.wait_for_complete()
        await settle_detail()

        # Cursor moves: the tree repaint (key handled, screen refreshed), and the time until
        # the tabs show the newly selected object (diff built in a worker, or from the cache).
        moves: list[float] = []
        moves_detail: list[float] = []
        for key in ["j"] * 30 + ["k"] * 30:
            t0 = time.perf_counter()
            await pilot.press(key)
            moves.append(time.perf_counter() - t0)
            await settle_detail()
            moves_detail.append(time.perf_counter() - t0)

        # Opening nodes: enter on a closed group (builds its children lazily), then collapse.
        opens: list[float] = []
        for node in list(app.tree.root.children)[:20]:
            if not isinstance(node.data, GroupEntry):
                continue
            app.tree.go_to(node)
            await pilot.pause()
            opens.append(await _timed(lambda: pilot.press("enter")))
            await pilot.press("space")  # collapse again
            await pilot.pause()

        # The 2,000-object group with in-sync objects shown.
        await pilot.press("i")
        await pilot.pause()
        bulk = next(
            n
            for n in app.tree.root.children
            if isinstance(n.data, GroupEntry) and n.data.group.label == "bulk"
        )
        app.tree.go_to(bulk)
        await pilot.pause()
        big_open = [await _timed(lambda: pilot.press("enter"))]
        kind_node = app.tree.cursor_node
        big_open.append(await _timed(lambda: pilot.press("enter")))  # ConfigMap: 2,000 leaves
        moves_big = [await _timed(lambda: pilot.press("j")) for _ in range(30)]
        await pilot.press("i")
        await pilot.pause()
        del kind_node

        # Filter: each keystroke rebuilds the index over 10,000 objects and the tree.
        await pilot.press("slash")
        filters: list[float] = []
        for ch in "svc-01":
            filters.append(await _timed(lambda ch=ch: pilot.press(ch)))
        for _ in range(6):
            filters.append(await _timed(lambda: pilot.press("backspace")))
        await pilot.press("escape")
        status_filter = [await _timed(lambda: pilot.press("f")) for _ in range(7)]

        current, peak = _rss_mb()

    print(f"objects                         {len(report.results):,}")
    print(f"first paint                     {first_paint * 1000:6.1f} ms")
    print(f"tree filled (scan + build)      {filled * 1000:6.1f} ms")
    print(f"cursor move, tree repaint       {_stats(moves)}")
    print(f"cursor move, tabs updated       {_stats(moves_detail)}")
    print(f"open group (lazy children)      {_stats(opens)}")
    print(f"open 2,000-object group         {', '.join(f'{t * 1000:.1f} ms' for t in big_open)}")
    print(f"cursor move in 2,000 leaves     {_stats(moves_big)}")
    print(f"filter keystroke                {_stats(filters)}")
    print(f"status filter change            {_stats(status_filter)}")
    print(f"RSS                             {current:6.1f} MB now, {peak:6.1f} MB peak")


if __name__ == "__main__":
    asyncio.run(main())
