"""Load benchmark (issue 7): the explorer in watch mode while 10,000 objects churn.

A real control plane; 10,000 ConfigMaps declared in Git and applied; a churner merge-patches
random objects at 50 updates/s for 60 s (each update is drift: a hand-set label) while the
explorer re-scans on an interval. Prints per-key repaint cost during the churn, RSS over
time, and whether the final state equals a fresh scan once the churn stops.

Run: .venv/bin/python -m benchmarks.bench_watch [--objects 10000] [--seconds 60] [--rate 50]
     [--mode events|rescan] [--report-every SECONDS] [--soak] [--drifted SHARE]

``--soak`` (issue 21, not in CI) is the one-hour run: --seconds 3600 with a progress line every
5 minutes (RSS, key latency of the window and overall, CPU and full collections of the
window, updates sent, load), printed as it
goes so that a run cut short still tells its figures; the final state is checked as always.

``--drifted 0.95``: that share of the objects carries a hand-set label from the start, so
a few minutes show the last windows of a long run, when the churn has drifted nearly every
object (the tree's drifted rows, the diffs the keys show and the objects judged again are
then mostly drifted ones).

``--mode events`` (the default, issue 21): watch mode follows watch events and judges only the
changed objects; ``--mode rescan``: the periodic full rescans used without watch permission.
Also printed: the explorer process's CPU during the churn (target under 25% of one core) and
how many objects differ from a fresh scan once the churn stops (lost events; target 0).

With DRIFTUI_CLUSTER_DIR (a control plane kept up between runs), each run leaves its 10,000
ConfigMaps behind (there is no namespace controller to delete them), and scans LIST
ConfigMaps cluster-wide: compare figures only from fresh control planes.

To find what grows: DRIFTUI_BENCH_TRACE=DIR (heap figures at each progress line),
DRIFTUI_BENCH_TRACEMALLOC=1 and DRIFTUI_BENCH_HOLDERS=1, see benchmarks/heap_trace.py;
DRIFTUI_BENCH_GC=1 prints each full collection during the churn as it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import itertools
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import threading
import time
import tracemalloc
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.bench_engine import apply_all, write_repo
from benchmarks.heap_trace import HeapTrace, rss_mb
from benchmarks.probe import FrameProbe
from driftui.engine import Scanner, ScanOptions
from driftui.engine.watching import LiveWatch
from driftui.gate import MutationGate
from driftui.model import DriftResult
from driftui.runtime import heap
from driftui.tui.app import DriftExplorer
from driftui.tui.watch_flow import WatchFlow
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo


class BenchExplorer(DriftExplorer):
    CURSOR_BLINK = False


CHURN_LOOPS = 8  # request loops in the churner: one loop managed 35.6 of 50 updates/s


def churn(cluster: ClusterInfo, ns: str, n: int, rate: float, seconds: float, sent: Any) -> None:
    """Another client (its own process, as in real life), bounded in count and time, loopback.

    Update k is due at ``k / rate`` seconds; ``CHURN_LOOPS`` threads, each on a kept-alive
    connection, take the next due update in turn, so one slow request does not hold back
    the rest and the rate holds (a TLS handshake a request made 34 a second at load 26).
    """
    started = time.monotonic()
    slots = itertools.count()
    lock = threading.Lock()
    rng = random.Random(7)

    def loop() -> None:
        conn = harness.KeptAlive(cluster, timeout=10)
        while True:
            with lock:
                k = next(slots)
                name = f"obj-{rng.randrange(n):05d}"
            due = started + k / rate
            if due >= started + seconds or time.monotonic() >= started + seconds:
                conn.close()
                return  # behind schedule under load: the rate falls short, the time does not
            time.sleep(max(0.0, due - time.monotonic()))
            path = f"/api/v1/namespaces/{ns}/configmaps/{name}?fieldManager=kubectl-edit"
            patch = {"metadata": {"labels": {"churn": str(k)}}}
            try:
                status, _ = conn.request(("PATCH", path, patch, "application/merge-patch+json"))
            except (OSError, http.client.HTTPException):  # a timeout under load: not sent,
                continue  # and the loop goes on (one such error used to end the churn, and the run)
            if status == 200:
                with sent.get_lock():
                    sent.value += 1

    loops = [threading.Thread(target=loop) for _ in range(CHURN_LOOPS)]
    for thread in loops:
        thread.start()
    for thread in loops:
        thread.join()


def cpu_seconds() -> float:
    """User and system CPU of this process (the explorer, its informers and the probe)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def settled(app: DriftExplorer, pilot: Any) -> None:
    """Once the churn stops: in event mode until no event waits to be judged, else until a
    full scan that began after the churn has landed."""
    if app.watching.events is None:
        before = app.scans_finished
        while app.scans_finished < before + 2:
            await pilot.pause(0.2)
        return
    await pilot.pause(3.0)  # the last events reach the informers
    while app.watching.events.pending() or app.scanning:
        await pilot.pause(0.2)
    await pilot.pause(1.0)


