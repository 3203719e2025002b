"""Many-cluster benchmark (issue 23): N clusters of M objects, one scan, against one such cluster.

Each "cluster" is a context of its own onto a namespace of its own: eight control planes
do not fit beside the other work on this shared 2-core machine, so the contexts point at
one control plane (``--planes 2``: alternately at two). The repository declares its M
objects without a namespace, so each context's default namespace places them, exactly
as one repo promoted through several clusters. 5% of each kind drifted in each cluster, a
different 5% in each. Setup as bench_scale's: per kind, drifted or not, one seed through
the API, every other object its copy written straight into etcd (8 x 5,000 in half a
minute; through the API it timed out after 32 minutes). Every scan is cold (parse,
merge-key and kubeconfig caches cleared); the ratio is the issue's measure: many clusters must take at
most 2x one. Beside wall time: CPU seconds of driftui (its parse workers included) and of
the control planes, steadier than wall time on a loaded machine.

Run: PATH="$(cat .venv/testbin.path):$PATH" .venv/bin/python -m benchmarks.bench_clusters
     [--clusters 8] [--objects 5000] [--planes 1]

Where the time goes (py-spy, session 16): the clusters share one interpreter lock, so
their Python work is serial on this 2-core machine. Eight clusters cost the Git load G
(once), one full cluster C, and seven clusters A that adopt the verdicts the first one
shared; one cluster costs G + C. 2x needs A <= (G + C) / 7, about 36 us an object at
5,000 objects, and decoding a LIST alone is about 19 us an object: per-object trimming
cannot reach it, and every saving on the one-cluster path raises the ratio. A process per
cluster (forked after the one Git load) measured 13 s of CPU against 5 s threaded:
sending each cluster's verdicts back cost more than judging them.

Session 17: a large scan forks ONE copy after the Git load (engine/clusters._spread), which
reads half the clusters and sends back their verdicts without the bodies of in-sync
objects (4.5 MB for 4 x 5,000). Each process pays one full C and three A, so its path is
G + C + 3A + sending; the CPU beside it (the copy's own C, pickling, the API server
serving both) now competes for the second core. 2x then needs both 3A + sending <= G + C
(the longer path) and all the CPU (both processes, the parse workers, the API server)
within two cores for twice one cluster's time: the copy's own C and the sending add
about 0.9 s of CPU to the one-process scan's. The "one process" line is the scan
without the copy (spread=False). CPU figures count the copy (a reaped child).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.bench_engine import make_object, rss_mb, write_repo
from benchmarks.bench_scale import create
from benchmarks.cold import forget_parsed, own_cache
from benchmarks.list_reads import list_reads, pages_line, pages_since
from driftui.engine import Scanner, ScanOptions, merge_key_cache
from driftui.engine.clusters import CLUSTER_WORKERS, scan_clusters
from driftui.gate import MutationGate
from driftui.live import kubeconfig as kubeconfig_file
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

T = TypeVar("T")


def kubeconfig(path: Path, planes: list[ClusterInfo], namespaces: list[str]) -> list[str]:
    """One context per namespace, round-robin over the control planes."""
    clusters: list[dict[str, Any]] = []
    users: list[dict[str, Any]] = []
    contexts: list[dict[str, Any]] = []
    for index, ns in enumerate(namespaces):
        plane = json.loads(Path(planes[index % len(planes)].kubeconfig("admin")).read_text())
        name = f"c{index}"
        clusters.append({"name": name, "cluster": plane["clusters"][0]["cluster"]})
        users.append({"name": name, "user": plane["users"][0]["user"]})
        contexts.append({"name": name, "context": {"cluster": name, "user": name, "namespace": ns}})
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": clusters, "users": users}
    path.write_text(json.dumps({**doc, "contexts": contexts, "current-context": "c0"}))
    path.chmod(0o600)
    return [c["name"] for c in contexts]


def populate(plane: ClusterInfo, ns: str, count: int, offset: int) -> int:
    """``count`` objects in ``ns``, a 5% of them drifted that differs with ``offset`` (5% of
    each kind). As bench_scale sets up 100,000: per kind, drifted or not, one seed through
    the API, the rest its copies written straight into etcd (40,000 objects through the API
    took over half an hour on the shared machine, and did not finish)."""

    def hand(i: int) -> bool:
        return (i // 4 + offset) % 20 == 0

    create(plane, [make_object(i, ns) for i in range(count)], workers=4, hand=hand)
    return sum(1 for i in range(count) if hand(i))


def unplaced(count: int) -> list[dict[str, Any]]:
    objects = [make_object(i, "x") for i in range(count)]
    for obj in objects:
        del obj["metadata"]["namespace"]
    return objects


@dataclass(frozen=True)
class Took:
    """One timed scan: wall seconds, CPU seconds of this process (every thread) and of its
    children (parse workers, a forked copy), and the CPU seconds the control planes spent
    meanwhile (serving the LISTs, on the same cores)."""

    wall: float
    cpu: float
    servers: float
    children: float = 0.0  # of ``cpu``: the parse workers' and a forked copy's
    pages: str = ""  # where the servers read the LIST pages from (benchmarks.list_reads)

    def __str__(self) -> str:
        return (
            f"{self.wall:.2f} s (CPU {self.cpu:.2f} s, of which children {self.children:.2f} s;"
            f" API servers {self.servers:.2f} s; {self.pages})"
        )


def server_cpu(planes: list[ClusterInfo]) -> float:
    """User + system seconds of every plane's etcd and kube-apiserver so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in (p for plane in planes for p in plane.pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def timed(planes: list[ClusterInfo], scan: Callable[[], T]) -> tuple[T, Took]:
    """``scan()`` cold (parse, merge-key and kubeconfig caches cleared), timed."""
    forget_parsed()
    merge_key_cache.forget()
    kubeconfig_file.forget()
    pages = list_reads(planes)
    wall, cpu, servers = time.perf_counter(), cpu_seconds(), server_cpu(planes)
    children = children_seconds()
    out = scan()
    took = Took(
        time.perf_counter() - wall,
        cpu_seconds() - cpu,
        server_cpu(planes) - servers,
        children_seconds() - children,
        pages_line(pages_since(pages, planes)),
    )
    return out, took


