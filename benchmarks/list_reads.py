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
    """Pages every plane has read so far, by where: ``cache`` and ``etcd`` (all kinds)."""
    reads: Counter[str] = Counter()
    for plane in planes:
        status, text = harness.request(plane, "GET", "/metrics")
        if status != 200 or not isinstance(text, str):
            continue
        for line in text.splitlines():
            if line.startswith(_FROM_CACHE):
                reads["cache"] += int(float(line.rsplit(" ", 1)[1]))
            elif line.startswith(_FROM_ETCD) and 'operation="list"' in line:
                reads["etcd"] += int(float(line.rsplit(" ", 1)[1]))
    return reads


def pages_line(before: Counter[str], after: Counter[str]) -> str:
    """``LIST pages: 24 from the watch cache, 0 from etcd`` between two readings."""
    cache, etcd = after["cache"] - before["cache"], after["etcd"] - before["etcd"]
    return f"LIST pages: {cache} from the watch cache, {etcd} from etcd"
