"""The drift engine: desired state from Git + live state from the cluster -> one ScanReport.

Both faces (CLI and explorer) call :class:`Scanner`; it holds the caches that make a
rescan of the same commit cheap (parsed blobs in the source layer, verdicts here keyed by
blob SHA and resourceVersion).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from driftui.actions.gate import MutationGate, MutationRefused
from driftui.actions.operators import owning_apps
from driftui.compare.differ import CompareOptions, compare
from driftui.compare.ignore import IgnoreRule
from driftui.compare.masking import SecretMasker, is_secret
from driftui.compare.merge_keys import MergeKeys
from driftui.compare.normalise import normalise, null_data_as_empty
from driftui.compare.operator_ignores import operator_ignore_rules, skip_object, skip_reason
from driftui.compare.sops import NOTE as SOPS_NOTE
from driftui.compare.sops import is_sops_secret, key_names_only
from driftui.config import CONFIG_FILE, Config, TrackingMarkers, load_config, load_repo_config
from driftui.generations import GenerationCache
from driftui.heap import collector_paused
from driftui.live.access import AccessReview
from driftui.live.client import DEFAULT_TIMEOUT, ApiError, ClusterClient, ClusterError, Resource
from driftui.live.discovery import Discovery, ResourceInfo, discover, guess_resource
from driftui.live.openapi import fetch_merge_keys
from driftui.live.owners import app_markers, app_owner, is_controlled
from driftui.live.reader import LiveState, read_live
from driftui.live.scope import ScopeLookup
from driftui.live.snapshot import LEGACY_SALT_WARNING, Snapshot, read_snapshot
from driftui.live.snapshot_key import SnapshotKey, key_for
from driftui.model import (
    AppOwner,
    DesiredState,
    DriftResult,
    Fidelity,
    LiveInfo,
    LoadProblem,
    Manifest,
    ObjectRef,
    ScanReport,
    Status,
)
from driftui.pacing import give_way
from driftui.progress import ProgressEvent, ProgressFn, no_progress
from driftui.source.git_repo import GitRepo, SourceError, open_repo
from driftui.source.limits import DEFAULT_POLICY, RenderPolicy
from driftui.source.load import load_desired, load_from_repo, read_config_text, split_duplicates
from driftui.source.render import Capabilities, Renderer, helm_kube_version


@dataclass
class ScanOptions:
    repo: str
    ref: str = "HEAD"
    path: str = ""
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    live_snapshot: str | None = None
    read_only: bool = False
    server_side: bool | None = None  # None: automatic, when RBAC allows patch
    config_path: str | None = None
    fetch: bool = True
    cache_dir: str | None = None
    list_workers: int = 8  # concurrent LIST requests
    path_from_cwd: bool = False  # --path was not given: the current directory's place in the repo
    snapshot_key: SnapshotKey | None = None  # else $DRIFTUI_SNAPSHOT_KEY or the key file
    fail_on_stale: bool = False  # a remote that cannot be fetched is an error, not a warning
    request_timeout: float = DEFAULT_TIMEOUT  # seconds per API request, retries included; 0 = none
    render: RenderPolicy = DEFAULT_POLICY  # renderers' bounds, remote bases


@dataclass
class _LiveSide:
    """Where live objects came from this scan, with what is needed to predict them."""

    info: LiveInfo
    state: LiveState
    scope: ScopeLookup
    masker: SecretMasker
    discovery: Discovery | None = None
    client: ClusterClient | None = None
    unknown: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _fill_namespace(manifest: Manifest, namespaced: bool | None, default_ns: str) -> Manifest:
    if namespaced is False and manifest.ref.namespace:
        return manifest.in_namespace("")
    if namespaced and not manifest.ref.namespace:
        return manifest.in_namespace(default_ns)
    return manifest


def _duplicate_errors(problems: list[LoadProblem]) -> list[DriftResult]:
    """Duplicate identities are objects in error, shown in the tree, not just file problems."""
    return [
        DriftResult(
            p.ref,
            "",
            Status.ERROR,
            Fidelity.CLIENT_SIDE,
            reason=p.message,
            source_file=p.path,
            source_line=p.line or 0,
        )
        for p in problems
        if p.ref is not None
    ]


class Scanner:
    """One configured scan, repeatable (refresh / watch) with warm caches."""

    def __init__(self, options: ScanOptions, gate: MutationGate | None = None) -> None:
        self.options = options
        self.gate = gate or MutationGate(read_only=options.read_only)
        self._client: ClusterClient | None = None
        self._merge_keys: MergeKeys | None = None
        # (object, blob, resourceVersion, ...) -> the verdict, and the live object it read
        self._verdicts: GenerationCache[tuple[Any, ...], tuple[DriftResult, dict[str, Any]]] = (
            GenerationCache()
        )
        self._patch_allowed: dict[tuple[str, str, str], bool] = {}
        self.config: Config | None = None
        # The HMAC key of Secret masks: random per Scanner (masks stay equal across
        # refreshes, and mean nothing outside this process), or the snapshot key when
        # `snapshot` writes masks that later audits must reproduce.
        self.mask_key: bytes = secrets.token_bytes(32)
        self._last: tuple[_LiveSide, CompareOptions, Fidelity, str] | None = None
        self._capabilities: Capabilities | None = None
        self._snapshot: Snapshot | None = None  # read once per scan, when first needed
        self.render_warning = ""  # set when charts could not render for the cluster's version

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
            self._snapshot = read_snapshot(self.options.live_snapshot or "")
        return self._snapshot

    def desired(
        self, ref: str | None = None, *, fetch: bool = False, progress: ProgressFn = no_progress
    ) -> DesiredState:
        """Git's objects at ``ref`` (default: the scanned ref), rendered exactly as a scan
        renders them: the config's Helm values, the cluster's version. Sync, revert,
        history and the explorer load through here so that none renders differently."""
        opts = self.options
        desired = load_desired(
            opts.repo,
            ref or opts.ref,
            opts.path,
            fetch=fetch,
            helm_values=self._helm_values,
            capabilities=self.capabilities,
            cache_dir=opts.cache_dir,
            render=opts.render,
            progress=progress,
        )
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
        )

    def client(self) -> ClusterClient:
        """The cluster's client; from here on the gate asks the cluster's own RBAC too."""
        if self._client is None:
            self._client = ClusterClient.from_kubeconfig(
                self.options.kubeconfig,
                self.options.context,
                gate=self.gate,
                timeout=self.options.request_timeout,
            )
            if self.gate.probe is None and not self.gate.read_only:
                self.gate.probe = AccessReview(self._client)
        return self._client

    def resource_name(self, group: str, kind: str) -> str:
        """The plural RBAC uses for a kind, from the last scan's discovery when it knows it."""
        discovery = self._last[0].discovery if self._last is not None else None
        info = discovery.resolve(group, kind) if discovery is not None else None
        return info.resource if info is not None else guess_resource(group, kind)

    def _live_from_snapshot(self, snap: Snapshot) -> _LiveSide:
        path = self.options.live_snapshot or ""
        state = LiveState()
        for obj in snap.objects:
            state.objects[ObjectRef.of(obj)] = obj
        for key, reason in snap.forbidden.items():
            group, _, kind = key.rpartition("/")
            state.forbidden[(group, kind, "")] = reason
        info = LiveInfo(context=snap.context, server=snap.server, snapshot=path)
        side = _LiveSide(info, state, ScopeLookup(None, snap.objects), self._snapshot_masker(snap))
        if snap.legacy_salt is not None:
            side.warnings.append(LEGACY_SALT_WARNING.format(path=path))
        return side

    def _snapshot_masker(self, snap: Snapshot) -> SecretMasker:
        """Git's Secrets must be masked with the key the snapshot's were masked with."""
        if snap.legacy_salt is not None:
            return SecretMasker(snap.legacy_salt)
        if not any(is_secret(o) for o in snap.objects):
            return SecretMasker(self.mask_key)  # nothing to match: any key will do
        given = self.options.snapshot_key
        if given is not None and given.id == snap.key_id:
            return SecretMasker(given.secret)
        return SecretMasker(key_for(snap.key_id, self.options.live_snapshot or "").secret)

    def _live_from_cluster(
        self, desired: list[Manifest], default_ns: str, progress: ProgressFn
    ) -> _LiveSide:
        client = self.client()
        # Git is done; until the first LIST answers, it is the cluster that is slow, not us.
        progress(ProgressEvent("waiting for the cluster", 0))
        discovery = discover(client)
        kinds: dict[tuple[str, str], ResourceInfo] = {}
        unknown: set[tuple[str, str]] = set()
        namespaces = {default_ns}
        for m in desired:
            info = discovery.resolve(m.ref.group, m.ref.kind)
            if info is None:
                unknown.add((m.ref.group, m.ref.kind))
                continue
            kinds[(info.group, info.kind)] = info
            if info.namespaced:
                namespaces.add(m.ref.namespace or default_ns)
        if self._merge_keys is None:
            self._merge_keys = fetch_merge_keys(client, {i.api_version for i in kinds.values()})
        state = read_live(
            client, kinds.values(), namespaces, progress=progress, workers=self.options.list_workers
        )
        where = LiveInfo(context=client.context, server=client.server)
        masker = SecretMasker(self.mask_key)
        return _LiveSide(where, state, ScopeLookup(discovery), masker, discovery, client, unknown)

    # -- the scan ----------------------------------------------------------------------

    def scan(self, progress: ProgressFn = no_progress) -> ScanReport:
        with collector_paused():  # bulk allocation of objects that are all kept
            return self._scan(progress)

    def _scan(self, progress: ProgressFn) -> ScanReport:
        opts = self.options
        self._verdicts.next_generation()  # verdicts of objects' older versions go
        if opts.live_snapshot:  # read anew each scan; charts render for what it recorded
            self._snapshot = self._capabilities = None
        desired = self.desired(fetch=opts.fetch, progress=progress)
        config, config_warnings = self._config(desired)
        self.config = config
        if opts.live_snapshot:
            live = self._live_from_snapshot(self._read_snapshot())
            default_ns = opts.namespace or "default"
            fidelity = Fidelity.CLIENT_SIDE
        else:
            default_ns = opts.namespace or self.client().namespace
            live = self._live_from_cluster(desired.manifests, default_ns, progress)
            fidelity = Fidelity.CLIENT_SIDE if self._client_side_only() else Fidelity.SERVER_SIDE
        merge_keys = self._merge_keys or MergeKeys.builtin()
        options = CompareOptions.from_config(config, merge_keys)
        if live.client is not None:  # honour the owning apps' own ignore rules
            apps = owning_apps(live.client, live.state.objects.values())
            options = replace(
                options, ignore=options.ignore + operator_ignore_rules(a.body for a in apps)
            )

        self._last = (live, options, fidelity, default_ns)
        manifests = [
            _fill_namespace(m, live.scope.is_namespaced(m.ref.group, m.ref.kind), default_ns)
            for m in desired.manifests
        ]
        # Identities are compared again once namespaces are filled in: `web` and
        # `default/web` are one object.
        manifests, late = split_duplicates(manifests)
        problems = desired.problems + late
        results = _duplicate_errors(problems)
        total = len(manifests)
        source_apps: set[AppOwner] = set()
        for index, manifest in enumerate(manifests, start=1):
            give_way()
            result = self._verdict(manifest, live, options, fidelity)
            results.append(result)
            live_obj = live.state.objects.get(manifest.ref)
            if live_obj is not None:  # the app is learned from the cluster, never from Git
                source_apps |= {m.app for m in app_markers(live_obj, config.tracking)}
            if index % 500 == 0 or index == total:
                progress(ProgressEvent("objects compared", index, total))
        declared = {m.ref for m in manifests} | {r.ref for r in results}
        scope = {m.ref.namespace for m in manifests} | {default_ns}
        results += self._extras(live, declared, source_apps, scope, config)
        results.sort(key=lambda r: (r.ref.namespace, r.ref.group, r.ref.kind, r.ref.name))
        return self._report(desired, live, fidelity, results, problems, config_warnings)

    def _report(
        self,
        desired: DesiredState,
        live: _LiveSide,
        fidelity: Fidelity,
        results: list[DriftResult],
        problems: list[LoadProblem],
        config_warnings: list[str],
    ) -> ScanReport:
        warnings = [
            f"could not read {kind or 'core'}.{group}: {text}".replace(".:", ":")
            for (group, kind), text in sorted(live.state.failed.items())
        ]
        client_side = self._client_side_reasons(fidelity, results, live)
        compared = sum(1 for r in results if r.status in (Status.IN_SYNC, Status.DRIFTED))
        if client_side and sum(client_side.values()) == compared:
            fidelity = Fidelity.CLIENT_SIDE  # not one object was compared server-side
        return ScanReport(
            source=desired.source,
            live=live.info,
            fidelity=fidelity,
            client_side=client_side,
            results=results,
            problems=[p for p in problems if p.ref is None],
            skipped=desired.skipped,
            warnings=warnings + config_warnings + live.warnings + list(desired.warnings),
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
                self._verdict(_fill_namespace(manifest, scope, default_ns), live, options, fidelity)
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

    def _client_side_only(self) -> bool:
        return self.gate.read_only or self.options.server_side is False

    def _verdict(
        self, manifest: Manifest, live: _LiveSide, options: CompareOptions, fidelity: Fidelity
    ) -> DriftResult:
        ref = manifest.ref
        live_raw = live.state.objects.get(ref)
        if live_raw is not None:  # same blob, same resourceVersion: nothing to redo
            version = str((live_raw.get("metadata") or {}).get("resourceVersion", ""))
            key = (ref, manifest.blob_sha, version, fidelity, options.ignore)
            cached = self._verdicts.get(key)
            if cached is not None:
                result, kept = cached
                # The same object at the same version: keep the copy the result refers to,
                # not a second one from this LIST (watch mode held two of everything).
                live.state.objects[ref] = kept
                return result
        desired = live.masker.mask_object(null_data_as_empty(manifest.body))
        encrypted = is_sops_secret(manifest.body)
        if encrypted:
            desired = key_names_only(desired)
        base = DriftResult(
            ref,
            manifest.api_version,
            Status.IN_SYNC,
            Fidelity.CLIENT_SIDE,
            source_file=manifest.source_file,
            source_line=manifest.line,
            blob_sha=manifest.blob_sha,
            desired=normalise(desired, options.merge_keys),
        )
        if (ref.group, ref.kind) in live.unknown:
            return replace(base, status=Status.ERROR, reason=f"unknown kind: {ref.group_kind}")
        if live_raw is None:
            forbidden = live.state.forbidden_reason(ref)
            if forbidden:
                return replace(base, status=Status.ERROR, reason=forbidden)
            failed = live.state.failed.get((ref.group, ref.kind))
            if failed:
                return replace(base, status=Status.ERROR, reason=f"not read: {failed}")
            return replace(base, status=Status.MISSING)
        live_obj = live.masker.mask_object(null_data_as_empty(live_raw))
        want = base.desired  # normalised once, above
        compared = key_names_only(live_obj) if encrypted else live_obj
        outcome = compare(desired, compared, options, normalised_desired=want)
        used = Fidelity.CLIENT_SIDE
        may_send = not encrypted  # a dry-run would apply SOPS's ciphertext as the values
        if (
            outcome.differences
            and fidelity is Fidelity.SERVER_SIDE
            and live.client is not None
            and may_send
        ):
            predicted, defaulted = self._predict(manifest, live_raw, live, options)
            if predicted is not None:
                predicted = live.masker.mask_object(null_data_as_empty(predicted))
                defaulted = live.masker.mask_object(defaulted) if defaulted else None
                outcome = compare(
                    desired,
                    live_obj,
                    options,
                    predicted=predicted,
                    defaulted=defaulted,
                    normalised_desired=want,
                )
                used = Fidelity.SERVER_SIDE
        skipped = skip_reason(live_raw, Status.DRIFTED) if outcome.differences else ""
        if skipped:  # the operator itself is told to ignore this object's drift
            outcome = replace(
                outcome, differences=(), ignored=outcome.ignored + len(outcome.differences)
            )
        status = Status.DRIFTED if outcome.differences else Status.IN_SYNC
        if not outcome.differences and fidelity is Fidelity.SERVER_SIDE and may_send:
            used = fidelity if self._could_predict(ref, live) else Fidelity.CLIENT_SIDE
        result = replace(
            base,
            status=status,
            reason=f"ignored: {skipped}" if skipped else (SOPS_NOTE if encrypted else ""),
            fidelity=used,
            differences=outcome.differences,
            live=compared,
            ignored=outcome.ignored,
            owner=app_owner(live_raw),
            resource_version=version,
        )
        self._verdicts.put(key, (result, live_raw))
        return result

    def _could_predict(self, ref: ObjectRef, live: _LiveSide) -> bool:
        """Would a dry-run have been allowed? An in-sync verdict needs none, but it claims
        server-side fidelity only where one could have been made."""
        if self.options.server_side or live.client is None or live.discovery is None:
            return live.client is not None
        info = live.discovery.resolve(ref.group, ref.kind)
        return info is not None and self._may_patch(info, ref.namespace, live.client)

    def _client_side_reasons(
        self, fidelity: Fidelity, results: list[DriftResult], live: _LiveSide
    ) -> dict[str, int]:
        """Why objects of a server-side scan were compared client-side, and how many."""
        out: dict[str, int] = {}
        if fidelity is not Fidelity.SERVER_SIDE:
            return out
        for r in results:
            if r.status in (Status.IN_SYNC, Status.DRIFTED) and r.fidelity is Fidelity.CLIENT_SIDE:
                info = live.discovery.resolve(r.ref.group, r.ref.kind) if live.discovery else None
                allowed = (
                    self._patch_allowed.get((info.group, info.resource, r.ref.namespace))
                    if info is not None
                    else None
                )
                why = "no patch permission" if allowed is False else "dry-run refused"
                out[why] = out.get(why, 0) + 1
        return out

    def _applier(self, live_raw: dict[str, Any], options: CompareOptions) -> str:
        for entry in (live_raw.get("metadata") or {}).get("managedFields") or []:
            if entry.get("operation") == "Apply" and entry.get("manager") in options.appliers:
                return str(entry["manager"])
        return "driftui"

    def _may_patch(self, info: ResourceInfo, namespace: str, client: ClusterClient) -> bool:
        key = (info.group, info.resource, namespace)
        if key not in self._patch_allowed:
            try:
                self._patch_allowed[key] = client.can_i(
                    "patch", info.group, info.resource, namespace
                )
            except ClusterError:
                self._patch_allowed[key] = False
        return self._patch_allowed[key]

    def _predict(
        self, manifest: Manifest, live_raw: dict[str, Any], live: _LiveSide, options: CompareOptions
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Dry-run SSA with force as the object's own applier; on 403, client-side it is."""
        client, discovery = live.client, live.discovery
        assert client is not None and discovery is not None
        info = discovery.resolve(manifest.ref.group, manifest.ref.kind)
        if info is None:
            return None, None
        namespace = manifest.ref.namespace
        if self.options.server_side is None and not self._may_patch(info, namespace, client):
            return None, None
        target = Resource(info.group, info.resource, namespace)
        body = dict(manifest.body, apiVersion=manifest.api_version)
        try:
            predicted = client.apply(
                info.path(namespace, manifest.ref.name),
                body,
                target,
                field_manager=self._applier(live_raw, options),
                force=True,
                dry_run=True,
            )
        except (ApiError, MutationRefused):
            return None, None
        return predicted, self._defaulted(manifest, info, client)

    def _defaulted(
        self, manifest: Manifest, info: ResourceInfo, client: ClusterClient
    ) -> dict[str, Any] | None:
        """The server's defaulting of the Git object alone: a dry-run create under a new name."""
        body = dict(manifest.body, apiVersion=manifest.api_version)
        meta = {k: v for k, v in (body.get("metadata") or {}).items() if k != "name"}
        meta["generateName"] = "driftui-defaults-"
        body["metadata"] = meta
        target = Resource(info.group, info.resource, manifest.ref.namespace)
        try:
            created = client.create(info.path(manifest.ref.namespace), body, target, dry_run=True)
        except (ApiError, MutationRefused):
            return None
        created.setdefault("metadata", {})["name"] = manifest.ref.name
        return created

    def _extras(
        self,
        live: _LiveSide,
        declared: set[ObjectRef],
        apps: set[AppOwner],
        namespaces: set[str],
        config: Config,
    ) -> list[DriftResult]:
        """Live objects absent from Git whose whole tracking marker names this source's app.

        Only in the namespaces this source deploys to (and cluster-wide kinds), as
        ``kubectl apply --prune -n`` scopes itself: a scan of one namespace never offers to
        prune the same app's objects in a namespace it was not asked about.
        """
        if not apps:
            return []
        out = []
        for ref, obj in live.state.objects.items():
            give_way()
            if ref in declared or (ref.namespace and ref.namespace not in namespaces):
                continue
            if is_controlled(obj) or skip_object(obj, Status.EXTRA):
                continue
            claimed = sorted(m for m in app_markers(obj, config.tracking) if m.app in apps)
            if not claimed:
                continue
            out.append(
                DriftResult(
                    ref,
                    str(obj.get("apiVersion", "")),
                    Status.EXTRA,
                    Fidelity.CLIENT_SIDE,
                    reason=f"absent from Git, tracked by {claimed[0]}",
                    live=live.masker.mask_object(obj),
                    owner=app_owner(obj),
                    resource_version=str((obj.get("metadata") or {}).get("resourceVersion", "")),
                    marker=claimed[0],
                )
            )
        return out


def select(results: Iterable[DriftResult], selectors: Iterable[str]) -> list[DriftResult]:
    """kubectl-style selectors: ``KIND/NAME``, ``KIND``, ``NS/KIND/NAME``; globs allowed."""
    patterns = list(selectors)
    if not patterns:
        return list(results)

    def matches(result: DriftResult, pattern: str) -> bool:
        parts = pattern.split("/")
        ref = result.ref
        kinds = {ref.kind.lower(), ref.group_kind.lower()}
        if len(parts) == 1:
            return any(fnmatch.fnmatch(k, parts[0].lower()) for k in kinds)
        if len(parts) == 2:
            kind, name = parts
            ns = None
        else:
            ns, kind, name = parts[-3:]
        return (
            any(fnmatch.fnmatch(k, kind.lower()) for k in kinds)
            and fnmatch.fnmatch(ref.name, name)
            and (ns is None or fnmatch.fnmatch(ref.namespace, ns))
        )

    return [r for r in results if any(matches(r, p) for p in patterns)]
