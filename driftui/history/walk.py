"""Per-object Git history: the commits that changed one object, however its files moved.

``git log -- file`` answers the wrong question for Kubernetes: many objects share one
file, files are renamed, and objects move between files. Here the unit is the object.

How it stays fast on big repositories:
- git does the path filtering: only commits touching the files that hold the object are
  listed (``repo.iter_commits(paths=<files>)``, see ``driftui.source.git_log``), so
  unrelated commits are never looked at;
- blob SHAs are compared before anything is parsed, and parsing goes through the shared
  parse cache keyed by blob SHA (``driftui.source.blobs``);
- a finished history is cached by (repository, commit, object): commits are immutable
  (:mod:`.cache`).

Objects produced by a kustomize or Helm directory are followed through the rendered
output of each commit that touched the directory (:mod:`.rendered`; only those commits
are rendered; renders are cached by the directory's tree SHA). A render that reaches
outside its directory (``../base``) is re-rendered only when the directory itself changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftui.history.cache import HISTORY_CACHE
from driftui.history.entry import CommitVerdict, HistoryEntry, HistoryError, history_entry
from driftui.history.identity import ObjectMatcher, find_object
from driftui.history.rendered import render_targets, rendered_object, walk_rendered
from driftui.history.scope import grep_candidates, in_scope, log_touching
from driftui.history.tally import CommitTally
from driftui.model import ObjectRef
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.source.blobs import parse_blobs
from driftui.source.git_log import NULL_SHA, LoggedCommit, blob_shas
from driftui.source.git_repo import GitRepo, SourceError, normalise_repo_path, open_repo
from driftui.source.render import Renderer, RenderTarget, is_inside


def _locate(
    repo: GitRepo,
    commit: str,
    matcher: ObjectMatcher,
    scope: str,
    rendered: Sequence[RenderTarget] = (),
) -> dict[str, str]:
    """path -> blob sha of every plain file holding the object at ``commit``."""
    candidates = [
        path
        for path in grep_candidates(repo, commit, matcher.ref.name, scope)
        if not any(is_inside(path, target.path) for target in rendered)
    ]
    if not candidates:
        return {}
    blobs = blob_shas(repo, commit, candidates)
    parse_blobs(repo, list(blobs.items()))
    return {p: sha for p, sha in blobs.items() if find_object(repo, matcher, p, sha) is not None}


def _examine(
    repo: GitRepo, commit: LoggedCommit, matcher: ObjectMatcher, locations: set[str], scope: str
) -> CommitVerdict | None:
    """What this commit did to the object, or None when it did not touch it."""
    changes = [
        c for c in commit.changes if in_scope(c.new_path, scope) or in_scope(c.old_path, scope)
    ]
    changed_new = {c.new_path for c in changes if c.status != "D"}
    unchanged = locations - changed_new - {c.old_path for c in changes}
    after, after_file = None, ""
    for change in changes:
        if change.new_path in locations or not locations:
            after = find_object(repo, matcher, change.new_path, change.new_sha)
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
        body = find_object(repo, matcher, old_path, old_sha)
        if body is not None:
            found_in.add(old_path)
            if before is None:
                before, before_file = body, old_path
    if before is None and after is None:
        return None
    return CommitVerdict(before, after, after_file or before_file, found_in)


def _changed(matcher: ObjectMatcher, verdict: CommitVerdict) -> bool:
    """Created, deleted, or different in more than a defaulted namespace written out."""
    before, after = verdict.before, verdict.after
    return (before is None) != (after is None) or (
        before is not None
        and after is not None
        and matcher.canonical(before) != matcher.canonical(after)
    )


def _walk(
    repo: GitRepo,
    commit: str,
    matcher: ObjectMatcher,
    scope: str,
    renderer: Renderer,
    tally: CommitTally,
) -> list[HistoryEntry]:
    rendered = render_targets(repo, commit, scope)
    located = _locate(repo, commit, matcher, scope, rendered)
    if not located:
        for target in rendered:
            if rendered_object(repo, renderer, commit, target.path, matcher) is not None:
                return walk_rendered(repo, renderer, commit, matcher, target.path, tally)
    locations = set(located)
    start: str | None = commit
    entries: list[HistoryEntry] = []
    while start is not None:
        logged_commits = log_touching(repo, start, locations or [scope])
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
            if _changed(matcher, verdict):
                entries.append(history_entry(logged, verdict))
            if verdict.before is None:
                return entries  # created here: nothing older belongs to this object
            if verdict.before_locations != locations:
                locations = verdict.before_locations
                start = f"{logged.sha}^@" if logged.parents else None  # all its parents
                break
    return entries


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
            matcher = ObjectMatcher(ref_obj, default_namespace)
            tally = CommitTally(progress)
            cached = tuple(_walk(repo, commit, matcher, scope, renderer or Renderer(), tally))
            tally.finished()
        except SourceError as exc:
            raise HistoryError(str(exc)) from None
        HISTORY_CACHE.put(key, cached)
    return list(cached)
