"""Many-cluster benchmark (issue 23): N clusters of M objects, one scan, against one such cluster.

Each "cluster" is a context of its own onto a namespace of its own: eight control planes
do not fit beside the other work on this shared 2-core machine, so the contexts point at
one control plane (``--planes 2``: alternately at two). The repository declares its M
objects without a namespace, so each context's default namespace places them, exactly
as one repo promoted through several clusters. 5% of each cluster's objects drifted, a
different 5% in each. Both scans are cold (parse and merge-key caches cleared); the ratio is the issue's
measure: many clusters must take at most 2x one.

Run: .venv/bin/python -m benchmarks.bench_clusters [--clusters 8] [--objects 5000] [--planes 1]

Measured (8 contexts x 2,000 objects, one control plane, load average 10.9 before and 10.3
after on the shared 2-core machine, the Kubernetes client imported before either timing):
one cluster 1.30 s; eight sharing nothing 5.64 s (4.3x); eight 4.20 s, 3.24x. (Before
the import was taken out of the single timing it carried about 1 s alone, which made the
earlier 2.55x look better than it was.) Within one process the clusters share the
interpreter lock, so each cluster's LIST decoding, health and comparisons of objects that
are not in sync add up; what is shared is the Git load and render, the OpenAPI merge keys by
content hash, and in-sync verdicts (engine/shared_verdicts). The 8 x 5,000 setup (40,000
objects on one control plane) did not finish under this machine's load: a harness request
timed out after 32 minutes of populating.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.bench_engine import apply_all, drift, make_object, rss_mb, write_repo
from driftui.engine import Scanner, ScanOptions, merge_key_cache
from driftui.engine.clusters import CLUSTER_WORKERS, scan_clusters
from driftui.gate import MutationGate
from driftui.source.blobs import PARSE_CACHE
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo


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
    """``count`` objects in ``ns``, a 5% of them drifted that differs with ``offset``."""
    harness.request(plane, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
    objects = [make_object(i, ns) for i in range(count)]
    apply_all(plane, objects)
    return drift(plane, objects[offset % 20 :], every=20)


def unplaced(count: int) -> list[dict[str, Any]]:
    objects = [make_object(i, "x") for i in range(count)]
    for obj in objects:
        del obj["metadata"]["namespace"]
    return objects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=8)
    parser.add_argument("--objects", type=int, default=5_000)
    parser.add_argument("--planes", type=int, choices=(1, 2), default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftui-bench-clusters-"))
    planes = [harness.up(work / f"plane{i}") for i in range(args.planes)]
    try:
        stamp = int(time.time())
        namespaces = [f"bench-{stamp}-{i}" for i in range(args.clusters)]
        t = time.perf_counter()
        drifted = [
            populate(planes[i % len(planes)], ns, args.objects, i)
            for i, ns in enumerate(namespaces)
        ]
        print(
            f"setup: {args.clusters} contexts x {args.objects} objects on {args.planes} control"
            f" plane(s), drifted {drifted}, in {time.perf_counter() - t:.0f}s"
        )
        repo = work / "repo"
        write_repo(repo, unplaced(args.objects))
        contexts = kubeconfig(work / "kubeconfig", planes, namespaces)
        options = ScanOptions(repo=str(repo), kubeconfig=str(work / "kubeconfig"), read_only=True)

        # Import the Kubernetes client before either timing: a process pays it once, and the
        # first scan timed would otherwise carry it alone (about 1 s on this machine).
        Scanner(replace(options, context=contexts[0]), MutationGate(read_only=True)).client()
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        PARSE_CACHE.clear()
        merge_key_cache.forget()
        t = time.perf_counter()
        one = Scanner(replace(options, context=contexts[0]), MutationGate(read_only=True)).scan()
        single = time.perf_counter() - t
        print(f"one cluster:   {single:.2f} s  {json.dumps(one.counts())}")

        PARSE_CACHE.clear()
        merge_key_cache.forget()
        t = time.perf_counter()
        scan_clusters(options, contexts, read_only=True, share_verdicts=False)
        unshared = time.perf_counter() - t
        print(f"{args.clusters} clusters, no verdict shared: {unshared:.2f} s")

        PARSE_CACHE.clear()
        merge_key_cache.forget()
        t = time.perf_counter()
        report, _ = scan_clusters(options, contexts, read_only=True)
        many = time.perf_counter() - t
        errors = [f"{c.context}: {c.error}" for c in report.clusters if c.error]
        drifts = [c.report.counts()["drifted"] for c in report.clusters if c.report]
        print(
            f"{args.clusters} clusters:    {many:.2f} s  drifted per cluster {drifts}"
            f"  errors {errors or 'none'}  (pool of {CLUSTER_WORKERS})"
        )
        print(f"ratio: {many / single:.2f}x one cluster  target <= 2x")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"peak RSS: {rss_mb():.0f} MB")
    finally:
        for i in range(args.planes):
            harness.down(work / f"plane{i}")


if __name__ == "__main__":
    main()
