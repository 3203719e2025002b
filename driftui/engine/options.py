"""What one scan reads: the source, the cluster (or a snapshot), and how carefully."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftui.live.client import DEFAULT_TIMEOUT
from driftui.live.snapshot_key import SnapshotKey
from driftui.model import Manifest, ScanReport
from driftui.source.limits import DEFAULT_POLICY, RenderPolicy
from driftui.source.recipe import RenderRecipe, SourceSpec
from driftui.source.selection import FileSelection

DEFAULT_CONCURRENCY = 16  # dry-runs in flight at once: a burst the API server's fairness absorbs


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
    concurrency: int = DEFAULT_CONCURRENCY  # dry-run requests in flight at once (--concurrency)
    path_from_cwd: bool = False  # --path was not given: the current directory's place in the repo
    snapshot_key: SnapshotKey | None = None  # else $DRIFTUI_SNAPSHOT_KEY or the key file
    fail_on_stale: bool = False  # a remote that cannot be fetched is an error, not a warning
    request_timeout: float = DEFAULT_TIMEOUT  # seconds per API request, retries included; 0 = none
    render: RenderPolicy = DEFAULT_POLICY  # renderers' bounds, remote bases
    files: FileSelection | None = None  # which files of `path` are read (None: all, recursively)
    # every namespaced object goes to `namespace`, as kustomize's `namespace:` (Flux targetNamespace)
    force_namespace: bool = False
    recipe: RenderRecipe | None = None  # the app's own rendering options for its path
    sources: tuple[SourceSpec, ...] = ()  # the app's other sources (Argo CD spec.sources)
    fetched: set[str] | None = None  # repositories fetched in this run (by repo_key)
    # what the app's operator does to rendered objects before applying them (Flux postBuild)
    post_render: Callable[[Sequence[Manifest]], list[Manifest]] | None = None
    redact: Callable[[ScanReport], ScanReport] | None = None  # masks what post_render used
    prune_refused: str = ""  # why the app's operator prunes none of its extras (Flux prune: false)
    tracking_method: str = ""  # Argo CD's resourceTrackingMethod: narrows the markers that count
    judge_apart: bool = False  # a one-shot report or diff: part of its comparing in a forked copy
