"""Scale benchmark (issue 21): 100,000 objects on the real control plane, one namespace per
1,000 objects, mixed kinds (bench_engine's ConfigMaps, Services, Secrets, Deployments), 5%
drifted by hand (a label set by another field manager).

One control plane grows in two steps, so both sizes meet the same server: ``--base`` objects
first, then the rest. At each size, a cold `driftui report` (default: server-side fidelity,
the whole cluster) in a new process: its wall time and peak RSS. The ratio of the two times
shows whether growth is linear (target within 12x for 10x the objects). At the full size, the
explorer in a new process: how long it takes to open, key presses (p95 at most 50 ms), a
rescan with keys pressed meanwhile, and the filter (at most 300 ms a keystroke); its peak RSS.

Setup: through the API, one seed object per kind, drifted or not (applied as Argo CD would,
then edited by hand); every other object is its seed's copy with its own names and values,
written in bulk straight into etcd (:func:`tests.cluster.harness.put_in_etcd`): one request at
a time, 90,000 objects took 48 minutes, and 8 in parallel on the shared machine made 20 a
second. The harness raises etcd's quota. driftui reads everything through the API server.

Run: PATH="$(cat .venv/testbin.path):$PATH" .venv/bin/python -m benchmarks.bench_scale
     [--objects 100000] [--base 10000] [--per-namespace 1000] [--workers 8] [--moves 40] [--per-key]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import thread_cpu
from benchmarks.bench_engine import APPLY, make_object, resource_path, write_repo
from benchmarks.cold import user_env
from benchmarks.probe import FrameProbe, Press
from tests.cluster import harness
from tests.cluster.harness import Call, ClusterInfo

ETCD_KEYS = {
    "ConfigMap": "configmaps",
    "Service": "services/specs",
    "Secret": "secrets",
    "Deployment": "deployments",
}
HAND_EDIT = {"metadata": {"labels": {"edited-by-hand": "yes"}}}


def drifted(i: int) -> bool:
    """5% of each kind (kinds go round by ``i % 4``)."""
    return (i // 4) % 20 == 0


def objects_between(first: int, last: int, per_namespace: int) -> list[dict[str, Any]]:
    return [make_object(i, f"scale-{i // per_namespace:03d}") for i in range(first, last)]


def create(
    cluster: ClusterInfo,
    objects: list[dict[str, Any]],
    workers: int,
    hand: Callable[[int], bool] = drifted,
) -> float:
    """Namespaces through the API; per kind, drifted (``hand``) or not, one seed applied as
    Argo CD would (and edited by hand, if drifted) through the API; every other object a
    copy of its seed with its own names and values, written in bulk into etcd. Seconds taken."""
    t = time.perf_counter()
    spaces = sorted({o["metadata"]["namespace"] for o in objects})
    calls: list[Call] = [
        ("POST", "/api/v1/namespaces", {"metadata": {"name": ns}}, "application/json")
        for ns in spaces
    ]
    check(harness.requests_in_parallel(cluster, calls, workers), (201, 409))
    seeds: dict[tuple[str, bool], dict[str, Any]] = {}
    for i, obj in ((index(o), o) for o in objects):
        if (obj["kind"], hand(i)) not in seeds:
            seeds[obj["kind"], hand(i)] = seeded(cluster, obj, hand(i))
    copies = (
        (etcd_key(o), headless(copied(seeds[o["kind"], hand(index(o))], o)))
        for o in objects
        if not any(s["metadata"]["name"] == o["metadata"]["name"] for s in seeds.values())
    )
    harness.put_in_etcd(cluster, copies)
    return time.perf_counter() - t


def headless(obj: dict[str, Any]) -> dict[str, Any]:
    """A copied Service without a cluster IP (headless): copies that kept their seed's
    address made the API server's repair loop write an event for every Service every few
    minutes, which swamped it (TLS handshakes to it timed out), and addresses of their own
    written beside them were still mended one by one, ten a second, for minutes. Git sets
    no clusterIP, so the comparison takes any value of it for the server's default."""
    if obj["kind"] == "Service":
        obj["spec"]["clusterIP"], obj["spec"]["clusterIPs"] = "None", ["None"]
    return obj


def index(obj: dict[str, Any]) -> int:
    return int(obj["metadata"]["name"].removeprefix("obj-"))


def seeded(cluster: ClusterInfo, obj: dict[str, Any], hand: bool) -> dict[str, Any]:
    """One object created through the API, as the copies of it should look when read."""
    path = resource_path(obj)
    calls: list[Call] = [("PATCH", path + "?fieldManager=argocd-controller&force=true", obj, APPLY)]
    if hand:
        merge = "application/merge-patch+json"
        calls.append(("PATCH", path + "?fieldManager=kubectl-edit", HAND_EDIT, merge))
    for call in calls:
        check(harness.requests_in_parallel(cluster, [call], 1), (200, 201))
    status, body = harness.request(cluster, "GET", path)
    check([(status, body)], (200,))
    return dict(body)


