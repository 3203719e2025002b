"""One configured scan: Git's objects and the live ones, read, judged and reported.

The scanner holds what makes a rescan of the same commit cheap: parsed blobs (in the
source layer), verdicts (:mod:`.verdict`) and the dry-run permissions (:mod:`.prediction`).
"""

from __future__ import annotations

from driftui.engine.ahead import DiscoveryAhead
from driftui.engine.defaults_store import private_source
from driftui.engine.git_reading import GitReading
from driftui.engine.health_side import with_health
from driftui.engine.judging_phases import JudgingPhases
from driftui.engine.live_reading import LiveReading
from driftui.engine.options import ScanOptions
from driftui.engine.rejudge import Changes, rejudge
from driftui.engine.verdict import Verdicts
from driftui.model import AppRef, ScanReport
from driftui.runtime.heap import collector_paused
from driftui.runtime.progress import ProgressFn, no_progress


class Scanner(GitReading, LiveReading, JudgingPhases):
    """One configured scan, repeatable (refresh / watch) with warm caches.

    Its parts, one job each: :class:`~.scanner_parts.ScannerParts` (the state they share),
    :class:`~.git_reading.GitReading`, :class:`~.live_reading.LiveReading` and
    :class:`~.judging_phases.JudgingPhases`. Subclasses override :meth:`desired` and
    :meth:`judging_order` (:mod:`.clusters`, :mod:`.fleet`).
    """

    def sibling(self, options: ScanOptions) -> Scanner:
        """A scanner of another source on the same cluster: one client, one gate, one Secret
        mask key, one OpenAPI merge-key load, one dry-run permission cache (an app's scan
        beside the others')."""
        other = Scanner(options, self.gate)
        other._client = self._client
        other.mask_key = self.mask_key
        other._merge_keys = self._merge_keys
        other._capabilities = self._capabilities
        other._predictor = self._predictor
        other._verdicts = Verdicts(self._predictor, private=private_source(options))
        return other

    def share_cluster(self, other: Scanner) -> None:
        """Take what ``other`` has learnt of the cluster since (its client, merge keys,
        capabilities, what it LISTed), so that none is asked for twice."""
        self._wanted = other._wanted or self._wanted
        self._client = self._client or other._client
        self._merge_keys = self._merge_keys or other._merge_keys
        self._capabilities = self._capabilities or other._capabilities

    def scanner_for(self, app: AppRef | None) -> Scanner:
        """The scanner whose source judged an object of ``app``: this one (one source)."""
        return self

    def scanners(self) -> list[tuple[AppRef | None, Scanner]]:
        """Each source of the scan with its app (None: ``--repo``): this one."""
        return [(None, self)]

    # -- the scan ----------------------------------------------------------------------

    def scan(self, progress: ProgressFn = no_progress) -> ScanReport:
        with self._lock, collector_paused(keep=True):  # bulk: objects all kept
            return self.redacted(self._scan(progress))

    def redacted(self, report: ScanReport) -> ScanReport:
        """What the source's own secrets (Flux postBuild values from Secrets) must not show in."""
        return self.options.redact(report) if self.options.redact is not None else report

    def rejudge(self, report: ScanReport, changes: Changes) -> ScanReport:
        """``report`` (the last scan's, or a rejudge's) with only ``changes`` judged again:
        what watch events bring, without reading Git or the whole cluster again."""
        with self._lock:
            if self._basis is None:
                raise RuntimeError("rejudge() needs a scan() first")
            return self.redacted(rejudge(self._basis, self._verdicts, report, changes))

    def _scan(self, progress: ProgressFn) -> ScanReport:
        self._verdicts.next_generation()  # verdicts of objects' older versions go
        if not self.options.live_snapshot:  # the client and discovery, while Git is read
            self._ahead = DiscoveryAhead(self.client)
        loaded = self.read_git(fetch=self.options.fetch, progress=progress)
        if self.options.live_snapshot:
            live = self.read_live([], progress)
        else:
            default_ns = self.default_namespace()
            live = self.read_live([(loaded.desired.manifests, default_ns)], progress)
        report = self.judge_loaded(loaded, live, progress=progress)
        report.results, self.workload_pods = with_health(report.results, live, self._pod_cache)
        return report
