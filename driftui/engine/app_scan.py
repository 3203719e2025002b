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
from typing import Any

from driftui.engine.app_options import app_options, operator_options, resolved
from driftui.engine.dry_runs import judge_batches
from driftui.engine.extras import tracked_by
from driftui.engine.health_side import with_health
from driftui.engine.judging import Loaded, OwnApp, source_apps
from driftui.engine.live_side import LiveSide
from driftui.engine.options import ScanOptions
from driftui.engine.rejudge import Changes
from driftui.engine.scanner import Scanner
from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.gitops.app_clusters import app_placements
from driftui.gitops.app_source import repo_key
from driftui.gitops.app_specs import App
from driftui.gitops.argo_settings import ArgoSettings
from driftui.gitops.destinations import KubeContext, Placement
from driftui.gitops.git_semver import SEMVER_PREFIX
from driftui.gitops.ignores import operator_ignore_rules, unused_rule_notes
from driftui.gitops.markers import TrackingMarkers
from driftui.live.client import ClusterClient
from driftui.live.contexts import context_servers
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
from driftui.source.git_repo import GitRepo, open_repo


def destination_placements(
    client: ClusterClient, kubeconfig: str | None, apps: Sequence[App]
) -> dict[tuple[str, str, str], Placement]:
    """The kubeconfig context each app deploys to (its Argo CD destination), by app key."""
    contexts = [KubeContext(n, s) for n, s in context_servers(kubeconfig)]
    return app_placements(client, apps, contexts)


