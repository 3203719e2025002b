"""Per-object Git history: the commits that changed one object, however its files moved.

``git log -- file`` answers the wrong question for Kubernetes: many objects share one
file, files are renamed, and objects move between files. Here the unit is the object.

How it stays fast on big repositories:
- git does the path filtering: only commits touching the files that hold the object are
  listed (``repo.iter_commits(paths=<files>)``, see ``driftui.source.git_log``), so
  unrelated commits are never looked at;
- blob SHAs are compared before anything is parsed, and parsing goes through the shared
  parse cache keyed by blob SHA (``driftui.source.blobs``);
- a finished history is cached by (repository, commit, object): commits are immutable.

Objects produced by a kustomize or Helm directory are followed through the rendered
output of each commit that touched the directory (and only those commits are rendered;
renders are cached by the directory's tree SHA). A render that reaches outside its
directory (``../base``) is re-rendered only when the directory itself changes.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from cachetools import LRUCache

from driftui.history.tally import CommitTally
from driftui.model import ObjectRef, change_kind
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.source.blobs import parse_blobs, read_blob_objects
from driftui.source.git_log import NULL_SHA, LoggedCommit, blob_shas, log
from driftui.source.git_repo import GitRepo, SourceError, normalise_repo_path, open_repo
from driftui.source.render import (
    KUSTOMIZATION_FILES,
    Renderer,
    RenderTarget,
    find_render_targets,
    is_inside,
)
from driftui.source.yaml_loader import SafeLoader, is_manifest_path
from driftui.versions import FieldChange

_HISTORY_CACHE_ENTRIES = 512


class HistoryError(SourceError):
    """The history cannot be computed (bad ref, broken repository); the message says why."""


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that changed the object. ``before``/``after`` are None on create/delete.

    The bodies are shared with the history cache: treat them as read-only.
    """

    sha: str
    short: str
    author: str
    email: str
    date: str  # ISO 8601 author date
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    file: str  # the file holding the object after the commit (before it, for a delete)
    fields: tuple[FieldChange, ...] = ()  # what the commit changed, field by field

    @property
    def change(self) -> str:
        return change_kind(self.before, self.after)


