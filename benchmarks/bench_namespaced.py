"""Namespaced-scan benchmark (issue 21): does `-n shop` cost only what `shop` holds?

Two real control planes hold the same 1,000 objects of mixed kinds (5% drifted) in namespace
`shop`, declared in Git. One holds nothing else; in the other, 9 more namespaces hold many
objects each, of the same kinds. `-n shop` is scanned on each in turn (a fresh read-only
Scanner in-process each time, alternating, so load from other work on the machine falls on
both alike) and the medians compared. The last figure scans the full cluster as driftui did
before issue 21: one cluster-wide LIST per kind. The other namespaces' objects are written
straight into etcd, as bench_scale writes its 100k (through the API they took 14 minutes).

Run: .venv/bin/python -m benchmarks.bench_namespaced [--objects 1000] [--others 9]
     [--per-namespace 10000] [--runs 5]
Target: full cluster within 1.2x of the empty one.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.bench_engine import apply_all, drift, make_object, rss_mb, write_repo
from benchmarks.bench_scale import create
from benchmarks.cold import forget_parsed
from driftui.engine import Scanner, ScanOptions
from driftui.live import reader
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

TARGET = 1.2


def make_namespace(cluster: ClusterInfo, name: str) -> None:
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": name}}
    )
    assert status in (201, 409), body


def shop_cluster(cluster: ClusterInfo, shop: str, objects: list[dict[str, Any]]) -> None:
    make_namespace(cluster, shop)
    apply_all(cluster, objects)
    drift(cluster, objects, every=20)


def scan_once(repo: Path, cluster: ClusterInfo, namespace: str) -> tuple[float, int]:
    """Wall time of one fresh read-only scan of ``-n namespace``, and its count of results."""
    options = ScanOptions(
        repo=str(repo), kubeconfig=cluster.kubeconfig(), namespace=namespace, read_only=True
    )
    forget_parsed()
    scanner = Scanner(options)
    start = time.perf_counter()
    report = scanner.scan()
    return time.perf_counter() - start, len(report.results)


@contextmanager
def cluster_wide_lists() -> Iterator[None]:
    """Every namespaced kind LISTed across the cluster, as before issue 21."""
    kept = reader.PER_NAMESPACE_MAX
    reader.PER_NAMESPACE_MAX = 0
    try:
        yield
    finally:
        reader.PER_NAMESPACE_MAX = kept


def in_sync(_: int) -> bool:
    return False


def fill_others(cluster: ClusterInfo, prefix: str, others: int, per_namespace: int) -> int:
    total, start = 0, time.perf_counter()
    for n in range(others):
        ns = f"{prefix}-other-{n}"
        make_namespace(cluster, ns)
        create(cluster, [make_object(i, ns) for i in range(per_namespace)], 8, hand=in_sync)
        total += per_namespace
        print(f"  {ns}: {per_namespace} objects ({time.perf_counter() - start:.0f}s so far)")
    return total


def compare(repo: Path, empty: ClusterInfo, full: ClusterInfo, shop: str, runs: int) -> None:
    """Alternate scans of the two clusters (and the old way on the full one); print medians."""
    times: dict[str, list[float]] = {"empty": [], "full": [], "before": []}
    counts: dict[str, int] = {}
    scan_once(repo, empty, shop), scan_once(repo, full, shop)  # warm: parsed blobs, imports
    for _ in range(runs):
        for label, cluster in (("empty", empty), ("full", full)):
            seconds, counts[label] = scan_once(repo, cluster, shop)
            times[label].append(seconds)
        with cluster_wide_lists():
            seconds, counts["before"] = scan_once(repo, full, shop)
            times["before"].append(seconds)
    med = {label: statistics.median(values) for label, values in times.items()}
    for label, values in times.items():
        runs_text = " ".join(f"{v:.2f}" for v in values)
        print(f"{label:>6}: median {med[label]:.2f} s  ({counts[label]} results; runs {runs_text})")
    print(f"ratio full/empty: {med['full'] / med['empty']:.2f}x  target <= {TARGET}x")
    print(f"ratio before/empty (cluster-wide LISTs): {med['before'] / med['empty']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=1_000)
    parser.add_argument("--others", type=int, default=9)
    parser.add_argument("--per-namespace", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftui-bench-ns-"))
    empty = harness.up(work / "empty")
    try:
        full = harness.up(work / "full")
        try:
            prefix = f"bench-{int(time.time())}"
            shop = f"{prefix}-shop"
            objects = [make_object(i, shop) for i in range(args.objects)]
            shop_cluster(empty, shop, objects)
            shop_cluster(full, shop, objects)
            repo = work / "repo"
            write_repo(repo, objects)
            print(f"setup: {len(objects)} objects in {shop} on both clusters, 5% drifted")
            t = time.perf_counter()
            filled = fill_others(full, prefix, args.others, args.per_namespace)
            print(
                f"setup: {filled} objects in {args.others} other namespaces of the full cluster"
                f" in {time.perf_counter() - t:.0f}s"
            )
            compare(repo, empty, full, shop, args.runs)
            print(f"peak RSS: {rss_mb():.0f} MB")
        finally:
            harness.down(work / "full")
    finally:
        harness.down(work / "empty")


if __name__ == "__main__":
    main()
