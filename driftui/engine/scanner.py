"""One configured scan: Git's objects and the live ones, read, judged and reported.

The scanner holds what makes a rescan of the same commit cheap: parsed blobs (in the
source layer), verdicts (:mod:`.verdict`) and the dry-run permissions (:mod:`.prediction`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from driftui.compare.ignore import IgnoreRule
from driftui.compare.masking import SecretMasker
from driftui.compare.merge_keys import MergeKeys
from driftui.compare.options import CompareOptions
from driftui.config import CONFIG_FILE, Config, load_config, load_repo_config
from driftui.engine.ahead import DiscoveryAhead
from driftui.engine.defaults_store import defaults_root, private_source
from driftui.engine.dry_runs import Batch
from driftui.engine.extras import find_extras
from driftui.engine.health_side import live_health, with_health
from driftui.engine.judging import (
    Judging,
    Loaded,
    OwnApp,
    duplicate_errors,
    fill_namespace,
    source_apps,
    source_report,
)
from driftui.engine.judging_apart import Judge, judge_split
from driftui.engine.live_side import (
    LiveSide,
    Wanted,
    from_cluster,
    from_snapshot,
    joined,
    snapshot_masker,
    wanted,
)
from driftui.engine.merge_key_cache import merge_keys_of
from driftui.engine.more_sources import fetch_ref_repos, load_more_sources
from driftui.engine.options import ScanOptions
from driftui.engine.prediction import DryRunPredictor
from driftui.engine.rejudge import Basis, Changes, rejudge
from driftui.engine.verdict import Verdicts
from driftui.gate import MutationGate
from driftui.gitops.apps import owning_apps
from driftui.gitops.ignores import app_scoped_rules
from driftui.gitops.markers import TrackingMarkers, for_tracking_method
from driftui.health import Health
from driftui.live.access import AccessReview
from driftui.live.client import ClusterClient
from driftui.live.discovery import discover, guess_resource
from driftui.live.errors import ClusterError
from driftui.live.pod_cache import PodCache
from driftui.live.snapshot import Snapshot, read_snapshot
from driftui.live.workload_pods import WorkloadPods
from driftui.model import (
    AppRef,
    DesiredState,
    DriftResult,
    Fidelity,
    LoadProblem,
    Manifest,
    ObjectRef,
    ScanReport,
)
from driftui.runtime.heap import collector_paused
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress
from driftui.source.git_repo import GitRepo, SourceError, open_repo
from driftui.source.load import (
    join_desired,
    load_desired,
    load_from_repo,
    read_config_text,
    split_duplicates,
)
from driftui.source.ref_values import read_ref_values
from driftui.source.render import Capabilities, Renderer, helm_kube_version


class Scanner:
    """One configured scan, repeatable (refresh / watch) with warm caches."""

    def __init__(self, options: ScanOptions, gate: MutationGate | None = None) -> None:
        self.options = options
        self.gate = gate or MutationGate(read_only=options.read_only)
        self._client: ClusterClient | None = None
        self._merge_keys: MergeKeys | None = None
        self._predictor = DryRunPredictor(options.server_side, store_root=defaults_root(options))
        self._verdicts = Verdicts(self._predictor, private=private_source(options))
        self.config: Config | None = None
        # The HMAC key of Secret masks: random per Scanner (masks stay equal across
        # refreshes, and mean nothing outside this process), or the snapshot key when
        # `snapshot` writes masks that later audits must reproduce.
        self.mask_key: bytes = secrets.token_bytes(32)
        self._last: tuple[LiveSide, CompareOptions, Fidelity, str] | None = None
        self._capabilities: Capabilities | None = None
        self._snapshot: Snapshot | None = None  # read once per scan, when first needed
        self.render_warning = ""  # set when charts could not render for the cluster's version
        self.workload_pods = WorkloadPods()  # the last scan's, for health; a snapshot keeps them
        self._pod_cache = PodCache()  # rescans and rejudges re-read only the Pods that changed
        self._basis: Basis | None = None  # what the last scan judged with, for rejudge()
        self._wanted: Wanted | None = None  # the kinds and namespaces the last scan LISTed
        self._lock = threading.Lock()  # a scan and a rejudge never run at once
        self._client_lock = threading.Lock()  # one client, made by a scan or ahead of it
        self._ahead: DiscoveryAhead | None = None  # the cluster read while Git is
        self._commit = ""  # the commit the last scan read
        self._repo: GitRepo | None = None  # the repository, when opened once for many scanners

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

    # -- the sides ---------------------------------------------------------------------

    def _config(self, desired: DesiredState) -> tuple[Config, list[str]]:
        """The user's --config, else the repository's own, which may not name markers."""
        config = self._config_of(desired.config_text)
        if self.options.config_path is not None or config.tracking == TrackingMarkers():
            return config, []
        warning = (
            f"{CONFIG_FILE} in the repository sets tracking markers; ignored, since a repository"
            " may not widen what a prune deletes (set them in your own --config)"
        )
        return replace(config, tracking=TrackingMarkers()), [warning]

    def _config_of(self, config_text: str | None) -> Config:
        """--config (the user's own), else the repository's .driftui.yaml at the commit,
        whose Helm values files must stay inside the checkout."""
        path = self.options.config_path
        if path is None:
            return load_repo_config(config_text) if config_text else Config()
        return load_config(path)

    def _helm_values(self, config_text: str | None) -> tuple[str, ...]:
        return self._config_of(config_text).helm_values

    def capabilities(self) -> Capabilities:
        """The cluster charts render for: the snapshot's record, else the server's
        /version and discovery (asked once per Scanner, and only when a chart renders)."""
        if self._capabilities is None:
            if self.options.live_snapshot:
                snap = self._read_snapshot()
                self._capabilities = Capabilities(snap.kube_version, tuple(snap.api_versions))
            else:
                self._capabilities = self._cluster_capabilities()
        return self._capabilities

    def _cluster_capabilities(self) -> Capabilities:
        """The server's version and APIs. Without a cluster (``history`` offline), helm's own
        defaults, said in a warning; a scan then fails on its own reading live state."""
        try:
            client = self.client()
            version = client.get("/version")
            git_version = version.get("gitVersion") if isinstance(version, dict) else None
            return Capabilities(
                helm_kube_version(str(git_version or "")), discover(client).api_versions
            )
        except ClusterError as exc:
            self.render_warning = (
                f"charts rendered for helm's default Kubernetes version: cannot read the"
                f" cluster's ({exc})"
            )
            return Capabilities()

    def _read_snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = read_snapshot(self.options.live_snapshot or "", self.options.context)
        return self._snapshot

    def desired(
        self, ref: str | None = None, *, fetch: bool = False, progress: ProgressFn = no_progress
    ) -> DesiredState:
        """Git's objects at ``ref`` (default: the scanned ref), rendered exactly as a scan
        renders them: the config's Helm values, the cluster's version. Sync, revert,
        history and the explorer load through here so that none renders differently."""
        opts = self.options
        if opts.recipe or opts.sources:  # an app's: its $ref values files' repositories
            fetch_ref_repos(opts, fetch)
        how: dict[str, Any] = {
            "helm_values": self._helm_values,
            "capabilities": self.capabilities,
            "cache_dir": opts.cache_dir,
            "render": opts.render,
            "progress": progress,
            "files": opts.files,
            "recipe": opts.recipe,
        }
        if self._repo is None:
            desired = load_desired(opts.repo, ref or opts.ref, opts.path, fetch=fetch, **how)
        else:  # opened (and fetched) once for the many apps that share it
            desired = load_from_repo(self._repo, ref or opts.ref, opts.path, **how)
        if opts.sources:  # an app's other sources
            desired = join_desired([desired, *load_more_sources(opts, self.capabilities, fetch)])
        if opts.post_render is not None:
            desired.manifests = opts.post_render(desired.manifests)
        if opts.path_from_cwd:
            desired.source = replace(desired.source, path_from_cwd=True)
        if opts.fail_on_stale and desired.source.stale:  # as Argo CD's comparison error
            stale = next((w for w in desired.warnings if w.startswith("stale: ")), "stale")
            raise SourceError(f"stale source: {stale.removeprefix('stale: ')}")
        return desired

    def render_at(self, repo: GitRepo, commit: str) -> DesiredState:
        """The whole repository at ``commit`` of an opened repository (a revert's result, in
        its scratch object directory), rendered as the scan renders: a revert preview of a
        chart shows what the chart would become, with the same values and cluster version."""
        return load_from_repo(
            repo,
            commit,
            "",
            helm_values=self._helm_values,
            capabilities=self.capabilities,
            cache_dir=self.options.cache_dir,
            render=self.options.render,
            recipe=self.options.recipe,
        )

    def ignore_rules(self) -> tuple[IgnoreRule, ...]:
        """The config's ignore rules at the scanned ref: the field lists of history, revert
        previews and audits leave out what the scan leaves out."""
        repo = open_repo(self.options.repo, cache_dir=self.options.cache_dir)
        return self._config_of(read_config_text(repo, repo.resolve(self.options.ref))).ignore

    def renderer(self) -> Renderer:
        """A renderer for history walks, with the Helm values the scanned commit names."""
        opts = self.options
        repo = open_repo(opts.repo, cache_dir=opts.cache_dir)
        text = read_config_text(repo, repo.resolve(opts.ref))
        values = self._helm_values(text)
        return Renderer(
            helm_values=values,
            capabilities=self.capabilities,
            cache_dir=opts.cache_dir,
            policy=opts.render,
            recipe=opts.recipe,
            ref_values=read_ref_values(opts.recipe, opts.cache_dir),
        )

    def client(self) -> ClusterClient:
        """The cluster's client; from here on the gate asks the cluster's own RBAC too."""
        with self._client_lock:
            if self._client is None:
                self._client = ClusterClient.from_kubeconfig(
                    self.options.kubeconfig,
                    self.options.context,
                    gate=self.gate,
                    timeout=self.options.request_timeout,
                    pool_size=max(16, self.options.concurrency, self.options.list_workers),
                )
                if self.gate.probe is None and not self.gate.read_only:
                    self.gate.probe = AccessReview(self._client)
            return self._client

    def resource_name(self, group: str, kind: str) -> str:
        """The plural RBAC uses for a kind, from the last scan's discovery when it knows it."""
        discovery = self._last[0].discovery if self._last is not None else None
        info = discovery.resolve(group, kind) if discovery is not None else None
        return info.resource if info is not None else guess_resource(group, kind)

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

    def live_objects(self) -> dict[ObjectRef, dict[str, Any]]:
        """The live objects the last scan (and rejudges since) judged against, by identity."""
        with self._lock:
            return dict(self._basis.live.state.objects) if self._basis else {}

    def health_of(self, ref: ObjectRef) -> Health | None:
        """The live object's health as the last scan (or rejudge) read it; None: no object."""
        with self._lock:
            obj = self._basis.live.state.objects.get(ref) if self._basis else None
        return None if obj is None else live_health(obj, ref.namespace, self.workload_pods)

    def wanted(self) -> Wanted | None:
        """The kinds and namespaces the last scan LISTed from the cluster (None: it did not)."""
        return self._wanted

    def scanned_commit(self) -> str:
        """The commit the last scan read ("" before one): actions act on it, not on a newer."""
        return self._commit

    def source_commit(self) -> str:
        """The commit the scanned ref names now (no fetch): a change means a full scan."""
        repo = open_repo(self.options.repo, cache_dir=self.options.cache_dir)
        return repo.resolve(self.options.ref)

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

    # -- the phases of a scan, which a scan of many apps shares (:mod:`.app_scan`) -------

    def read_git(
        self, *, fetch: bool, progress: ProgressFn = no_progress, repo: GitRepo | None = None
    ) -> Loaded:
        """Git's side: the objects at the scanned ref, and the config they are judged with.
        ``repo``: the source's repository, opened (and fetched) once for many apps; this
        scanner reads it from then on."""
        if self.options.live_snapshot:  # read anew each scan; charts render for what it recorded
            self._snapshot = self._capabilities = None
        self._repo = repo or self._repo
        desired = self.desired(fetch=fetch, progress=progress)
        config, warnings = self._config(desired)
        config = replace(
            config, tracking=for_tracking_method(config.tracking, self.options.tracking_method)
        )
        self.config, self._commit = config, desired.source.commit
        return Loaded(desired, config, warnings)

    def default_namespace(self) -> str:
        """Where objects that name no namespace go: --namespace (an app's destination), else
        the context's (a snapshot's: ``default``)."""
        if self.options.namespace:
            return self.options.namespace
        return "default" if self.options.live_snapshot else self.client().namespace

    def read_live(
        self, placements: Sequence[tuple[list[Manifest], str]], progress: ProgressFn
    ) -> LiveSide:
        """The cluster's side (or the snapshot's), LISTed once for every kind and namespace
        the ``placements`` (Git's objects, their default namespace) name together."""
        if self.options.live_snapshot:
            self._wanted = None
            return self._live_from_snapshot()
        return self._live_from_cluster(placements, progress)

    def fidelity(self) -> Fidelity:
        if self.options.live_snapshot or self._client_side_only():
            return Fidelity.CLIENT_SIDE
        return Fidelity.SERVER_SIDE

    def judge_loaded(
        self,
        loaded: Loaded,
        live: LiveSide,
        *,
        own: OwnApp | None = None,
        progress: ProgressFn = no_progress,
    ) -> ScanReport:
        """Git's objects judged against ``live``, extras found, without health (the caller
        adds it once for all): :meth:`prepare`, the verdicts, :meth:`conclude`."""
        judging = self.prepare(loaded, live, own=own)
        judge = Judge(
            self._verdicts, live, judging.options, self.fidelity(), self.options.concurrency
        )
        order = self.judging_order(judging.manifests)
        split = self.options.judge_apart and own is None
        judged = judge_split(judge, order, progress) if split else judge.all(order, progress)
        return self.conclude(judging, live, judged)

    def prepare(self, loaded: Loaded, live: LiveSide, *, own: OwnApp | None = None) -> Judging:
        """Git's objects placed in their namespaces, and the options they are judged with.
        ``own``: an app's scan, judged with that app's own ignore rules only; else each
        owning app's rules, read from the cluster, on its objects."""
        options = loaded.config.compare_options(self._merge_keys or MergeKeys.builtin())
        if own is not None:
            options = replace(options, ignore=options.ignore + own.rules)
        elif live.client is not None:  # honour each owning app's own rules, on its objects only
            objects = live.state.objects.values()
            apps = [(a.owner, a.body) for a in owning_apps(live.client, objects)]
            options = replace(options, ignore=options.ignore + app_scoped_rules(apps, objects))
        default_ns, force = self.default_namespace(), self.options.force_namespace
        self._last = (live, options, self.fidelity(), default_ns)
        manifests = [
            fill_namespace(m, live.scope.is_namespaced(m.ref.group, m.ref.kind), default_ns, force)
            for m in loaded.desired.manifests
        ]
        # Identities are compared again once namespaces are filled in: `web` and
        # `default/web` are one object.
        manifests, late = split_duplicates(manifests)
        return Judging(loaded, manifests, options, loaded.desired.problems + late, own)

    def batch(self, judging: Judging) -> Batch:
        """What :func:`~.dry_runs.judge_batches` judges of this source, beside others."""
        return Batch(self._verdicts, self.judging_order(judging.manifests), judging.options)

    def conclude(
        self,
        judging: Judging,
        live: LiveSide,
        judged: list[DriftResult],
        candidates: Iterable[ObjectRef] | None = None,
    ) -> ScanReport:
        """The verdicts with duplicates and extras: the source's report (without health).
        ``candidates``: the live objects that may be extras (default: all)."""
        manifests, own, tracking = judging.manifests, judging.own, judging.loaded.config.tracking
        results = duplicate_errors(judging.problems) + judged
        apps = source_apps(manifests, live, tracking) | ({own.owner} if own else set())
        declared = {m.ref for m in manifests} | {r.ref for r in results}
        scope = {m.ref.namespace for m in manifests} | {self.default_namespace()}
        refused = self.options.prune_refused
        results += find_extras(live, declared, apps, scope, tracking, candidates, refused)
        fidelity = self.fidelity()
        self._basis = Basis(
            {m.ref: m for m in manifests},
            live,
            judging.options,
            fidelity,
            declared,
            apps,
            scope,
            tracking,
            self._pod_cache,
            refused,
        )
        results.sort(key=lambda r: (r.ref.namespace, r.ref.group, r.ref.kind, r.ref.name))
        loaded = judging.loaded
        return self._report(
            loaded.desired, live, fidelity, results, judging.problems, loaded.warnings
        )

    def _report(
        self,
        desired: DesiredState,
        live: LiveSide,
        fidelity: Fidelity,
        results: list[DriftResult],
        problems: list[LoadProblem],
        config_warnings: list[str],
    ) -> ScanReport:
        client_side = self._predictor.client_side_reasons(fidelity, results, live)
        return source_report(
            desired, live, fidelity, client_side, results, problems, config_warnings
        )

    def judge(self, objects: Iterable[tuple[dict[str, Any], str]]) -> list[DriftResult]:
        """Verdicts for desired objects that are not at the scanned commit (a revert's result),
        against the live state the last :meth:`scan` read. ``objects``: (body, source file)."""
        if self._last is None:
            raise RuntimeError("judge() needs a scan() first")
        live, options, fidelity, default_ns = self._last
        out = []
        for body, source_file in objects:
            digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
            manifest = Manifest(
                ObjectRef.of(body), str(body.get("apiVersion", "")), body, source_file, digest
            )
            scope = live.scope.is_namespaced(manifest.ref.group, manifest.ref.kind)
            out.append(
                self._verdicts.judge(
                    fill_namespace(manifest, scope, default_ns, self.options.force_namespace),
                    live,
                    options,
                    fidelity,
                )
            )
        return out

    def placed(self, ref: ObjectRef) -> ObjectRef:
        """``ref`` as the cluster names it: the namespace filled in as the last scan did."""
        if self._last is None:
            raise RuntimeError("placed() needs a scan() first")
        live, _, _, default_ns = self._last
        namespaced = live.scope.is_namespaced(ref.group, ref.kind)
        if namespaced is False:
            return replace(ref, namespace="")
        return replace(ref, namespace=default_ns) if namespaced and not ref.namespace else ref

    def judging_order(self, manifests: list[Manifest]) -> list[Manifest]:
        """The order objects are judged in; results are sorted afterwards, so any will do."""
        return manifests

    def _client_side_only(self) -> bool:
        return self.gate.read_only or self.options.server_side is False

    def _live_from_snapshot(self) -> LiveSide:
        snap = self._read_snapshot()
        path = self.options.live_snapshot or ""
        masker = snapshot_masker(snap, path, self.mask_key, self.options.snapshot_key)
        return from_snapshot(snap, path, masker)

    def _live_from_cluster(
        self, placements: Sequence[tuple[list[Manifest], str]], progress: ProgressFn
    ) -> LiveSide:
        client = self.client()
        # Git is done; until the first LIST answers, it is the cluster that is slow, not us.
        progress(ProgressEvent("waiting for the cluster", 0))
        ahead, self._ahead = self._ahead, None
        discovery = ahead.take(client) if ahead is not None else discover(client)
        want = self._wanted = joined(wanted(discovery, m, ns) for m, ns in placements)
        if self._merge_keys is None:
            versions = {i.api_version for i in want.kinds.values()}
            self._merge_keys = merge_keys_of(client, versions)
        masker = SecretMasker(self.mask_key)
        workers = self.options.list_workers
        return from_cluster(client, discovery, want, masker, workers=workers, progress=progress)
