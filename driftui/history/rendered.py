"""History of an object a kustomize or Helm directory renders, rather than a file declares.

Only the commits that touched the directory or its ``../`` inputs are looked at (and
rendered, cached by the directory's tree SHA); a commit that left every input as its
parent had it is not listed.
"""

from __future__ import annotations

from typing import Any

from driftui.history.entry import CommitVerdict, HistoryEntry, history_entry
from driftui.history.identity import ObjectMatcher
from driftui.history.kustomize_inputs import kustomize_inputs
from driftui.history.scope import log_touching
from driftui.history.tally import CommitTally
from driftui.source.git_repo import GitRepo
from driftui.source.render import Renderer, RenderTarget, find_render_targets


def render_targets(repo: GitRepo, commit: str, scope: str) -> list[RenderTarget]:
    found = repo.object_at(commit, scope)
    if found is None or found[0] != "tree":
        return []
    return find_render_targets(repo.list_tree(commit, scope), scope, found[1])


def rendered_object(
    repo: GitRepo, renderer: Renderer, commit: str, directory: str, matcher: ObjectMatcher
) -> dict[str, Any] | None:
    """The object in ``directory``'s render at ``commit``; None when absent or unrenderable."""
    targets = [t for t in render_targets(repo, commit, directory) if t.path == directory]
    whole = repo.object_at(commit, "")
    if not targets or whole is None:
        return None
    (result,) = renderer.render_all(repo, commit, whole[1], targets)
    for manifest in result.manifests:
        if matcher.matches(manifest.ref):
            return manifest.body
    return None


def walk_rendered(
    repo: GitRepo,
    renderer: Renderer,
    commit: str,
    matcher: ObjectMatcher,
    directory: str,
    tally: CommitTally,
) -> list[HistoryEntry]:
    """History through a rendered directory: re-render only commits that touched its inputs."""
    entries: list[HistoryEntry] = []
    inputs = kustomize_inputs(repo, commit, directory)
    state_of: dict[str, tuple[str, ...] | None] = {}

    def render_at(sha: str) -> tuple[tuple[str, ...] | None, dict[str, Any] | None]:
        if sha not in state_of:
            found = [repo.object_at(sha, p) for p in inputs]
            state_of[sha] = tuple(f[1] if f else "" for f in found) if found[0] else None
        if state_of[sha] is None:
            return None, None
        return state_of[sha], rendered_object(repo, renderer, sha, directory, matcher)

    logged_commits = log_touching(repo, commit, inputs)
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
            entries.append(history_entry(logged, CommitVerdict(before, after, directory, set())))
        if before is None and after is not None:
            break  # created here
    return entries
