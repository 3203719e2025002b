"""Explorer benchmark (issue 4): 10,000 objects, driven with Pilot; prints the figures.

Run: .venv/bin/python -m benchmarks.bench_tui [--objects 10000]
"wall" is the time from the key press until the app is idle again (messages handled, the
screen refreshed) and includes Pilot's own pacing between frames, so it is an upper bound;
"CPU" is the processor time the explorer spent on that key (handling, layout, render).
Measured headless at 120x36.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
from typing import Any

from driftui.actions.gate import MutationGate
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
from driftui.progress import ProgressFn
from driftui.tui.app import DriftExplorer

KINDS = [("apps", "Deployment"), ("", "Service"), ("", "ConfigMap"), ("", "Secret")]


def synthetic_report(n: int) -> ScanReport:
    results = []
    for i in range(n):
        group, kind = KINDS[i % len(KINDS)]
        ref = ObjectRef(group, kind, f"team-{i % 40:02d}", f"obj-{i:05d}")
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


async def idle(app: Any, pilot: Any) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def run(n: int) -> None:
    report = synthetic_report(n)

    def scan(progress: ProgressFn) -> ScanReport:
        return report

    app = BenchExplorer(scan, read_only=True, gate=MutationGate(read_only=True))
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        first_paint = time.perf_counter() - started
        await idle(app, pilot)
        loaded = time.perf_counter() - started

        cpu: dict[str, list[float]] = {}

        async def timed(*keys: str, label: str = "") -> float:
            t, c = time.perf_counter(), time.process_time()
            await pilot.press(*keys)
            await idle(app, pilot)
            if label:
                cpu.setdefault(label, []).append((time.process_time() - c) * 1000)
            return (time.perf_counter() - t) * 1000

        await timed("i")  # show in-sync objects too: the whole 10,000 are browsable
        moves = [await timed("j", label="move") for _ in range(60)]
        opens = []
        for _ in range(15):
            await timed("j")
            opens.append(await timed("enter", label="open"))
            await timed("escape")
        filters = []
        for text in ("obj-0", "team-07 dep", "obj-099"):
            await timed("slash")
            t = time.perf_counter()
            for char in text:
                await pilot.press(char)
            await idle(app, pilot)
            filters.append((time.perf_counter() - t) * 1000 / len(text))
            await timed("escape")

    def line(name: str, values: list[float], target: str) -> None:
        p95 = sorted(values)[int(len(values) * 0.95) - 1]
        print(
            f"{name:<28} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   target {target}"
        )

    print(f"objects: {n}")
    print(f"first paint:                 {first_paint * 1000:6.0f} ms   target < 1000 ms")
    print(f"first scan shown in tree:    {loaded * 1000:6.0f} ms")
    line("cursor move (j), wall", moves, "<= 50 ms")
    line("cursor move (j), CPU", cpu["move"], "<= 50 ms")
    line("open node (enter), wall", opens, "<= 50 ms")
    line("open node (enter), CPU", cpu["open"], "<= 50 ms")
    line("filter update per keystroke", filters, "<= 200 ms")
    print(
        f"peak RSS:                    {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB   target <= 500 MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    asyncio.run(run(parser.parse_args().objects))


if __name__ == "__main__":
    main()