# -- object identity ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Matcher:
    """Finds one object in a file, defaulting a missing namespace like ``kubectl apply -n``."""

    ref: ObjectRef
    default_namespace: str

    def matches(self, found: ObjectRef) -> bool:
        if found == self.ref:
            return True
        return (
            not found.namespace
            and self.ref.namespace == self.default_namespace
            and (found.group, found.kind, found.name)
            == (self.ref.group, self.ref.kind, self.ref.name)
        )

    def canonical(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body as compared: a defaulted namespace written out does not count as a change."""
        meta = body.get("metadata")
        if self.ref.namespace and isinstance(meta, dict) and not meta.get("namespace"):
            return {**body, "metadata": {**meta, "namespace": self.ref.namespace}}
        return body


def _find(repo: GitRepo, matcher: _Matcher, path: str, sha: str) -> dict[str, Any] | None:
    if sha == NULL_SHA or not is_manifest_path(path):
        return None
    for manifest in read_blob_objects(repo, sha, path).manifests:
        if matcher.matches(manifest.ref):
            return manifest.body
    return None


# -- the walk ----------------------------------------------------------------------------


def in_scope(path: str, scope: str) -> bool:
    return is_manifest_path(path) and (not scope or path == scope or path.startswith(scope + "/"))


def _literal(paths: Iterable[str]) -> list[str]:
    """Pathspecs that match exactly these paths; an empty path means the whole tree."""
    out = []
    for p in paths:
        if not p:
            return []
        out.append(f":(literal){p}")
    return out


def _log(repo: GitRepo, rev: str, paths: Iterable[str]) -> list[LoggedCommit]:
    return log(repo, rev, _literal(sorted(paths)))


def _grep_candidates(repo: GitRepo, commit: str, name: str, scope: str) -> list[str]:
    """Files at ``commit`` whose text contains the object's name: cheap before parsing."""
    status, out, err = repo.handle.git.grep(
        "-l", "-z", "-F", "--no-color", "-e", name, commit, "--", *_literal([scope]),
        with_extended_output=True, with_exceptions=False, stdout_as_string=False,
    )  # fmt: skip
    if status not in (0, 1):
        raise HistoryError(f"git grep: {repo.clean(str(err))}")
    prefix = f"{commit}:"
    found = []
    for item in bytes(out).decode("utf-8", "surrogateescape").split("\0"):
        path = item.removeprefix(prefix)
        if item and in_scope(path, scope):
            found.append(path)
    return found


def _render_targets(repo: GitRepo, commit: str, scope: str) -> list[RenderTarget]:
    found = repo.object_at(commit, scope)
    if found is None or found[0] != "tree":
        return []
    return find_render_targets(repo.list_tree(commit, scope), scope, found[1])


def _locate(
    repo: GitRepo,
    commit: str,
    matcher: _Matcher,
    scope: str,
    rendered: Sequence[RenderTarget] = (),
) -> dict[str, str]:
    """path -> blob sha of every plain file holding the object at ``commit``."""
    candidates = [
        path
        for path in _grep_candidates(repo, commit, matcher.ref.name, scope)
        if not any(is_inside(path, target.path) for target in rendered)
    ]
    if not candidates:
        return {}
    blobs = blob_shas(repo, commit, candidates)
    parse_blobs(repo, list(blobs.items()))
    return {p: sha for p, sha in blobs.items() if _find(repo, matcher, p, sha) is not None}


@dataclass
class _Verdict:
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    file: str
    before_locations: set[str]


def _examine(
    repo: GitRepo, commit: LoggedCommit, matcher: _Matcher, locations: set[str], scope: str
) -> _Verdict | None:
    """What this commit did to the object, or None when it did not touch it."""
    changes = [
        c for c in commit.changes if in_scope(c.new_path, scope) or in_scope(c.old_path, scope)
    ]
    changed_new = {c.new_path for c in changes if c.status != "D"}
    unchanged = locations - changed_new - {c.old_path for c in changes}
    after, after_file = None, ""
    for change in changes:
        if change.new_path in locations or not locations:
            after = _find(repo, matcher, change.new_path, change.new_sha)
            if after is not None:
                after_file = change.new_path
                break
    if after is None and unchanged:
        return None  # still declared in a file this commit did not touch
    # Where was it before? First the same files (renames included), then anywhere (a move).
    ordered = sorted(changes, key=lambda c: c.new_path not in locations)
    found_in: set[str] = set(unchanged)
    before, before_file = None, ""
    pending = [(c.old_path, c.old_sha) for c in ordered if c.old_sha != NULL_SHA]
    if after is not None and pending:
        parse_blobs(repo, [p for p in pending if in_scope(p[0], scope)])
    for old_path, old_sha in pending:
        body = _find(repo, matcher, old_path, old_sha)
        if body is not None:
            found_in.add(old_path)
            if before is None:
                before, before_file = body, old_path
    if before is None and after is None:
        return None
    return _Verdict(before, after, after_file or before_file, found_in)


def _rendered_objects(
    repo: GitRepo, renderer: Renderer, commit: str, directory: str, matcher: _Matcher
) -> dict[str, Any] | None:
    """The object in ``directory``'s render at ``commit``; None when absent or unrenderable."""
    targets = [t for t in _render_targets(repo, commit, directory) if t.path == directory]
    whole = repo.object_at(commit, "")
    if not targets or whole is None:
        return None
    (result,) = renderer.render_all(repo, commit, whole[1], targets)
    for manifest in result.manifests:
        if matcher.matches(manifest.ref):
            return manifest.body
    return None


_KUSTOMIZE_REFERENCES = ("resources", "bases", "components", "patchesStrategicMerge")
_MAX_BASE_DEPTH = 8


def _kustomize_inputs(repo: GitRepo, commit: str, directory: str) -> list[str]:
    """The directory plus every path its kustomization reaches through ``../`` references."""
    inputs = [directory]
    pending = [(directory, 0)]
    while pending:
        current, depth = pending.pop()
        for name in KUSTOMIZATION_FILES:
            found = repo.object_at(commit, f"{current}/{name}" if current else name)
            if found is not None and found[0] == "blob":
                break
        else:
            continue
        try:
            doc = yaml.load(repo.read_blob(found[1]), Loader=SafeLoader)  # safe loader
        except yaml.YAMLError:
            continue
        if not isinstance(doc, dict):
            continue
        refs = [
            r for key in _KUSTOMIZE_REFERENCES for r in doc.get(key) or [] if isinstance(r, str)
        ]
        refs += [p["path"] for p in doc.get("patches") or [] if isinstance(p, dict) and "path" in p]
        for ref in refs:
            if "://" in ref or not ref.startswith(".."):
                continue
            target = posixpath.normpath(posixpath.join(current, ref))
            if target.startswith("..") or any(is_inside(target, i) for i in inputs):
                continue
            inputs.append(target)
            if depth < _MAX_BASE_DEPTH:
                pending.append((target, depth + 1))
    return inputs


def _walk_rendered(
    repo: GitRepo,
    renderer: Renderer,
    commit: str,
    matcher: _Matcher,
    directory: str,
    tally: CommitTally,
) -> list[HistoryEntry]:
    """History through a rendered directory: re-render only commits that touched its inputs."""
    entries: list[HistoryEntry] = []
    inputs = _kustomize_inputs(repo, commit, directory)
    state_of: dict[str, tuple[str, ...] | None] = {}

    def render_at(sha: str) -> tuple[tuple[str, ...] | None, dict[str, Any] | None]:
        if sha not in state_of:
            found = [repo.object_at(sha, p) for p in inputs]
            state_of[sha] = tuple(f[1] if f else "" for f in found) if found[0] else None
        if state_of[sha] is None:
            return None, None
        return state_of[sha], _rendered_objects(repo, renderer, sha, directory, matcher)

    logged_commits = _log(repo, commit, inputs)
    tally.listed(len(logged_commits))
    for logged in logged_commits:
        tally.examined()
        after_state, after = render_at(logged.sha)
        parent = logged.parents[0] if logged.parents else ""
        before_state, before = render_at(parent) if parent else (None, None)
        if after_state == before_state:
            continue
        if before != after and (
            before is None or after is None or matcher.canonical(before) != matcher.canonical(after)
        ):
            entries.append(_entry(logged, _Verdict(before, after, directory, set())))
        if before is None and after is not None:
            break  # created here
    return entries


def _walk(
    repo: GitRepo,
    commit: str,
    matcher: _Matcher,
    scope: str,
    renderer: Renderer,
    tally: CommitTally,
) -> list[HistoryEntry]:
    rendered = _render_targets(repo, commit, scope)
    located = _locate(repo, commit, matcher, scope, rendered)
    if not located:
        for target in rendered:
            if _rendered_objects(repo, renderer, commit, target.path, matcher) is not None:
                return _walk_rendered(repo, renderer, commit, matcher, target.path, tally)
    locations = set(located)
    start: str | None = commit
    entries: list[HistoryEntry] = []
    while start is not None:
        logged_commits = _log(repo, start, locations or [scope])
        tally.listed(len(logged_commits))
        wanted = [
            (path, sha)
            for c in logged_commits
            for change in c.changes
            for path, sha in ((change.old_path, change.old_sha), (change.new_path, change.new_sha))
            if sha != NULL_SHA and in_scope(path, scope) and (path in locations or not locations)
        ]
        parse_blobs(repo, wanted)
        start = None
        for logged in logged_commits:
            tally.examined()
            verdict = _examine(repo, logged, matcher, locations, scope)
            if verdict is None:
                continue
            before, after = verdict.before, verdict.after
            if (before is None) != (after is None) or (
                before is not None
                and after is not None
                and matcher.canonical(before) != matcher.canonical(after)
            ):
                entries.append(_entry(logged, verdict))
            if before is None:
                return entries  # created here: nothing older belongs to this object
            if verdict.before_locations != locations:
                locations = verdict.before_locations
                start = f"{logged.sha}^@" if logged.parents else None  # all its parents
                break
    return entries


def _entry(commit: LoggedCommit, verdict: _Verdict) -> HistoryEntry:
    return HistoryEntry(
        sha=commit.sha,
        short=commit.sha[:12],
        author=commit.author,
        email=commit.email,
        date=commit.date,
        subject=commit.subject,
        before=verdict.before,
        after=verdict.after,
        file=verdict.file,
    )


# -- public API --------------------------------------------------------------------------

_HistoryKey = tuple[str, str, ObjectRef, str, str]


class _HistoryCache:
    """A thread-safe LRU of whole histories: the explorer asks again on every visit."""

    def __init__(self, max_entries: int) -> None:
        self._items: LRUCache[_HistoryKey, tuple[HistoryEntry, ...]] = LRUCache(max_entries)
        self._lock = threading.Lock()

    def get(self, key: _HistoryKey) -> tuple[HistoryEntry, ...] | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: _HistoryKey, value: tuple[HistoryEntry, ...]) -> None:
        with self._lock:
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


