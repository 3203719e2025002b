"""Explorer benchmark (issue 4): 10,000 objects in Textual's test harness; prints the figures.

Run: .venv/bin/python -m benchmarks.bench_tui [--objects 10000] [--per-namespace 1000]
Keys go in through the driver, as from a terminal (see benchmarks/probe.py). "shown" is
the time from the key until every widget it changed has been repainted (frames rendered
to terminal bytes), "settled" until the last frame it caused (scroll-bar thumbs follow a
frame or two later), and "CPU" the processor time spent meanwhile. Headless, 120x36.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import time

from benchmarks.probe import FrameProbe, Press
from driftui.gate import MutationGate
from driftui.model import (
    Difference,
    DiffType,
    DriftResult,
    Fidelity,
    KeyedItem,
    LiveInfo,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.runtime.progress import ProgressFn
from driftui.tui.app import DriftExplorer

KINDS = [("apps", "Deployment"), ("", "Service"), ("", "ConfigMap"), ("", "Secret")]


def synthetic_report(n: int, per_namespace: int = 0) -> ScanReport:
    """``per_namespace``: objects a namespace holds in turn, as bench_scale lays them out
    (0: every object goes to one of 40 namespaces in turn)."""
    results = []
    for i in range(n):
        group, kind = KINDS[i % len(KINDS)]
        namespace = i // per_namespace if per_namespace else i % 40
        ref = ObjectRef(group, kind, f"team-{namespace:02d}", f"obj-{i:05d}")
        body = {
            "apiVersion": "v1",
            "kind": kind,
            "metadata": {"name": ref.name, "namespace": ref.namespace},
            "spec": {
                "replicas": 2,
                "template": {"spec": {"containers": [{"name": "app", "image": "a:1"}]}},
            },
        }
        status = Status.DRIFTED if i % 20 == 0 else Status.IN_SYNC
        diffs: tuple[Difference, ...] = ()
        live = body
        if status is Status.DRIFTED:
            path = (
                "spec",
                "template",
                "spec",
                "containers",
                KeyedItem((("name", "app"),)),
                "image",
            )
            diffs = (
                Difference(
                    path, DiffType.CHANGED, "a:1", "a:2", "kubectl-edit", "2026-11-22T10:00:00Z"
                ),
            )
            live = {
                **body,
                "spec": {
                    "replicas": 2,
                    "template": {"spec": {"containers": [{"name": "app", "image": "a:2"}]}},
                },
            }
        results.append(
            DriftResult(
                ref,
                "v1",
                status,
                Fidelity.CLIENT_SIDE,
                source_file=f"f{i // 20}.yaml",
                differences=diffs,
                desired=body,
                live=live,
                resource_version=str(i),
                blob_sha=f"{i:040d}",
            )
        )
    return ScanReport(
        SourceInfo("bench", "main", "0" * 40, ""),
        LiveInfo(context="bench"),
        Fidelity.CLIENT_SIDE,
        results,
    )


class BenchExplorer(DriftExplorer):
    CURSOR_BLINK = False


def line(name: str, values: list[float], target: str) -> None:
    p95 = sorted(values)[max(0, int(len(values) * 0.95) - 1)]
    print(
        f"{name:<30} median {statistics.median(values):6.1f} ms   "
        f"p95 {p95:6.1f} ms   max {max(values):6.1f} ms   target {target}"
    )


async def run(n: int, per_namespace: int) -> None:
    report = synthetic_report(n, per_namespace)
    load_before = os.getloadavg()

    def scan(progress: ProgressFn) -> ScanReport:
        return report

    app = BenchExplorer(scan, read_only=True, gate=MutationGate(read_only=True))
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        first_paint = time.perf_counter() - started
        while app.report is None:
            await pilot.pause(0.01)
        loaded = time.perf_counter() - started
        probe = FrameProbe(app)
        await probe.settle()

        figures: dict[str, list[Press]] = {}

        async def timed(key: str, label: str) -> None:
            figures.setdefault(label, []).append(await probe.press_until_quiet(key))

        await timed("i", "show in sync")  # the whole 10,000 are browsable
        for _ in range(60):
            await timed("j", "move")
        for _ in range(15):
            await timed("j", "move")
            await timed("enter", "open")
            await timed("escape", "back")
        await timed("escape", "back")
        tree = app.resource_tree
        for group in list(tree.root.children)[2:12]:  # unopened namespaces: nodes built now
            tree.go_to(group)
            await probe.settle()
            await timed("enter", "expand")  # opens on its worst child
        for text in ("obj-0", "team-07 dep", "obj-099"):
            await timed("slash", "filter")
            for char in text:
                await timed({" ": "space", "-": "minus"}.get(char, char), "filter keystroke")
            await timed("escape", "clear filter")

    print(f"objects: {n}   (headless 120x36; see the module docstring)")
    print(f"load average before {load_before}, after {os.getloadavg()}")
    print(f"first paint:                   {first_paint * 1000:6.0f} ms   target < 1000 ms")
    print(f"first scan shown in tree:      {loaded * 1000:6.0f} ms")
    targets = {"filter keystroke": "<= 200 ms", "clear filter": "<= 200 ms"}
    for label in ("move", "open", "back", "expand", "filter keystroke", "clear filter"):
        values = figures[label]
        line(f"{label}, shown", [v.shown_ms for v in values], targets.get(label, "<= 50 ms"))
        line(f"{label}, settled", [v.settled_ms for v in values], "")
        line(f"{label}, CPU", [v.cpu_ms for v in values], "")
    print(
        f"peak RSS:                      {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB   target <= 500 MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--per-namespace", type=int, default=0, help="0: 40 namespaces")
    args = parser.parse_args()
    asyncio.run(run(args.objects, args.per_namespace))


if __name__ == "__main__":
    main()
