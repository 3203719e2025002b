"""One scan of many Argo CD / Flux apps: what each app deploys, judged from its own source.

Fifty apps are not fifty scans. They share one cluster client, one discovery and OpenAPI
merge-key load, and one LIST of the union of their kinds and namespaces; each repository is
fetched once however many apps use it. Then each app's objects are judged with its own
config, default namespace and ignore rules (one app's ``ignoreDifferences`` never hides
another app's drift), and its extras are the live objects whose markers name that app.

An app that cannot be scanned (its repository unreachable, a renderer not supported)
becomes one problem naming it; the other apps still scan. Each app keeps a :class:`Scanner`
of its own source, so actions on an app's object (sync, revert, history) use that app's
repository, revision and path: :meth:`AppScanner.scanner_for`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from driftui.engine.extras import tracked_by
from driftui.engine.health_side import with_health
from driftui.engine.live_side import LiveSide
from driftui.engine.options import ScanOptions
from driftui.engine.rejudge import Changes
from driftui.engine.scanner import Loaded, OwnApp, Scanner
from driftui.errors import DriftuiError
from driftui.gitops.app_source import repo_key, scan_source
from driftui.gitops.app_specs import App
from driftui.gitops.ignores import operator_ignore_rules
from driftui.gitops.markers import TrackingMarkers
from driftui.gitops.owners import app_markers
from driftui.model import (
    AppOwner,
    AppRef,
    AppScanInfo,
    DriftResult,
    Fidelity,
    LiveInfo,
    LoadProblem,
    ObjectRef,
    ScanReport,
    SourceInfo,
)
from driftui.runtime.heap import collector_paused
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress


def app_options(
    base: ScanOptions, app: App, repo_map: Mapping[str, str] | None = None
) -> ScanOptions:
    """``base`` (the user's flags: cluster, fidelity, bounds) with ``app``'s own source: its
    repository (or the local checkout ``repo_map`` names), revision, path, directory
    options, and its destination namespace as the default namespace. Raises
    :class:`~driftui.gitops.app_source.AppSourceError` when the app cannot be scanned."""
    source = scan_source(app, repo_map)
    return replace(
        base,
        repo=source.repo,
        ref=source.ref,
        path=source.path,
        path_from_cwd=False,
        namespace=source.namespace or base.namespace,
        files=source.files,
        force_namespace=source.force_namespace,
        fetch=base.fetch and not source.mapped,
    )


@dataclass
class _AppPart:
    """One app in the scan: its scanner, or why it has none."""

    app: App
    scanner: Scanner | None
    problem: str = ""
    loaded: Loaded | None = None
    commit: str = ""


class AppScanner(Scanner):
    """A scan of many apps on one cluster; a :class:`Scanner` to the faces (scan, rejudge,
    watch), with one scanner per app behind it for that app's actions."""

    def __init__(
        self, base: Scanner, apps: Sequence[App], repo_map: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(base.options, base.gate)
        self.share_cluster(base)
        self.mask_key = base.mask_key
        self.apps = list(apps)
        self._parts: dict[AppRef, _AppPart] = {}
        for app in self.apps:
            try:
                sub = self.sibling(app_options(base.options, app, repo_map))
                self._parts[app.ref] = _AppPart(app, sub)
            except DriftuiError as exc:
                self._parts[app.ref] = _AppPart(app, None, _without_name(app, exc))

    def scanner_for(self, app: AppRef | None) -> Scanner:
        """The scanner of ``app``'s own source; raises when that app has none."""
        part = self._parts.get(app) if app is not None else None
        if part is None or part.scanner is None:
            why = part.problem if part is not None else "not one of the scanned apps"
            raise DriftuiError(f"{app or 'this object'}: no app source to act with ({why})")
        return part.scanner

    def scanners(self) -> list[tuple[AppRef | None, Scanner]]:
        return [(ref, p.scanner) for ref, p in self._parts.items() if p.scanner is not None]

    def scan(self, progress: ProgressFn = no_progress) -> ScanReport:
        with self._lock, collector_paused():
            return self._scan_apps(progress)

    def _scan_apps(self, progress: ProgressFn) -> ScanReport:
        self._load_git(progress)
        parts = [p for p in self._parts.values() if p.scanner is not None and p.loaded]
        placements = [
            (p.loaded.desired.manifests, p.scanner.default_namespace())
            for p in parts
            if p.loaded is not None and p.scanner is not None
        ]
        live = self.read_live(placements, progress) if parts else None
        judged: list[tuple[_AppPart, ScanReport]] = []
        if live is not None:
            candidates = _Candidates(live)
            for index, part in enumerate(parts, start=1):
                judged.append((part, self._judge_app(part, live, candidates)))
                progress(ProgressEvent("apps judged", index, len(parts)))
        report = self._joined(judged, live)
        self.config = parts[0].loaded.config if parts and parts[0].loaded else None
        if live is not None:
            report.results, self.workload_pods = with_health(report.results, live)
            for part in parts:
                assert part.scanner is not None
                part.scanner.workload_pods = self.workload_pods
        return report

    def _load_git(self, progress: ProgressFn) -> None:
        """Each app's objects from Git; each repository fetched at most once, and a
        repository that failed fails each of its apps without being asked again."""
        fetched: set[str] = set()
        failed: dict[str, str] = {}
        for part in self._parts.values():
            sub, part.loaded = part.scanner, None
            if sub is None:
                continue
            sub.share_cluster(self)  # the capabilities a chart rendered for, asked once
            key = repo_key(sub.options.repo)
            if key in failed:
                part.problem = failed[key]
                continue
            try:
                part.loaded = sub.read_git(fetch=sub.options.fetch and key not in fetched)
                part.commit = part.loaded.desired.source.commit
                part.problem = ""
            except DriftuiError as exc:  # unreachable, the revision or path is gone, ...
                part.problem = str(exc)
                if str(exc).startswith(_REPOSITORY_FAILURES):
                    failed[key] = part.problem
            fetched.add(key)
            self.share_cluster(sub)
        progress(ProgressEvent("apps read from Git", len(self._parts), len(self._parts)))

    def _judge_app(self, part: _AppPart, live: LiveSide, candidates: _Candidates) -> ScanReport:
        sub, loaded, app = part.scanner, part.loaded, part.app
        assert sub is not None and loaded is not None
        sub.share_cluster(self)  # the merge keys the LIST loaded
        sub._wanted = self._wanted
        own = OwnApp(app.owner, operator_ignore_rules([dict(app.body)]))
        apps = {app.owner} | _tracked_apps(loaded, live, loaded.config.tracking)
        report = sub.judge_loaded(
            loaded, live, own=own, candidates=candidates.of(apps, loaded.config.tracking)
        )
        report.results = [replace(r, app=app.ref) for r in report.results]
        return report

    def _joined(
        self, judged: list[tuple[_AppPart, ScanReport]], live: LiveSide | None
    ) -> ScanReport:
        """One report of every app: results grouped by app in the order the apps were
        given, problems naming the apps that could not be scanned."""
        reports = [report for _, report in judged]
        by_part = {id(part): report for part, report in judged}
        infos: list[AppScanInfo] = []
        for part in self._parts.values():
            own = [LoadProblem(str(part.app), part.problem)] if part.problem else []
            report = by_part.get(id(part))
            infos.append(
                AppScanInfo(
                    part.app.ref,
                    report.source if report is not None else None,
                    part.problem,
                    tuple((report.problems if report is not None else []) + own),
                )
            )
        client_side: dict[str, int] = {}
        for report in reports:
            for why, n in report.client_side.items():
                client_side[why] = client_side.get(why, 0) + n
        first = reports[0] if reports else None
        return ScanReport(
            source=first.source if first else SourceInfo("", "", "", ""),
            live=first.live if first else (live.info if live else LiveInfo()),
            fidelity=_fidelity(reports),
            results=[r for report in reports for r in report.results],
            problems=[p for info in infos for p in info.problems],
            skipped=sum(report.skipped for report in reports),
            warnings=list(dict.fromkeys(w for report in reports for w in report.warnings)),
            client_side=client_side,
            apps=infos,
        )

    # -- watching: each app's part of a report judged again by its own scanner -----------

    def rejudge(self, report: ScanReport, changes: Changes) -> ScanReport:
        with self._lock:
            results: list[DriftResult] = []
            for ref, part in self._parts.items():
                mine = [r for r in report.results if r.app == ref]
                if part.scanner is None or part.loaded is None:
                    results += mine
                    continue
                again = part.scanner.rejudge(replace(report, results=mine), changes)
                results += [replace(r, app=ref) for r in again.results]
            results += [r for r in report.results if r.app not in self._parts]
            return replace(report, results=results)

    def source_commit(self) -> str:
        """The commits the apps' revisions name now, as one value that changes when any does."""
        return ",".join(
            part.scanner.source_commit() if part.scanner and part.loaded else ""
            for part in self._parts.values()
        )

    def scanned_commit(self) -> str:
        """:meth:`source_commit` as the last scan found it."""
        return ",".join(part.commit if part.loaded else "" for part in self._parts.values())


class _Candidates:
    """The live objects each app may have as extras, by the markers they carry: the live
    side is read once for all the apps, not once per app."""

    def __init__(self, live: LiveSide) -> None:
        self._live = live
        self._by: dict[TrackingMarkers, dict[AppOwner, list[ObjectRef]]] = {}

    def of(self, apps: Iterable[AppOwner], tracking: TrackingMarkers) -> list[ObjectRef]:
        if tracking not in self._by:
            self._by[tracking] = tracked_by(self._live.state.objects, tracking)
        index = self._by[tracking]
        return [ref for app in apps for ref in index.get(app, ())]


def _tracked_apps(loaded: Loaded, live: LiveSide, tracking: TrackingMarkers) -> set[AppOwner]:
    """The apps that track the source's objects live (an app renamed, a label-tracked one)."""
    out: set[AppOwner] = set()
    for manifest in loaded.desired.manifests:
        obj = live.state.objects.get(manifest.ref)
        if obj is not None:
            out |= {m.app for m in app_markers(obj, tracking)}
    return out


def _fidelity(reports: list[ScanReport]) -> Fidelity:
    sides = {r.fidelity for r in reports}
    return Fidelity.SERVER_SIDE if sides == {Fidelity.SERVER_SIDE} else Fidelity.CLIENT_SIDE


# how a SourceError begins when the repository itself, not one app's revision or path, failed
_REPOSITORY_FAILURES = ("clone of ", "fetch from ", "unsupported repository URL", "stale source")


def _without_name(app: App, exc: Exception) -> str:
    return str(exc).removeprefix(f"{app}: ")
