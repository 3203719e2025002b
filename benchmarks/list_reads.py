"""Where the API servers read LIST pages from: their watch cache, or etcd.

On kube-apiserver 1.34 a LIST's first page comes from the watch cache, and so do its
continuation pages while the server keeps a snapshot of the cache at the list's
resourceVersion; without one, each continuation page is a range read from etcd. On this
machine that cost the servers two to three times the CPU: eight namespaces' LISTs of 4
kinds (40,000 objects, 35 MB) took 3.5 s of apiserver and etcd CPU at 500 a page on a plane
left idle for half an hour, and 1.1-1.3 s unpaged or on a freshly written plane. The
servers share the two cores with driftui, so the benchmarks print where the pages came from
beside the servers' CPU: a figure that moved with it is read with that in mind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

_FROM_CACHE = "apiserver_cache_list_total{"
_FROM_ETCD = "etcd_requests_total{"


def list_reads(planes: Iterable[ClusterInfo]) -> Counter[str]:
    """Pages every plane has read so far, by where: ``cache`` and ``etcd`` (all kinds).
    A plane whose metrics cannot be read stops the benchmark: a count of 0 would be a lie."""
    reads: Counter[str] = Counter()
    for plane in planes:
        status, text = harness.request(plane, "GET", "/metrics")
        if status != 200 or not isinstance(text, str):
            raise SystemExit(f"cannot read {plane.server}/metrics (HTTP {status})")
        for line in text.splitlines():
            if line.startswith(_FROM_CACHE):
                reads["cache"] += int(float(line.rsplit(" ", 1)[1]))
            elif line.startswith(_FROM_ETCD) and 'operation="list"' in line:
                reads["etcd"] += int(float(line.rsplit(" ", 1)[1]))
    return reads


def pages_since(before: Counter[str], planes: Iterable[ClusterInfo]) -> Counter[str]:
    """Pages read since ``before`` (a :func:`list_reads`), by where."""
    now = list_reads(planes)
    return Counter({where: now[where] - before[where] for where in ("cache", "etcd")})


def pages_line(pages: Counter[str]) -> str:
    """``LIST pages: 24 from the watch cache, 0 from etcd``, of :func:`pages_since`."""
    return f"LIST pages: {pages['cache']} from the watch cache, {pages['etcd']} from etcd"
