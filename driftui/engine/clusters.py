"""A scan over many clusters: the repository loaded once, each cluster read concurrently.

Each cluster gets a :class:`~driftui.engine.scanner.Scanner` of its own (its client, gate,
verdict cache and live state), but none of them loads Git: the run loads and renders the
repository once and hands the same read-only :class:`~driftui.model.DesiredState` to all.
A cluster that cannot be read is an error row of its own; the others scan on. A large
scan reads half of its clusters in a forked copy of the process, on the second core
(:func:`_spread`).
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from driftui.engine.options import ScanOptions
from driftui.engine.scanner import Scanner
from driftui.engine.shared_verdicts import SharedVerdicts
from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.model import (
    ClusterScan,
    ClustersReport,
    DesiredState,
    Manifest,
    ScanReport,
    Status,
)
from driftui.runtime.forked import cores, forked
from driftui.runtime.heap import collector_paused, keep_all
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.runtime.records import replaced

CLUSTER_WORKERS = 4
"""Clusters read at once. Each already runs ``list_workers`` LISTs; this bounds the product."""

SPREAD_MIN_OBJECTS = 5_000
"""Objects a second process must have to judge (Git's, times its clusters) before a scan
spreads to one: below it, the fork and sending the scans back cost more than they save."""


class SharedSourceScanner(Scanner):
    """One cluster's scanner that takes Git's objects from the run's single load, and the
    in-sync verdicts the run's other clusters found."""

    def __init__(
        self,
        options: ScanOptions,
        gate: MutationGate,
        desired: DesiredState,
        verdicts: SharedVerdicts | None = None,
        turn: tuple[int, int] = (0, 1),
    ) -> None:
        super().__init__(options, gate)
        self._shared = desired
        self._verdicts.shared = verdicts
        self._turn = turn

    def judging_order(self, manifests: list[Manifest]) -> list[Manifest]:
        """Git's objects from this cluster's own starting point: clusters judged at once
        start a quarter apart (with four at once), so each finds the part ahead of it
        already judged by another, rather than all comparing the same objects together."""
        index, of = self._turn
        start = len(manifests) * index // max(1, of)
        return manifests[start:] + manifests[:start]

    def desired(
        self, ref: str | None = None, *, fetch: bool = False, progress: ProgressFn = no_progress
    ) -> DesiredState:
        """The shared load for the scanned ref; any other ref (history, blame) loads anew."""
        if ref is None:
            return self._shared
        return super().desired(ref, fetch=fetch, progress=progress)


@dataclass
class ClusterRun:
    """One cluster's outcome, with the scanner that read it (a snapshot asks it more).
    ``apart``: read by a second process (see :func:`_spread`); ``scanner`` is then this
    process's scanner of the cluster, which read nothing, and its in-sync results carry
    neither Git's nor the live body (:func:`sent`)."""

    scan: ClusterScan
    scanner: Scanner
    apart: bool = False


def scan_clusters(
    options: ScanOptions,
    contexts: list[str],
    *,
    read_only: bool,
    workers: int = CLUSTER_WORKERS,
    mask_key: bytes | None = None,
    share_verdicts: bool = True,
    spread: bool = True,
    spread_min: int = SPREAD_MIN_OBJECTS,
) -> tuple[ClustersReport, list[ClusterRun]]:
    """Every context of ``contexts`` judged against one load of the repository.

    Charts render once, for the first context's cluster (its version and APIs). Errors of
    the source (Git, rendering) stop the run: no cluster could be judged without it.
    Every cluster masks Secrets with one key (``mask_key``, else one of the run's own), so
    equal values have equal masks across clusters and in-sync verdicts can be shared.
    ``spread``: half the clusters may be read by a second process when there are at least
    ``spread_min`` objects for it to judge (:func:`_spread`); a caller that asks each run's
    scanner for what it read (a snapshot) passes False.
    """
    loader = Scanner(replace(options, context=contexts[0]), MutationGate(read_only=read_only))
    desired = loader.desired(fetch=options.fetch)
    if loader.render_warning:
        desired.warnings.append(loader.render_warning)
    key = mask_key if mask_key is not None else secrets.token_bytes(32)
    run = _Run(replace(options, fetch=False), desired, key, read_only, workers)
    run.shared = SharedVerdicts() if share_verdicts else None
    # One pause of the collector for the whole run, and what it made frozen before the
    # pause ends: the first collection after a pause walks everything allocated during it,
    # every cluster's objects, which are all kept (runtime.heap).
    with collector_paused():
        runs = _spread(run, contexts, spread_min) if spread else run.scan(contexts)
        keep_all()
    return ClustersReport(desired.source, [r.scan for r in runs]), runs


@dataclass
class _Run:
    """What every cluster of one run is scanned with: the one load, one mask key, and the
    in-sync verdicts shared between the clusters this process reads."""

    options: ScanOptions
    desired: DesiredState
    mask_key: bytes
    read_only: bool
    workers: int
    shared: SharedVerdicts | None = None

    def scanner(self, context: str, turn: tuple[int, int] = (0, 1)) -> SharedSourceScanner:
        scanner = SharedSourceScanner(
            replace(self.options, context=context),
            MutationGate(read_only=self.read_only),
            self.desired,
            self.shared,
            turn,
        )
        scanner.mask_key = self.mask_key
        return scanner

    def scan(self, contexts: list[str]) -> list[ClusterRun]:
        """``contexts`` read concurrently, ``workers`` at once, in their order."""
        size = max(1, min(self.workers, len(contexts)))

        def one(item: tuple[int, str]) -> ClusterRun:
            index, context = item
            scanner = self.scanner(context, (index % size, size))
            return ClusterRun(_scan_one(scanner, context), scanner)

        with ThreadPoolExecutor(size, "driftui-cluster") as pool:
            return list(pool.map(one, enumerate(contexts)))


def _spread(run: _Run, contexts: list[str], least: int) -> list[ClusterRun]:
    """The clusters read by this process and, for a large scan, a forked copy of it.

    A cluster's Python work holds the interpreter lock, so the clusters' threads share one
    core; the copy reads the second half on another. It starts from this process after
    the one load of the repository (no second load) and sends back each cluster's scan
    (its report or its error), not its live objects (:func:`sent`). Each process shares
    in-sync verdicts between its own clusters. Small scans stay here: a fork and its
    answer cost more than they save. When no fork is safe (another thread runs) or the
    copy fails in any way, this process reads those clusters itself: the same scans.
    """
    mine, theirs = contexts[: (len(contexts) + 1) // 2], contexts[(len(contexts) + 1) // 2 :]
    if not theirs or len(run.desired.manifests) * len(theirs) < least or cores() < 2:
        return run.scan(contexts)
    copy = forked(lambda: [sent(r.scan) for r in run.scan(theirs)])
    if copy is None:
        return run.scan(contexts)
    with copy:
        runs = run.scan(mine)
        scans: list[ClusterScan] | None = copy.answer()
    if scans is None or len(scans) != len(theirs):
        return runs + run.scan(theirs)
    return runs + [
        ClusterRun(s, run.scanner(c), apart=True) for s, c in zip(scans, theirs, strict=True)
    ]


def sent(scan: ClusterScan) -> ClusterScan:
    """What a copy sends back of a cluster's scan: every verdict, but an in-sync object's
    without its bodies (Git's and the live one), which neither a report nor a diff shows.
    They were most of what was sent: for 4 x 5,000 objects, 18.3 MB took 0.50 s to pickle
    there and 0.34 s to unpickle here; without them 4.5 MB, 0.14 s and 0.14 s."""
    if scan.report is None:
        return scan
    results = [
        replaced(r, desired=None, live=None) if r.status is Status.IN_SYNC else r
        for r in scan.report.results
    ]
    return replace(scan, report=replace(scan.report, results=results))


def _scan_one(scanner: Scanner, context: str) -> ClusterScan:
    """One cluster's scan; what stops it (unreachable, timed out, forbidden, a bad
    kubeconfig entry, a snapshot without it) becomes its row's error."""
    try:
        report = scanner.scan()
    except (DriftuiError, OSError) as exc:
        return ClusterScan(context, _server(scanner), error=str(exc) or type(exc).__name__)
    return ClusterScan(context, report.live.server, report=report, error=_all_forbidden(report))


def _all_forbidden(report: ScanReport) -> str:
    """A cluster the user may read nothing of is an error of the cluster, said once, as well
    as of each object: "forbidden: list configmaps in namespace shop (every object)"."""
    reasons = {r.reason for r in report.results}
    if report.results and all(
        r.status is Status.ERROR and r.reason.startswith("forbidden") for r in report.results
    ):
        return f"{sorted(reasons)[0]} (every object)"
    return ""


def _server(scanner: Scanner) -> str:
    """The cluster's URL when its client was made before the failure, for the error row."""
    try:
        return scanner.client().server if not scanner.options.live_snapshot else ""
    except DriftuiError:
        return ""