@dataclass
class _AppPart:
    """One app in the scan: its scanner, or why it has none. ``elsewhere``: the app deploys
    to another cluster than the scan's; its scanner reads that one on its own (one gate
    per cluster), and this says so."""

    app: App
    scanner: Scanner | None
    problem: str = ""
    loaded: Loaded | None = None
    commit: str = ""
    elsewhere: str = ""
    revision: str = ""  # as the app names it: a semver range is resolved again each scan
    fetch: bool = False  # whether the scan fetches the app's repository

    @property
    def source(self) -> Scanner:
        """The app's scanner, where the caller knows it has one."""
        assert self.scanner is not None
        return self.scanner

    @property
    def loaded_(self) -> Loaded:
        """What the app's scan read from Git, where the caller knows it was read."""
        assert self.loaded is not None
        return self.loaded


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
        self._fetched: set[str] | None = set() if base.options.fetch else None
        placed = destination_placements(self.client(), base.options.kubeconfig, self.apps)
        argo = ArgoSettings(self.client())
        for app in self.apps:
            try:
                self._parts[app.ref] = self._part(app, repo_map, placed.get(app.key), argo)
            except DriftuiError as exc:
                self._parts[app.ref] = _AppPart(app, None, _without_name(app, exc))

    def _part(
        self,
        app: App,
        repo_map: Mapping[str, str] | None,
        place: Placement | None,
        argo: ArgoSettings,
    ) -> _AppPart:
        if place is not None and place.problem:
            return _AppPart(app, None, place.problem)
        options = app_options(self.options, app, repo_map)
        options = operator_options(options, self.client(), app, argo)
        options = replace(options, fetched=self._fetched)
        if place is None or place.context == self.client().context:
            return _AppPart(app, self.sibling(options), revision=options.ref, fetch=options.fetch)
        gate = MutationGate(read_only=self.gate.read_only)
        where = f"{app} deploys to {place.server}: its objects were read through context"
        other = Scanner(replace(options, context=place.context), gate)
        elsewhere = f"{where} {place.context}"
        return _AppPart(app, other, elsewhere=elsewhere, revision=options.ref, fetch=options.fetch)

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
        with self._lock, collector_paused(keep=True):
            return self._scan_apps(progress)

    def _scan_apps(self, progress: ProgressFn) -> ScanReport:
        self._load_git(progress)
        parts = [p for p in self._parts.values() if p.scanner is not None and p.loaded]
        placements = [(p.loaded_.desired.manifests, p.source.default_namespace()) for p in parts]
        live = self.read_live(placements, progress) if parts else None
        judged: list[tuple[_AppPart, ScanReport]] = []
        if live is not None:
            judged = self._judge_apps(parts, live, progress)
        judged += self._scan_elsewhere()
        report = self._joined(judged, live)
        self.config = parts[0].loaded_.config if parts else None
        if live is not None:
            report.results, self.workload_pods = with_health(report.results, live, self._pod_cache)
            for part in parts:
                part.source.workload_pods = self.workload_pods
        return report

    def _scan_elsewhere(self) -> list[tuple[_AppPart, ScanReport]]:
        """The apps that deploy to other clusters, each scanned there on its own."""
        out = []
        for part in self._parts.values():
            if not part.elsewhere or part.scanner is None:
                continue
            part.problem = ""
            try:
                if part.revision.startswith(SEMVER_PREFIX):  # its tag, in a fresh fetch
                    opts = part.scanner.options
                    repo = self._open(replace(opts, fetch=part.fetch), [])
                    if isinstance(repo, str):
                        raise DriftuiError(repo)
                    tag = resolved(part.revision, repo)
                    part.scanner.options = replace(opts, ref=tag, fetch=False)
                report = part.scanner.scan()
            except DriftuiError as exc:
                part.problem = str(exc)
                continue
            report.results = [replace(r, app=part.app.ref) for r in report.results]
            report.warnings.append(part.elsewhere)
            out.append((part, report))
        return out

    def _load_git(self, progress: ProgressFn) -> None:
        """Each app's objects from Git; each repository opened and fetched once for all its
        apps, and one that cannot be reached fails each of its apps without being asked
        again."""
        opened: dict[str, GitRepo | str] = {}  # repository -> its handle, or why it failed
        wanted = self._wanted_refs()
        for index, part in enumerate(self._parts.values(), start=1):
            part.loaded = None
            if part.scanner is None or part.elsewhere:
                continue
            sub = part.scanner
            sub.share_cluster(self)  # the capabilities a chart rendered for, asked once
            key = repo_key(sub.options.repo)
            if key not in opened:
                opened[key] = self._open(sub.options, wanted.get(key, []))
            repo = opened[key]
            if isinstance(repo, str):
                part.problem = repo
                continue
            try:
                # a semver range: the highest tag it accepts in the repository just fetched
                sub.options = replace(sub.options, ref=resolved(part.revision, repo))
                part.loaded = sub.read_git(fetch=False, repo=repo)
                part.commit, part.problem = part.loaded.desired.source.commit, ""
            except DriftuiError as exc:  # the revision or path is gone, a render failed, ...
                part.problem = str(exc)
            self.share_cluster(sub)
            progress(ProgressEvent("apps read from Git", index, len(self._parts)))

    def _wanted_refs(self) -> dict[str, list[str]]:
        """Each repository's refs the apps read (a Flux ``spec.ref.name`` outside branches
        and tags is fetched as itself), so one fetch serves all its apps."""
        out: dict[str, list[str]] = {}
        for part in self._parts.values():
            if part.scanner is not None and not part.elsewhere:
                out.setdefault(repo_key(part.scanner.options.repo), []).append(part.revision)
        return out

    def _open(self, opts: ScanOptions, refs: list[str]) -> GitRepo | str:
        """The repository opened, and fetched (once per scan) when the scan fetches."""
        if self._fetched is not None and opts.fetch:  # an app's $ref sources need not again
            self._fetched.add(repo_key(opts.repo))
        try:
            return open_repo(opts.repo, fetch=opts.fetch, cache_dir=opts.cache_dir, refs=refs)
        except DriftuiError as exc:
            return str(exc)

    def _judge_apps(
        self, parts: list[_AppPart], live: LiveSide, progress: ProgressFn
    ) -> list[tuple[_AppPart, ScanReport]]:
        """Every app's objects judged in one pass: one pool of dry-runs for all the apps, so
        none waits out its own before the next app is compared."""
        candidates = _Candidates(live)
        judgings = []
        for part in parts:
            sub, app = part.source, part.app
            sub.share_cluster(self)  # the merge keys the LIST loaded, what it LISTed
            own = OwnApp(app.owner, operator_ignore_rules([dict(app.body)]))
            judgings.append(sub.prepare(part.loaded_, live, own=own))
        batches = [part.source.batch(j) for part, j in zip(parts, judgings, strict=True)]
        verdicts = judge_batches(
            batches, live, self.fidelity(), workers=self.options.concurrency, progress=progress
        )
        out = []
        for part, judging, results in zip(parts, judgings, verdicts, strict=True):
            tracking = judging.loaded.config.tracking
            apps = {part.app.owner} | source_apps(judging.manifests, live, tracking)
            report = part.source.conclude(judging, live, results, candidates.of(apps, tracking))
            report.results = [replace(r, app=part.app.ref) for r in report.results]
            notes = unused_rule_notes(part.app.kind, dict(part.app.body))
            report.warnings += [f"{part.app}: not honoured: {note}" for note in notes]
            report = part.source.redacted(report)  # Flux values from Secrets never shown
            out.append((part, report))
        return out

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
            problems = (report.problems if report is not None else []) + own
            infos.append(
                AppScanInfo(
                    part.app.ref,
                    report.source if report is not None else None,
                    part.problem,
                    tuple(replace(p, app=part.app.ref) for p in problems),
                    part.loaded.desired.sources if report and part.loaded else (),
                )
            )
        client_side: dict[str, int] = {}
        for report in reports:
            for why, n in report.client_side.items():
                client_side[why] = client_side.get(why, 0) + n
        first = reports[0] if reports else None
        joined = ScanReport(
            source=first.source if first else SourceInfo("", "", "", ""),
            live=first.live if first else (live.info if live else LiveInfo()),
            fidelity=_fidelity(reports),
            results=[r for report in reports for r in report.results],
            problems=[p for info in infos for p in info.problems],
            skipped=sum(report.skipped for report in reports),
            warnings=list(dict.fromkeys(w for report in reports for w in report.warnings))
            + ([] if self._parts else ["no Argo CD or Flux apps found (or none you can read)"]),
            client_side=client_side,
            apps=infos,
        )
        for part in self._parts.values():  # a render error may quote a value from a Secret
            if part.scanner is not None and part.problem:
                joined = part.scanner.redacted(joined)
        return joined

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

    def live_objects(self) -> dict[ObjectRef, dict[str, Any]]:
        """The live objects every app was judged against (one LIST, shared by all)."""
        with self._lock:
            judged = [p.scanner for p in self._parts.values() if p.scanner and p.loaded]
        return judged[0].live_objects() if judged else {}

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


def _fidelity(reports: list[ScanReport]) -> Fidelity:
    sides = {r.fidelity for r in reports}
    return Fidelity.SERVER_SIDE if sides == {Fidelity.SERVER_SIDE} else Fidelity.CLIENT_SIDE


def _without_name(app: App, exc: Exception) -> str:
    return str(exc).removeprefix(f"{app}: ")