def cpu_seconds() -> float:
    """User + system seconds of this process and its finished children (a large repo's YAML
    is parsed in worker processes, source/parallel_parse)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + children_seconds()


def children_seconds() -> float:
    """User + system seconds of this process's finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def prepare(
    work: Path, planes: list[ClusterInfo], clusters: int, objects: int
) -> tuple[ScanOptions, list[str]]:
    """The clusters' objects, the repository and the kubeconfig of one context per cluster."""
    stamp = int(time.time())
    namespaces = [f"bench-{stamp}-{i}" for i in range(clusters)]
    t = time.perf_counter()
    drifted = [populate(planes[i % len(planes)], ns, objects, i) for i, ns in enumerate(namespaces)]
    print(
        f"setup: {clusters} contexts x {objects} objects on {len(planes)} control"
        f" plane(s), drifted {drifted}, in {time.perf_counter() - t:.0f}s",
        flush=True,
    )
    repo = work / "repo"
    write_repo(repo, unplaced(objects))
    contexts = kubeconfig(work / "kubeconfig", planes, namespaces)
    settle(planes)
    return ScanOptions(
        repo=str(repo), kubeconfig=str(work / "kubeconfig"), read_only=True
    ), contexts


def settle(planes: list[ClusterInfo], quiet: float = 15, most: float = 240) -> None:
    """Wait until the API servers' address repair loop is quiet: a timed scan must not
    meet it. Copied Services are headless (bench_scale.headless), so it finds nothing to
    mend; this guards against copies it would."""
    logs = [Path(p.directory) / "kube-apiserver.log" for p in planes]
    t = time.perf_counter()
    seen, since = -1, time.perf_counter()
    while time.perf_counter() - t < most:
        now = sum(f.read_bytes().count(b"repairip") for f in logs)
        if now != seen:
            seen, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
        time.sleep(1)
    print(f"servers settled in {time.perf_counter() - t:.0f}s ({seen} repairs)", flush=True)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def measure(options: ScanOptions, contexts: list[str], planes: list[ClusterInfo]) -> None:
    """One cluster, then all of them without and with shared verdicts; the ratio."""
    # Import the Kubernetes client before either timing: a process pays it once, and the
    # first scan timed would otherwise carry it alone (about 1 s on this machine).
    Scanner(replace(options, context=contexts[0]), MutationGate(read_only=True)).client()
    print(f"load average before: {load()}", flush=True)
    single = Scanner(replace(options, context=contexts[0]), MutationGate(read_only=True))
    one, alone = timed(planes, single.scan)
    print(f"one cluster:   {alone}  {json.dumps(one.counts())}", flush=True)

    _, unshared = timed(
        planes, lambda: scan_clusters(options, contexts, read_only=True, share_verdicts=False)
    )
    print(f"{len(contexts)} clusters, no verdict shared: {unshared}", flush=True)

    _, alone_process = timed(
        planes, lambda: scan_clusters(options, contexts, read_only=True, spread=False)
    )
    print(f"{len(contexts)} clusters, one process: {alone_process}", flush=True)

    (report, runs), many = timed(planes, lambda: scan_clusters(options, contexts, read_only=True))
    errors = [f"{c.context}: {c.error}" for c in report.clusters if c.error]
    drifts = [c.report.counts()["drifted"] for c in report.clusters if c.report]
    apart = sum(r.apart for r in runs)
    print(
        f"{len(contexts)} clusters:    {many}  drifted per cluster {drifts}"
        f"  errors {errors or 'none'}  (pool of {CLUSTER_WORKERS}; {apart} read by a"
        " forked copy)"
    )
    print(
        f"ratio: wall {many.wall / alone.wall:.2f}x one cluster, CPU {many.cpu / alone.cpu:.2f}x"
        f" (with the API servers' {(many.cpu + many.servers) / (alone.cpu + alone.servers):.2f}x)"
        "  target <= 2x"
    )
    print(f"load average after: {load()}")
    print(f"peak RSS: {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=8)
    parser.add_argument("--objects", type=int, default=5_000)
    parser.add_argument("--planes", type=int, choices=(1, 2), default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftui-bench-clusters-"))
    own_cache(work)
    planes = [harness.up(work / f"plane{i}") for i in range(args.planes)]
    try:
        options, contexts = prepare(work, planes, args.clusters, args.objects)
        measure(options, contexts, planes)
    finally:
        for i in range(args.planes):
            harness.down(work / f"plane{i}")


if __name__ == "__main__":
    main()