class FullCollections:
    """Durations of the cyclic collector's full (generation 2) runs: each stalls the screen."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self.spans: list[tuple[float, float]] = []  # perf_counter start and end of each
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.durations.append((time.perf_counter() - self._started) * 1000)
            self.spans.append((self._started, time.perf_counter()))
            if os.environ.get("DRIFTUI_BENCH_GC"):
                print(f"full collection {self.durations[-1]:.0f} ms, {info}", flush=True)


class Spans:
    """When each run of a method began and ended (perf_counter), on whatever thread: the
    batches' handler on the screen's thread, the rejudge in its worker."""

    def __init__(self, owner: type, name: str) -> None:
        self.spans: list[tuple[float, float]] = []
        definer = next(k for k in owner.__mro__ if name in vars(k))  # a handler runs per class
        original = vars(definer)[name]
        spans = self.spans

        def method(this: Any, *args: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(this, *args)
            finally:
                spans.append((began, time.perf_counter()))

        setattr(definer, name, method)


def slow_keys_overlapping(
    keys: list[tuple[float, float]], labelled: dict[str, list[tuple[float, float]]]
) -> str:
    """Of the keys over 50 ms (sent at perf_counter, ms), how many overlapped each kind of
    work: what the tail of the key latencies is made of."""
    slow = [(sent, sent + ms / 1000) for sent, ms in keys if ms > 50]
    counts = dict.fromkeys([*labelled, "none of these"], 0)
    for began, ended in slow:
        hit = [n for n, spans in labelled.items() if any(a < ended and b > began for a, b in spans)]
        for name in hit or ["none of these"]:
            counts[name] += 1
    return f"keys over 50 ms: {len(slow)}; overlapping " + ", ".join(
        f"{name} {count}" for name, count in counts.items()
    )


class PolicyCollections:
    """Counts the full collections :func:`heap.settle` decides on, as opposed to CPython's."""

    def __init__(self) -> None:
        self.ran = 0
        self._settle = heap.settle

    def settle(self, *, idle: bool) -> bool:
        ran = self._settle(idle=idle)
        self.ran += ran
        return ran


async def list_in_sync(app: DriftExplorer, pilot: Any) -> FrameProbe:
    """After the first scan, list the in-sync objects too (the cursor opens on the first)."""
    while app.report is None:
        await pilot.pause(0.1)
    probe = FrameProbe(app)
    await probe.settle()
    await probe.press_until_quiet("i")
    return probe


def fresh_explorer_rss(options: ScanOptions, result: Any) -> None:
    """RSS of a new explorer on the same state, its in-sync objects listed too: what the
    watched one holds beyond that is what watching cost it (run in a spawned process)."""

    async def measure() -> float:
        gate = MutationGate(read_only=True)
        app = BenchExplorer(Scanner(options, gate).scan, read_only=True, gate=gate)
        async with app.run_test(size=(120, 36)) as pilot:
            await list_in_sync(app, pilot)
            return rss_mb()

    result.value = asyncio.run(measure())


