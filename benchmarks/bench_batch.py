"""In-process explorer benchmark (issue 21): watch batches on 10,000 objects, the filter on
100,000, without a control plane, so a change can be measured in a minute.

Watch: the real explorer and watch flow, with an in-memory event source standing in for the
informers (no API is crossed): every batch (watch_flow.EVENT_BATCH, 1 s) it hands back the
report with ``--changed`` objects judged anew, as the engine's rejudge does (the same list,
changed objects replaced). ``--drifted 0.95``: that share is drifted from the start and stays
so as it changes, as late in bench_watch's churn (mostly drifted objects under the keys).
Keys are pressed through the driver meanwhile (benchmarks/probe.py). Printed: key latency
(press to the frame showing the new selection), the UI thread's time per batch, the worker's,
and the process's CPU. Filter: 100,000 objects, 1,000 per namespace; keystrokes of the
queries bench_scale types, each until the screen is quiet; moves. Also the model alone:
a batch applied to the grouped 10,000, a query grouped over 100,000.

Run: .venv/bin/python -m benchmarks.bench_batch [--objects 10000] [--seconds 30]
     [--changed 25] [--drifted 0.95] [--scale 100000] [--part watch|filter|all]
The machine is shared: CPU figures are steadier than wall times; the load is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import threading
import time
from dataclasses import replace
from typing import Any

from benchmarks.bench_tui import BenchExplorer, synthetic_report
from benchmarks.probe import FrameProbe, Press
from driftui.gate import MutationGate
from driftui.model import ObjectRef, ScanReport, Status
from driftui.tui import app as app_module
from driftui.tui.filter_flow import FilterFlow
from driftui.tui.watch_flow import WatchFlow
from tests.tui.quiet_watch import QuietWatch

FILTER_TEXTS = ("obj-0", "scale-042 dep", "obj-0999")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def line(name: str, values: list[float], unit: str = "ms") -> None:
    print(
        f"  {name:<44} median {statistics.median(values):7.1f} {unit}  p95 {p95(values):7.1f} "
        f"{unit}  max {max(values):7.1f} {unit}  ({len(values)})",
        flush=True,
    )


def one_namespace(report: ScanReport, drifted: float = 0.0) -> ScanReport:
    """bench_watch's shape: every object a ConfigMap of one namespace; the first ``drifted``
    share of them drifted (late in bench_watch, the churn has drifted nearly all), the rest
    in sync."""
    template = next(r for r in report.results if r.status is Status.DRIFTED)
    cut = int(len(report.results) * drifted)
    results = [
        replace(
            r if i >= cut else replace(r, differences=template.differences, live=template.live),
            ref=ObjectRef("", "ConfigMap", "watch", r.ref.name),
            status=Status.IN_SYNC if i >= cut else Status.DRIFTED,
        )
        for i, r in enumerate(report.results)
    ]
    return replace(report, results=results)


def scaled(report: ScanReport, per_namespace: int = 1000) -> ScanReport:
    """bench_scale's shape: 1,000 objects a namespace, mixed kinds, 5% drifted."""
    results = [
        replace(r, ref=replace(r.ref, namespace=f"scale-{i // per_namespace:03d}"))
        for i, r in enumerate(report.results)
    ]
    return replace(report, results=results)


class MemoryEvents(QuietWatch):
    """Stands in for engine.watching.LiveWatch: ``changed`` objects per batch, rejudged as
    the engine does (a new list, the unchanged results the very same objects)."""

    def __init__(self, changed: int, *, stay_drifted: bool = False) -> None:
        self.changed = changed
        self.stay_drifted = stay_drifted  # bench_watch's churn: a drifted object stays so
        self.batches = 0
        self._rng = random.Random(21)

    def pending(self) -> int:
        return self.changed

    def rejudged(self, report: ScanReport) -> ScanReport:
        self.batches += 1
        results = list(report.results)
        for _ in range(self.changed):
            at = self._rng.randrange(len(results))
            old = results[at]
            status = Status.DRIFTED if old.status is Status.IN_SYNC else Status.IN_SYNC
            if self.stay_drifted and old.status is Status.DRIFTED:
                status = Status.DRIFTED
            results[at] = replace(old, status=status, resource_version=str(self.batches))
        return replace(report, results=results)


def timed(owner: type, name: str, into: list[float]) -> None:
    """Record the CPU time of its thread in ``owner.name`` (a handler, the worker's job).

    Replaced on the class that defines it: Textual calls a message handler of every class
    in the MRO, so one set on a subclass would run the handler twice."""
    definer = next((k for k in owner.__mro__ if name in vars(k)), None)
    if definer is None:
        return
    original = vars(definer)[name]

    def method(self: Any, *args: Any) -> Any:
        started = time.thread_time()
        answer = original(self, *args)
        into.append((time.thread_time() - started) * 1000)
        return answer

    setattr(definer, name, method)


