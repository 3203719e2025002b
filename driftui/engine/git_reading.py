"""A scanner's Git side: the objects at a ref, rendered as a scan renders them (the
config's Helm values, the cluster's version), and the config they are judged with.

Sync, revert, history and the explorer load through here so that none renders differently.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from driftui.compare.ignore import IgnoreRule
from driftui.config import CONFIG_FILE, Config, load_config, load_repo_config
from driftui.engine.judging import Loaded
from driftui.engine.more_sources import fetch_ref_repos, load_more_sources
from driftui.engine.scanner_parts import ScannerParts
from driftui.gitops.markers import TrackingMarkers, for_tracking_method
from driftui.live.discovery import discover
from driftui.live.errors import ClusterError
from driftui.model import DesiredState
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.source.git_repo import GitRepo, SourceError, open_repo
from driftui.source.load import join_desired, load_desired, load_from_repo, read_config_text
from driftui.source.ref_values import read_ref_values
from driftui.source.render import Capabilities, Renderer, helm_kube_version


class GitReading(ScannerParts):
    """Git's side of a scan, and the renderers history and reverts borrow from it."""

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

    def scanned_commit(self) -> str:
        """The commit the last scan read ("" before one): actions act on it, not on a newer."""
        return self._commit

    def source_commit(self) -> str:
        """The commit the scanned ref names now (no fetch): a change means a full scan."""
        repo = open_repo(self.options.repo, cache_dir=self.options.cache_dir)
        return repo.resolve(self.options.ref)