def verdicts(report: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {
        str(r.ref): (r.status.value, tuple(sorted(f"{d.dotted}={d.live}" for d in r.differences)))
        for r in report.results
    }


def percentile95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


async def drive(
    probe: FrameProbe,
    pilot: Any,
    churner: Any,
    started: float,
    every: float,
    sent: Any,
    trace: HeapTrace,
    sent_at: list[float],
) -> tuple[list[float], list[tuple[float, float]]]:
    """Press keys while the churner runs: key latencies and (time, RSS) samples. With
    ``every``, a progress line every that many seconds (the soak prints as it goes, so a run
    cut short still tells its figures). ``sent_at``: when each key was sent (perf_counter)."""
    moves = itertools.cycle("j" * 10 + "k" * 10)  # onto new objects, not back and forth
    keys: list[float] = []
    rss: list[tuple[float, float]] = []
    cpu_start, next_report, window = cpu_seconds(), every, 0
    mark = (0.0, cpu_start, gc.get_stats()[2]["collections"])  # the window's start
    trace.sample(0.0)
    while churner.is_alive():
        sent_at.append(time.perf_counter())
        keys.append(await probe.press_until_shown(next(moves)))
        rss.append((time.monotonic() - started, rss_mb()))
        if every and rss[-1][0] >= next_report:
            recent = keys[window:]
            now = (rss[-1][0], cpu_seconds(), gc.get_stats()[2]["collections"])
            cpu = 100 * (now[1] - cpu_start) / now[0]
            cpu_window = 100 * (now[1] - mark[1]) / (now[0] - mark[0])
            print(
                f"[{rss[-1][0] / 60:5.1f} min] RSS {rss[-1][1]:.0f} MB; keys in this window: "
                f"p95 {percentile95(recent):.1f} ms, median {statistics.median(recent):.1f} ms, "
                f"max {max(recent):.1f} ms ({len(recent)}); all keys p95 {percentile95(keys):.1f} ms; "
                f"CPU {cpu_window:.1f}% in the window, {cpu:.1f}% so far; full collections in the"
                f" window {now[2] - mark[2]}; updates sent {sent.value}; "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            next_report, window, mark = next_report + every, len(keys), now
            trace.sample(rss[-1][0])
        await pilot.pause(0.5)
    return keys, rss


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="driftui-watch-"))
    reuse = os.environ.get("DRIFTUI_CLUSTER_DIR")
    cluster = harness.load(reuse) if reuse else harness.up(work / "cluster")
    ns = f"watch-{int(time.time())}"
    try:
        harness.request(cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
        objects = [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"obj-{i:05d}", "namespace": ns},
                "data": {"i": str(i)},
            }
            for i in range(args.objects)
        ]
        write_repo(work / "repo", objects)
        cut = int(args.objects * args.drifted)  # drifted from the start, as late in a long run
        for obj in objects[:cut]:
            obj["metadata"]["labels"] = {"churn": "start"}  # type: ignore[index]
        apply_all(cluster, objects)
        options = ScanOptions(
            repo=str(work / "repo"),
            kubeconfig=cluster.kubeconfig("viewer"),
            namespace=ns,
            read_only=True,
        )
        gate = MutationGate(read_only=True)
        scanner = Scanner(options, gate)
        app = BenchExplorer(
            scanner.scan,
            read_only=True,
            gate=gate,
            watch_interval=args.interval,
            watcher=partial(LiveWatch, scanner) if args.mode == "events" else None,
        )
        sent = multiprocessing.Value("i", 0)
        batches = Spans(DriftExplorer, "on_events_judged")
        rejudges = Spans(WatchFlow, "_rejudge")
        async with app.run_test(size=(120, 36)) as pilot:
            probe = await list_in_sync(app, pilot)
            node = app.resource_tree.cursor_node
            if node is None or not isinstance(node.data, DriftResult):
                raise SystemExit(f"expected the cursor on an object, not {node}")
            await probe.press_until_quiet("w")
            while app.watching.starting:  # the informers' first LIST
                await pilot.pause(0.2)
            scans_before = app.scans_finished
            trace = HeapTrace()
            trace.note(scanner.live_objects())
            churner = multiprocessing.Process(
                target=churn, args=(cluster, ns, args.objects, args.rate, args.seconds, sent)
            )
            started = time.monotonic()
            cpu_start = cpu_seconds()
            full = FullCollections()
            gc.callbacks.append(full)
            policy = PolicyCollections()
            heap.settle = policy.settle
            print(f"churn starts; load average {os.getloadavg()}", flush=True)
            churner.start()
            sent_at: list[float] = []
            keys, rss = await drive(
                probe, pilot, churner, started, args.report_every, sent, trace, sent_at
            )
            churned = time.monotonic() - started
            cpu = 100 * (cpu_seconds() - cpu_start) / (time.monotonic() - started)
            scans_during = app.scans_finished - scans_before
            gc.callbacks.remove(full)
            settles = policy.ran  # during the churn only
            churner.join()
            await settled(app, pilot)
            final = app.report
            trace.report_holders(scanner.live_objects())
        fresh = Scanner(options, gate).scan()
        spawn = multiprocessing.get_context("spawn")
        fresh_rss = spawn.Value("d", 0.0)
        measuring = spawn.Process(target=fresh_explorer_rss, args=(options, fresh_rss))
        measuring.start()
        measuring.join()
        after_first_minute = [m for t, m in rss if t >= min(60.0, args.seconds / 2)]
        base = after_first_minute[0] if after_first_minute else rss[0][1]
        p95 = percentile95(keys)
        print(
            f"objects {args.objects}, churn {sent.value} updates in {churned:.0f}s "
            f"({sent.value / churned:.1f}/s), mode {args.mode}, interval {args.interval}s"
        )
        print(f"watch mode: {app.watching.header_text()}; load average now {os.getloadavg()}")
        print(f"reports finished during the churn (rescans or event batches): {scans_during}")
        print(f"explorer CPU during the churn: {cpu:.1f}% of one core  target < 25%")
        print(
            f"key press to the frame showing the new selection, during churn: median {statistics.median(keys):.1f} ms, "
            f"p95 {p95:.1f} ms, max {max(keys):.1f} ms, over 50 ms: {sum(k > 50 for k in keys)} "
            f"of {len(keys)}  target <= 50 ms"
        )
        longest = (
            f", longest {max(full.durations):.0f} ms, median {statistics.median(full.durations):.0f} ms"
            if full.durations
            else ""
        )
        print(
            f"full garbage collections during the churn: {len(full.durations)}{longest}; "
            f"of them the explorer's policy ran {settles} (heap.settle: a full one, then one"
            " over nothing), the rest CPython's own, over what is not frozen"
        )
        spans = {
            "a full collection": full.spans,
            "a batch shown (screen's thread)": batches.spans,
            "a rejudge (worker)": rejudges.spans,
        }
        print(slow_keys_overlapping(list(zip(sent_at, keys, strict=True)), spans))
        print(
            f"RSS: start {rss[0][1]:.0f} MB, max {max(m for _, m in rss):.0f} MB, end {rss[-1][1]:.0f} MB; "
            f"growth after the first half/minute {100 * (rss[-1][1] - base) / base:+.1f}%  target <= 10%"
        )
        print(
            f"RSS of a new explorer showing the final state: {fresh_rss.value:.0f} MB "
            f"(this one, after watching: {rss[-1][1]:.0f} MB)"
        )
        step = int(args.report_every or 20)
        every = [
            next(m for t, m in rss if t >= mark) for mark in range(0, int(rss[-1][0]) + 1, step)
        ]
        print(f"RSS every {step} s, MB: " + " ".join(f"{m:.0f}" for m in every))
        same = verdicts(final) == verdicts(fresh)
        mine, theirs = verdicts(final), verdicts(fresh)
        lost = sum(1 for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
        print(f"objects whose final verdict differs from a fresh scan (lost events): {lost}")
        drifted = sum(1 for r in fresh.results if r.status.value == "drifted")
        print(
            f"final explorer state equals a fresh scan: {same} ({drifted} objects drifted by the churn)"
        )
    finally:
        if not reuse:
            harness.down(work / "cluster")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--mode", choices=("events", "rescan"), default="events")
    parser.add_argument(
        "--drifted",
        type=float,
        default=0.0,
        help="share of the objects drifted from the start (late in a long run, nearly all)",
    )
    parser.add_argument(
        "--report-every", type=float, default=0.0, help="seconds between progress lines"
    )
    parser.add_argument(
        "--soak", action="store_true", help="the one-hour soak: --seconds 3600 --report-every 300"
    )
    args = parser.parse_args()
    if os.environ.get("DRIFTUI_BENCH_TRACEMALLOC") == "start":  # the scan's objects too
        tracemalloc.start(12)
    if args.soak:
        args.seconds, args.report_every = 3600.0, args.report_every or 300.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
