"""One many-cluster scan read by one process and again spread over two, in a fresh
interpreter: a fork is only made while a process runs a single thread, and a test
process may run others (pytest-xdist's channel).

Run: python -m tests.engine.spread_probe KUBECONFIG REPO NAMESPACE A,B,... [--broken-copy]
Writes a pickle of ``{"apart": [...], "local": [...], "spread": [...]}`` (each cluster's
``ClusterScan``) on stdout. ``--broken-copy``: the forked copy dies before it answers.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any

from driftui.engine import ScanOptions
from driftui.engine.clusters import scan_clusters
from driftui.runtime import forked

KEY = b"k" * 32


def _broken(work: Any, out: int) -> None:
    del work, out
    os._exit(3)


def main(argv: list[str]) -> None:
    kubeconfig, repo, namespace, contexts = argv[:4]
    if "--broken-copy" in argv:
        forked._serve = _broken
    options = ScanOptions(
        repo=repo, kubeconfig=kubeconfig, namespace=namespace, request_timeout=5.0
    )
    names = contexts.split(",")
    local, _ = scan_clusters(options, names, read_only=True, mask_key=KEY, spread=False)
    spread, runs = scan_clusters(options, names, read_only=True, mask_key=KEY, spread_min=0)
    out = {"apart": [r.apart for r in runs], "local": local.clusters, "spread": spread.clusters}
    sys.stdout.buffer.write(pickle.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
