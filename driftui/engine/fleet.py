"""The clusters an explorer keeps open: one scanner per context, kept across rescans.

:func:`~driftui.engine.clusters.scan_clusters` makes its scanners for one run. The
explorer scans again on every refresh and acts on a cluster between scans (sync, history,
its executors hold that cluster's scanner), so a :class:`Fleet` keeps each context's
scanner, with its client, caches and RBAC probe, and only reloads the repository (once
for all of them) at each scan. Every scanner masks Secrets with one key, so a Secret's
value compares equal across clusters, and in-sync verdicts are shared between the
clusters of a scan as in ``scan_clusters`` (the explorer compared every object in every
cluster).
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

# _scan_one: the one place that turns a cluster's failure into its error row
from driftui.engine.clusters import CLUSTER_WORKERS, SharedSourceScanner, _scan_one
from driftui.engine.options import ScanOptions
from driftui.engine.scanner import Scanner
from driftui.engine.shared_verdicts import SharedVerdicts
from driftui.gate import MutationGate
from driftui.model import ClustersReport, DesiredState, SourceInfo
from driftui.runtime.progress import ProgressFn, no_progress

_NOT_LOADED = SourceInfo(repo="", ref="", commit="", path="")


class FleetScanner(SharedSourceScanner):
    """One context's scanner, handed each scan's single load of the repository."""

    def __init__(self, options: ScanOptions, gate: MutationGate) -> None:
        super().__init__(options, gate, DesiredState(_NOT_LOADED))

    def share(self, desired: DesiredState, verdicts: SharedVerdicts, turn: tuple[int, int]) -> None:
        """This scan's load of the repository, the in-sync verdicts its clusters share,
        and where in Git's objects this cluster starts judging (see ``judging_order``)."""
        self._shared = desired
        self._verdicts.shared = verdicts
        self._turn = turn


class Fleet:
    """``contexts`` scanned together against one load of the repository per scan."""

    def __init__(
        self,
        options: ScanOptions,
        contexts: list[str],
        *,
        read_only: bool,
        workers: int = CLUSTER_WORKERS,
    ) -> None:
        self.options = options
        self.contexts = list(contexts)
        self.read_only = read_only
        self.workers = workers  # clusters read at once
        self.mask_key = secrets.token_bytes(32)
        gate = MutationGate(read_only=read_only)
        self.loader = Scanner(replace(options, context=contexts[0]), gate)
        self.loader.mask_key = self.mask_key
        self.scanners: dict[str, FleetScanner] = {}
        for context in self.contexts:
            scanner = FleetScanner(
                replace(options, context=context, fetch=False), MutationGate(read_only=read_only)
            )
            scanner.mask_key = self.mask_key
            self.scanners[context] = scanner

    def scan(self, progress: ProgressFn = no_progress) -> ClustersReport:
        """Load the repository once and read every cluster concurrently; a cluster that
        cannot be read is its own error row (see ``scan_clusters``)."""
        del progress  # several clusters' progress would interleave; the header says scanning
        desired = self.loader.desired(fetch=self.options.fetch)
        if self.loader.render_warning:
            desired.warnings.append(self.loader.render_warning)
        workers = max(1, min(self.workers, len(self.contexts)))
        shared = SharedVerdicts()  # one scan's: a rescan compares anew what changed
        for index, scanner in enumerate(self.scanners.values()):
            scanner.share(desired, shared, (index % workers, workers))
        with ThreadPoolExecutor(workers, "driftui-cluster") as pool:
            scans = list(pool.map(lambda c: _scan_one(self.scanners[c], c), self.contexts))
        return ClustersReport(desired.source, scans)