HISTORY_CACHE = _HistoryCache(_HISTORY_CACHE_ENTRIES)


def object_history(
    repo_path: str,
    ref: str,
    ref_obj: ObjectRef,
    *,
    path: str = "",
    default_namespace: str = "default",
    renderer: Renderer | None = None,
    progress: ProgressFn = no_progress,
) -> list[HistoryEntry]:
    """The commits reachable from ``ref`` in which the object's declared content changed.

    Newest first. ``path`` limits the search to a directory (or file) of the repository.
    A commit that only moves the object to another file, unchanged, is not listed.
    ``renderer`` renders kustomize/Helm directories (pass the scan's, for its Helm values).
    ``progress`` hears the commits examined against the commits listed (nothing when the
    history is cached).
    """
    try:
        repo = open_repo(repo_path)
        commit = repo.resolve(ref)
        scope = normalise_repo_path(path)
    except SourceError as exc:
        raise HistoryError(str(exc)) from None
    key = (repo.git_dir, commit, ref_obj, scope, default_namespace)
    cached = HISTORY_CACHE.get(key)
    if cached is None:
        try:
            matcher = _Matcher(ref_obj, default_namespace)
            tally = CommitTally(progress)
            cached = tuple(_walk(repo, commit, matcher, scope, renderer or Renderer(), tally))
            tally.finished()
        except SourceError as exc:
            raise HistoryError(str(exc)) from None
        HISTORY_CACHE.put(key, cached)
    return list(cached)