async def watch(n: int, seconds: float, changed: int, drifted: float) -> None:
    report = one_namespace(synthetic_report(n), drifted)
    events = MemoryEvents(changed, stay_drifted=drifted > 0)
    ui_ms: list[float] = []
    worker_ms: list[float] = []
    for name in ("on_events_judged", "on_scan_finished"):  # the latter before issue 21's batches
        timed(app_module.DriftExplorer, name, ui_ms)
    timed(WatchFlow, "_rejudge", worker_ms)
    gate = MutationGate(read_only=True)
    app = BenchExplorer(lambda _: report, read_only=True, gate=gate, watcher=lambda: events)
    async with app.run_test(size=(120, 36)) as pilot:
        while app.report is None:
            await pilot.pause(0.05)
        probe = FrameProbe(app)
        await probe.settle()
        await probe.press_until_quiet("i")  # every object listed, as bench_watch does
        await probe.press_until_quiet("w")
        while app.watching.starting:
            await pilot.pause(0.1)
        ui_ms.clear()
        worker_ms.clear()
        moves, keys = "j" * 10 + "k" * 10, list[float]()
        started, cpu_start = time.monotonic(), cpu()
        while time.monotonic() - started < seconds:
            keys.append(await probe.press_until_shown(moves[len(keys) % len(moves)]))
            await pilot.pause(0.25)
        share = 100 * (cpu() - cpu_start) / (time.monotonic() - started)
        app.watching.stop()
    print(
        f"watch: {n} objects ({drifted:.0%} drifted at the start), {changed} changed per batch,"
        f" {events.batches} batches in {seconds:.0f} s"
    )
    line("key to the frame showing the new selection", keys)
    if events.batches:
        line("UI thread per batch (CPU)", ui_ms)
        line("worker per batch (CPU)", worker_ms)
    print(f"  process CPU {share:.1f}% of one core; load {os.getloadavg()}", flush=True)


async def filtering(n: int, moves: int) -> None:
    report = scaled(synthetic_report(n))
    gate = MutationGate(read_only=True)
    app = BenchExplorer(lambda _: report, read_only=True, gate=gate)
    worker_ms: list[float] = []
    ui_ms: list[float] = []
    timed(FilterFlow, "regroup", worker_ms)
    timed(app_module.DriftExplorer, "on_filtered", ui_ms)
    async with app.run_test(size=(120, 36)) as pilot:
        while app.report is None:
            await pilot.pause(0.05)
        probe = FrameProbe(app)
        await probe.settle()
        keys = [await probe.press_until_quiet("j") for _ in range(moves)]
        worker_ms.clear()
        strokes: list[Press] = []
        clears: list[Press] = []
        for text in FILTER_TEXTS:
            await probe.press_until_quiet("slash")
            for char in text:
                key = {" ": "space", "-": "minus"}.get(char, char)
                strokes.append(await probe.press_until_quiet(key))
            clears.append(await probe.press_until_quiet("escape"))
    print(f"filter: {n} objects, 1,000 a namespace; load {os.getloadavg()}")
    typed = "".join(FILTER_TEXTS)
    print(
        "  each keystroke, shown ms: "
        + " ".join(f"{ch}={p.shown_ms:.0f}" for ch, p in zip(typed, strokes, strict=True))
    )
    for name, presses in (
        ("move (j)", keys),
        ("filter keystroke", strokes),
        ("clear filter", clears),
    ):
        line(f"{name}, shown", [p.shown_ms for p in presses])
        line(f"{name}, CPU", [p.cpu_ms for p in presses])
    line("filter's worker: search and grouping (CPU)", worker_ms)
    line("filtered matches shown in the tree (CPU)", ui_ms)


def model(n: int, scale: int, changed: int) -> None:
    """The grouped model alone, no widgets: what a batch and a filter cost it."""
    try:
        from driftui.tui.tree_delta import apply_changes, changes_between
        from driftui.tui.tree_model import View, prepare
    except ImportError:  # before issue 21's batches
        return
    rng = random.Random(7)
    before = one_namespace(synthetic_report(n)).results
    prepared = prepare(before, View())
    costs = []
    for batch in range(20):
        after = list(before)
        for _ in range(changed):
            at = rng.randrange(n)
            status = Status.DRIFTED if after[at].status is Status.IN_SYNC else Status.IN_SYNC
            after[at] = replace(after[at], status=status, resource_version=str(batch))
        started = time.thread_time()
        prepared, _ = apply_changes(prepared, changes_between(before, after), after)
        costs.append((time.thread_time() - started) * 1000)
        before = after
    print(f"model: {n} objects, {changed} changed per batch")
    line("batch applied (changes found + groups changed)", costs)
    results = scaled(synthetic_report(scale)).results
    from driftui.tui.placements import Placements
    from driftui.tui.search import SearchText
    from driftui.tui.tree_model import filter_positions

    # as FilterFlow.regroup does: search keys and placements kept, made once per report
    search, placements, costs = SearchText(results), Placements.of(results, View()), []
    for text in FILTER_TEXTS:
        for end in range(1, len(text) + 1):
            started = time.thread_time()
            placements.index(filter_positions(results, query=text[:end].strip(), search=search))
            costs.append((time.thread_time() - started) * 1000)
    print(f"model: {scale} objects")
    line("query grouped (keys searched, matches grouped)", costs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--changed", type=int, default=25, help="objects per batch")
    parser.add_argument(
        "--drifted", type=float, default=0.0, help="share drifted at the start (watch)"
    )
    parser.add_argument("--scale", type=int, default=100_000, help="objects for the filter")
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--part", choices=("watch", "filter", "model", "all"), default="all")
    args = parser.parse_args()
    threading.current_thread().name = "ui"
    print(f"load average {os.getloadavg()}", flush=True)
    if args.part in ("model", "all"):
        model(args.objects, args.scale, args.changed)
    if args.part in ("watch", "all"):
        asyncio.run(watch(args.objects, args.seconds, args.changed, args.drifted))
    if args.part in ("filter", "all"):
        asyncio.run(filtering(args.scale, args.moves))


if __name__ == "__main__":
    main()