def etcd_key(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"/registry/{ETCD_KEYS[obj['kind']]}/{meta['namespace']}/{meta['name']}"


def copied(seed: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """The seed with ``desired``'s names and values: what the API server would have stored
    for ``desired`` (same fields, so the same managedFields), with a uid of its own."""
    obj: dict[str, Any] = json.loads(json.dumps(seed))
    want = json.loads(json.dumps(desired))
    if "stringData" in want:  # the API server stores a Secret's stringData as data
        want["data"] = {
            k: base64.b64encode(v.encode()).decode() for k, v in want.pop("stringData").items()
        }
    overlay(obj, want)
    obj["metadata"]["uid"] = str(uuid.uuid4())
    obj["metadata"].pop("resourceVersion", None)
    return obj


def overlay(into: Any, values: Any) -> None:
    """Put ``values`` into ``into``, recursively; lists of the same length item by item."""
    for key, value in values.items():
        old = into.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            overlay(old, value)
        elif isinstance(value, list) and isinstance(old, list) and len(old) == len(value):
            for i, item in enumerate(value):
                if isinstance(item, dict) and isinstance(old[i], dict):
                    overlay(old[i], item)
                else:
                    old[i] = item
        else:
            into[key] = value


def check(results: list[tuple[int, Any]], ok: tuple[int, ...]) -> None:
    bad = [(status, body) for status, body in results if status not in ok]
    if bad:
        raise SystemExit(f"{len(bad)} setup requests failed, first: {str(bad[0])[:500]}")


@dataclass(frozen=True)
class Cli:
    seconds: float  # wall time
    cpu: float  # user + system seconds of the process: steadier than wall time on a loaded machine
    rss_mb: float  # peak


def cli_scan(kubeconfig: str, repo: Path, out: Path) -> Cli:
    """One cold `driftui report` of the whole cluster in a new process, as users run it."""
    argv = [sys.executable, "-m", "driftui", "report", "--repo", str(repo), "--no-fetch"]
    argv += ["--kubeconfig", kubeconfig, "-q", "-o", str(out)]
    t = time.perf_counter()
    env = user_env({"XDG_CACHE_HOME": tempfile.mkdtemp(prefix="driftui-cold-")})
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"driftui report failed ({code}): {err[:500]}")
    report = json.loads(out.read_text())
    print(f"  fidelity: {report['fidelity_detail']}; summary: {report['summary']}", flush=True)
    return Cli(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def line(name: str, presses: list[Press], target: str) -> None:
    shown = [p.shown_ms for p in presses]
    cpu = statistics.median(p.cpu_ms for p in presses)
    print(
        f"  {name:<30} shown: median {statistics.median(shown):7.1f} ms  p95 {p95(shown):7.1f} ms"
        f"  max {max(shown):7.1f} ms  ({len(shown)})  {target}; CPU median {cpu:.1f} ms",
        flush=True,
    )


async def explore(repo: str, kubeconfig: str, moves: int, per_key: bool) -> None:
    """The explorer on the whole cluster, as users open it (server-side fidelity)."""
    from driftui.__main__ import explorer_parts
    from driftui.engine import Scanner, ScanOptions
    from driftui.gate import MutationGate
    from driftui.tui.app import DriftExplorer

    class BenchExplorer(DriftExplorer):
        CURSOR_BLINK = False

    gate = MutationGate(read_only=False)
    scanner = Scanner(ScanOptions(repo=repo, kubeconfig=kubeconfig, fetch=False), gate)
    app = BenchExplorer(scanner.scan, **explorer_parts(scanner, gate))
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        while app.report is None:
            await pilot.pause(0.05)
        opened = time.perf_counter() - started
        probe = FrameProbe(app)
        await probe.settle()
        print(
            f"  explorer opened (first scan shown): {opened:.1f} s, CPU {time.process_time():.1f} s;"
            f" load {os.getloadavg()}",
            flush=True,
        )
        keys = [await probe.press_until_quiet("j") for _ in range(moves)]
        line("move (j)", keys, "target p95 <= 50 ms")
        line("show in-sync objects (i)", [await probe.press_until_quiet("i")], "")
        keys = [await probe.press_until_quiet("j") for _ in range(moves)]
        line("move (j), in-sync shown", keys, "target p95 <= 50 ms")
        await during_rescan(app, pilot, probe, per_key)
        await filtering(probe)
    print(
        f"  explorer peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        flush=True,
    )


async def during_rescan(app: Any, pilot: Any, probe: FrameProbe, per_key: bool) -> None:
    """Keys while a full rescan runs (refresh): the explorer must stay responsive.
    ``per_key``: print each key's time, the scan's phase and which threads ran meanwhile."""
    before = app.scans_finished
    started = time.perf_counter()
    probe.send("r")
    keys: list[float] = []
    while app.scans_finished == before:
        cpu = thread_cpu.snapshot()
        keys.append(await probe.press_until_shown("jk"[len(keys) % 2]))
        if per_key:
            ran = thread_cpu.ran_between(cpu, thread_cpu.snapshot())
            print(f"    {keys[-1]:5.0f} ms, at {app.progress_text!r}: CPU ms {ran}", flush=True)
        await pilot.pause(0.3)
    took = time.perf_counter() - started
    print(f"  rescan (r) took {took:.1f} s; load {os.getloadavg()}", flush=True)
    if keys:
        print(
            f"  move during the rescan: shown median {statistics.median(keys):.1f} ms, "
            f"p95 {p95(keys):.1f} ms, max {max(keys):.1f} ms ({len(keys)})  target p95 <= 50 ms",
            flush=True,
        )
    await probe.settle()


async def filtering(probe: FrameProbe) -> None:
    keystrokes: list[Press] = []
    clears: list[Press] = []
    for text in ("obj-0", "scale-042 dep", "obj-0999"):
        await probe.press_until_quiet("slash")
        for char in text:
            key = {" ": "space", "-": "minus"}.get(char, char)
            keystrokes.append(await probe.press_until_quiet(key))
        clears.append(await probe.press_until_quiet("escape"))
    line("filter keystroke", keystrokes, "target <= 300 ms")
    line("clear filter", clears, "target <= 300 ms")


def explorer_process(repo: str, kubeconfig: str, moves: int, per_key: bool) -> None:
    asyncio.run(explore(repo, kubeconfig, moves, per_key))


def measure_cli(kubeconfig: str, repo: Path, label: str) -> Cli:
    cli = cli_scan(kubeconfig, repo, repo.parent / f"{label}.json")
    print(
        f"{label} objects: cold driftui report {cli.seconds:.1f} s, CPU {cli.cpu:.1f} s, peak RSS"
        f" {cli.rss_mb:.0f} MB; load average {os.getloadavg()}",
        flush=True,
    )
    return cli


def run(args: argparse.Namespace, work: Path, cluster: ClusterInfo) -> None:
    """The smaller size first (the cluster holds only it), then the full size: its CLI
    scan alone, as the smaller one ran (the scan uses both cores: beside the explorer it
    measured the share it got, 14x one session and 8.8x alone the next), then the explorer."""
    kubeconfig = cluster.kubeconfig("admin")
    first = objects_between(0, args.base, args.per_namespace)
    took = create(cluster, first, args.workers)
    print(f"setup: {len(first)} objects in {took:.0f} s; load {os.getloadavg()}", flush=True)
    write_repo(work / "repo-base", first)
    base = measure_cli(kubeconfig, work / "repo-base", str(args.base))
    rest = objects_between(args.base, args.objects, args.per_namespace)
    took = create(cluster, rest, args.workers)
    print(f"setup: {len(rest)} more objects in {took:.0f} s; load {os.getloadavg()}", flush=True)
    write_repo(work / "repo", first + rest)
    del first, rest
    full = measure_cli(kubeconfig, work / "repo", str(args.objects))
    print(
        f"cold CLI scan, {args.objects} objects vs {args.base}: wall {full.seconds / base.seconds:.1f}x,"
        f" CPU {full.cpu / base.cpu:.1f}x for {args.objects / args.base:.0f}x the objects"
        f"  target <= 12x for 10x; peak RSS {full.rss_mb:.0f} MB  target <= 2500 MB",
        flush=True,
    )
    if not args.skip_explorer:
        print(f"explorer on {args.objects} objects (a new process):", flush=True)
        explorer = multiprocessing.get_context("spawn").Process(
            target=explorer_process, args=(str(work / "repo"), kubeconfig, args.moves, args.per_key)
        )
        explorer.start()
        explorer.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=10_000, help="the size compared with")
    parser.add_argument("--per-namespace", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=8, help="setup requests in flight")
    parser.add_argument("--moves", type=int, default=40, help="key presses per measure")
    parser.add_argument("--skip-explorer", action="store_true")
    parser.add_argument(
        "--per-key", action="store_true", help="each key in the rescan: which threads ran"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftui-scale-"))
    print(f"work directory {work}; load average {os.getloadavg()}", flush=True)
    cluster = harness.up(work / "cluster")
    try:
        run(args, work, cluster)
    finally:
        harness.down(work / "cluster")


if __name__ == "__main__":
    main()
