"""Guided rollback: ``git revert`` done so that a refusal leaves the repository untouched.

In GitOps a rollback is a revert commit that the operator then deploys. The revert is
computed in memory (``git merge-tree`` with the reverted commit as merge base, the same
three-way merge ``git revert`` does), never in the user's work tree: a preview, a
conflict, a dirty work tree or a refusal changes no ref, index, file or stash. Only
after every check passes is a commit object created and the branch moved to it in one
step (``git merge --ff-only``), so an interrupted revert leaves the repository either
as it was or cleanly committed.

With ``branch=True`` the revert commit goes on a new branch ``driftui/revert-<sha>`` and
the checkout is not touched at all, which is why a dirty work tree is fine then.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import git

from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.history import in_scope
from driftui.model import DesiredState, ObjectRef, change_kind
from driftui.source.blobs import parse_blobs
from driftui.source.git_log import NULL_SHA, subject_of, tree_changes
from driftui.source.git_process import failure_text, stderr_text
from driftui.source.git_push import push_branch
from driftui.source.git_repo import GitRepo, SourceError, normalise_repo_path, open_local
from driftui.source.yaml_loader import is_manifest_path

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
BRANCH_PREFIX = "driftui/revert-"
PUSH_TIMEOUT = 120.0
# The throwaway commit that carries the "theirs" side of the merge: fixed identity and
# date so that previews of the same revert reuse one object.
_SCRATCH_IDENTITY = {
    "GIT_AUTHOR_NAME": "driftui",
    "GIT_AUTHOR_EMAIL": "driftui@localhost",
    "GIT_AUTHOR_DATE": "@0 +0000",
    "GIT_COMMITTER_NAME": "driftui",
    "GIT_COMMITTER_EMAIL": "driftui@localhost",
    "GIT_COMMITTER_DATE": "@0 +0000",
}
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase or am"),
    ("BISECT_LOG", "a bisect"),
)


class RevertRefused(DriftuiError):
    """The revert was not made; the repository is exactly as it was. The message says why."""


@dataclass(frozen=True)
class ObjectChange:
    """One object whose desired state the revert changes."""

    ref: ObjectRef
    before: dict[str, Any] | None  # desired at the current commit (None: the revert adds it)
    after: dict[str, Any] | None  # desired after the revert (None: the revert removes it)
    file_before: str
    file_after: str
    in_scope: bool = True  # declared under --path (False: elsewhere in the repository)

    @property
    def change(self) -> str:
        return change_kind(self.before, self.after)


@dataclass(frozen=True)
class RevertPreview:
    sha: str
    short: str
    subject: str
    mainline: int | None  # the parent reverted to, for merge commits
    base: str  # the commit the revert applies on (HEAD)
    tree: str  # the resulting tree ("" when the revert conflicts)
    files: tuple[str, ...]  # files the revert changes
    objects: tuple[ObjectChange, ...]  # every object the revert touches, in scope or not
    conflicts: tuple[str, ...]
    scope: str = ""  # the --path the preview was asked for ("" is the whole repository)
    problems: tuple[str, ...] = ()  # files that load after the revert as they did not before

    @property
    def files_in_scope(self) -> tuple[str, ...]:
        return tuple(f for f in self.files if in_scope(f, self.scope))

    @property
    def files_elsewhere(self) -> tuple[str, ...]:
        """Files outside --path that the revert changes too: they need their own consent."""
        return tuple(f for f in self.files if not in_scope(f, self.scope))

    @property
    def objects_in_scope(self) -> tuple[ObjectChange, ...]:
        return tuple(c for c in self.objects if c.in_scope)

    @property
    def objects_elsewhere(self) -> tuple[ObjectChange, ...]:
        return tuple(c for c in self.objects if not c.in_scope)

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def empty(self) -> bool:
        return self.clean and not self.files


@dataclass(frozen=True)
class RevertOutcome:
    commit: str  # the revert commit
    reverted: str  # the commit that was reverted
    branch: str  # the local branch now holding the revert commit
    new_branch: bool  # True with --branch: the checkout was not touched
    pushed: bool = False
    remote: str = ""
    remote_branch: str = ""  # where the commit was pushed (open a pull request from here)
    push_error: str = ""  # why the push failed; the local commit stays

    @property
    def short(self) -> str:
        return self.commit[:12]

    def summary(self) -> str:
        where = f"new branch {self.branch}" if self.new_branch else f"branch {self.branch}"
        lines = [f"Reverted {self.reverted[:12]} with commit {self.short} on {where}."]
        if self.pushed:
            lines.append(
                f"Pushed to {self.remote} {self.remote_branch}: open a pull request from"
                f" {self.remote_branch} (commit {self.short})."
            )
        elif self.push_error:
            lines.append(f"Push failed, the local commit {self.short} is kept: {self.push_error}")
        return "\n".join(lines)


# -- running git (all of it through the repository's GitPython handle) ------------------


def _git(repo: GitRepo) -> git.Git:
    return repo.handle.git


def _out(repo: GitRepo, *args: str, **kwargs: Any) -> str:
    """A git command's stdout; RevertRefused (redacted, one line) when it fails."""
    try:
        out = getattr(_git(repo), args[0].replace("-", "_"))(*args[1:], **kwargs)
    except git.GitCommandError as exc:
        raise RevertRefused(f"git {args[0]}: {failure_text(exc)}") from None
    return str(out).strip()


def _resolve(repo: GitRepo, rev: str, what: str) -> str:
    if not rev or rev.startswith("-"):
        raise RevertRefused(f"invalid {what} {rev!r}")
    try:
        out = _git(repo).rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except git.GitCommandError:
        raise RevertRefused(f"{what} {rev!r} is not a commit in {repo.display}") from None
    return str(out).strip()


def _open(repo_path: str) -> GitRepo:
    try:
        return open_local(repo_path)
    except SourceError:
        raise RevertRefused(f"{repo_path!r} is not a Git repository") from None


@contextlib.contextmanager
def _scratch(repo: GitRepo) -> Iterator[GitRepo]:
    """The same repository, writing new objects to a temporary directory removed afterwards.

    The repository's own object store is an alternate, so everything in it stays readable,
    while the scratch commit and the merged trees and blobs of a preview vanish with the
    directory: read-only means no write to the object store either. Every git of the
    scratch copy, its persistent cat-file included, runs with that environment.
    """
    objects = os.path.join(repo.handle.common_dir, "objects")
    with tempfile.TemporaryDirectory(prefix="driftui-preview-") as tmp:
        env = {"GIT_OBJECT_DIRECTORY": tmp, "GIT_ALTERNATE_OBJECT_DIRECTORIES": objects}
        scratch = dataclasses.replace(repo, extra_env=env)
        try:
            yield scratch
        finally:
            scratch.close()


# -- planning (in a preview, in scratch: nothing is written to the repository) -----------


@dataclass(frozen=True)
class _Plan:
    sha: str
    parent: str  # the parent reverted to ("" for a root commit)
    mainline: int | None
    subject: str
    head: str
    tree: str
    conflicts: tuple[str, ...]


def _plan(repo: GitRepo, sha: str, mainline: int | None) -> _Plan:
    commit = _resolve(repo, sha, "commit")
    head = _resolve(repo, "HEAD", "HEAD")
    reverted = repo.handle.commit(commit)
    parents = [p.hexsha for p in reverted.parents]
    if len(parents) > 1:
        chosen = 1 if mainline is None else mainline
        if not 1 <= chosen <= len(parents):
            raise RevertRefused(
                f"commit {commit[:12]} is a merge with {len(parents)} parents:"
                f" --mainline must be between 1 and {len(parents)}"
            )
        parent, used = parents[chosen - 1], chosen
    else:
        if mainline not in (None, 1):
            raise RevertRefused(
                f"commit {commit[:12]} is not a merge: --mainline applies only to merge commits"
            )
        parent, used = (parents[0] if parents else ""), None
    if not repo.handle.is_ancestor(reverted, repo.handle.commit(head)):
        raise RevertRefused(f"commit {commit[:12]} is not in the history of HEAD ({head[:12]})")
    subject = subject_of(str(reverted.message))
    parent_tree = repo.handle.commit(parent).tree.hexsha if parent else EMPTY_TREE
    # "theirs" = the parent's tree on top of the reverted commit, so the merge base of
    # HEAD and theirs is the reverted commit itself: exactly the merge git revert runs.
    # commit-tree, not Commit.create_from_tree: GitPython would write the object itself,
    # into the repository's object store rather than the preview's scratch directory.
    theirs = _out(
        repo, "commit-tree", parent_tree, "-p", commit, "-m", "driftui revert scratch",
        env=_SCRATCH_IDENTITY,
    )  # fmt: skip
    status, out, err = _git(repo).merge_tree(
        "--write-tree", "--name-only", "-z", "--no-messages", head, theirs,
        with_extended_output=True, with_exceptions=False, stdout_as_string=False,
    )  # fmt: skip
    if status not in (0, 1):
        raise RevertRefused(f"cannot compute the revert of {commit[:12]}: {repo.clean(str(err))}")
    tokens = [t for t in bytes(out).decode("utf-8", "surrogateescape").split("\0") if t]
    conflicts = tuple(dict.fromkeys(tokens[1:])) if status == 1 else ()
    return _Plan(commit, parent, used, subject, head, tokens[0] if tokens else "", conflicts)


def _object_changes(
    repo: GitRepo, head: str, tree: str, scope: str
) -> tuple[tuple[str, ...], tuple[ObjectChange, ...]]:
    head_tree = repo.handle.commit(head).tree.hexsha
    changes = tree_changes(repo, head_tree, tree)
    files = tuple(dict.fromkeys(p for c in changes for p in (c.old_path, c.new_path)))
    sides: list[dict[ObjectRef, tuple[dict[str, Any], str]]] = [{}, {}]
    for index, pairs in enumerate(
        (
            [(c.old_path, c.old_sha) for c in changes],
            [(c.new_path, c.new_sha) for c in changes],
        )
    ):
        # Every file, not only those under --path: a revert changes them all.
        wanted = [(p, s) for p, s in pairs if s != NULL_SHA and is_manifest_path(p)]
        for (path, _), parsed in zip(wanted, parse_blobs(repo, wanted), strict=True):
            for manifest in parsed.manifests:
                sides[index].setdefault(manifest.ref, (manifest.body, path))
    before, after = sides
    objects = []
    for ref in sorted(set(before) | set(after)):
        old_body, old_file = before.get(ref, (None, ""))
        new_body, new_file = after.get(ref, (None, ""))
        if old_body != new_body:
            inside = in_scope(new_file or old_file, scope) or in_scope(old_file or new_file, scope)
            objects.append(ObjectChange(ref, old_body, new_body, old_file, new_file, inside))
    return files, tuple(objects)


DesiredLoader = Callable[[GitRepo, str], DesiredState]
"""Renders a whole repository at a commit as the scan does (Scanner.render_at)."""


def _rendered_changes(
    repo: GitRepo, plan: _Plan, scope: str, load: DesiredLoader
) -> tuple[tuple[ObjectChange, ...], tuple[str, ...]]:
    """Objects as renders make them, before and after: a chart or kustomization the revert
    touches shows the objects it would render, not its template files. The after side is
    a scratch commit of the merged tree; like everything here, it vanishes with the scratch."""
    after = _out(
        repo, "commit-tree", plan.tree, "-p", plan.head, "-m", "driftui revert preview",
        env=_SCRATCH_IDENTITY,
    )  # fmt: skip
    old, new = load(repo, plan.head), load(repo, after)
    before = {m.ref: m for m in old.manifests}
    later = {m.ref: m for m in new.manifests}
    objects = []
    for ref in sorted(set(before) | set(later)):
        was, will = before.get(ref), later.get(ref)
        old_body, new_body = (was.body if was else None), (will.body if will else None)
        if old_body == new_body:
            continue
        old_file, new_file = (was.source_file if was else ""), (will.source_file if will else "")
        inside = _within(new_file or old_file, scope) or _within(old_file or new_file, scope)
        objects.append(ObjectChange(ref, old_body, new_body, old_file, new_file, inside))
    known = {str(p) for p in old.problems}
    problems = tuple(str(p) for p in new.problems if str(p) not in known)
    return tuple(objects), problems


def _within(source: str, scope: str) -> bool:
    """A rendered object's source is its file or its rendered directory (a chart, an overlay):
    in scope when it lies under --path, or --path lies inside the directory it renders."""
    return not scope or f"{source}/".startswith(f"{scope}/") or scope.startswith(f"{source}/")


def preview_revert(
    repo_path: str,
    sha: str,
    *,
    mainline: int = 1,
    path: str = "",
    load: DesiredLoader | None = None,
) -> RevertPreview:
    """What reverting ``sha`` on the current HEAD would change, without changing anything.

    ``mainline`` picks the parent a merge commit is reverted to; it is ignored for other
    commits. ``path`` is the scope: objects and files outside it are listed too, marked
    elsewhere, because the revert changes them all. With ``load``, objects come from
    renders of both sides (charts, kustomizations); without it, from the changed YAML files.
    Every object git computes on the way goes to a scratch directory (see :func:`_scratch`).
    """
    scope = normalise_repo_path(path)
    problems: tuple[str, ...] = ()
    with _scratch(_open(repo_path)) as repo:
        plan = _plan(repo, sha, mainline)
        files: tuple[str, ...] = ()
        objects: tuple[ObjectChange, ...] = ()
        if not plan.conflicts:
            files, objects = _object_changes(repo, plan.head, plan.tree, scope)
            if load is not None:
                objects, problems = _rendered_changes(repo, plan, scope, load)
    return RevertPreview(
        sha=plan.sha,
        short=plan.sha[:12],
        subject=plan.subject,
        mainline=plan.mainline,
        base=plan.head,
        tree="" if plan.conflicts else plan.tree,
        files=files,
        objects=objects,
        conflicts=plan.conflicts,
        scope=scope,
        problems=problems,
    )


# -- applying ------------------------------------------------------------------------------


def _operation_in_progress(repo: GitRepo) -> str:
    for marker, what in _IN_PROGRESS:
        if os.path.exists(os.path.join(repo.handle.git_dir, marker)):
            return what
    return ""


def _dirty_files(repo: GitRepo) -> list[str]:
    """Tracked files changed in the work tree or staged (GIT_OPTIONAL_LOCKS=0: looking
    does not rewrite the index; a refusal changes nothing)."""
    index = repo.handle.index
    changed = [d.a_path or d.b_path for d in (*index.diff(None), *index.diff("HEAD"))]
    return list(dict.fromkeys(p for p in changed if p))


def _message(plan: _Plan) -> str:
    body = f"This reverts commit {plan.sha}"
    if plan.mainline is not None:
        body += f", reversing\nchanges made to {plan.parent}"
    return f'Revert "{plan.subject}"\n\n{body}.\n'


def _check_state(repo: GitRepo, plan: _Plan, branch: bool) -> str:
    """The branch to move (``""`` with --branch); raise RevertRefused when unsafe."""
    if plan.conflicts:
        listed = "\n  ".join(plan.conflicts)
        raise RevertRefused(
            f"reverting {plan.sha[:12]} conflicts with later changes; nothing was changed."
            f" Conflicting files:\n  {listed}"
        )
    if not plan.tree or plan.tree == repo.handle.commit(plan.head).tree.hexsha:
        raise RevertRefused(f"nothing to revert: the changes of {plan.sha[:12]} are already undone")
    if branch:
        return ""
    if repo.handle.head.is_detached:
        raise RevertRefused("HEAD is detached: use --branch to put the revert on a new branch")
    current = repo.handle.head.reference.path
    if repo.handle.bare:
        return current
    busy = _operation_in_progress(repo)
    if busy:
        raise RevertRefused(f"{busy} is in progress: finish or abort it first")
    dirty = _dirty_files(repo)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise RevertRefused(
            f"the work tree has uncommitted changes ({shown}): commit or stash them, or use"
            " --branch to make the revert on a new branch without touching your work tree"
        )
    return current


def _create_commit(repo: GitRepo, plan: _Plan) -> str:
    """``git commit-tree``, which refuses (as ``git revert`` would) when git does not know
    who the user is, where GitPython's Commit.create_from_tree would invent an identity."""
    try:
        out = _git(repo).commit_tree(plan.tree, "-p", plan.head, "-m", _message(plan))
    except git.GitCommandError as exc:
        stderr = stderr_text(exc)
        if "identity" in stderr or "tell me who you are" in stderr.lower():
            raise RevertRefused(
                "git does not know who you are: set user.name and user.email"
                " (git config user.name ...; git config user.email ...)"
            ) from None
        raise RevertRefused(f"cannot create the revert commit: {failure_text(exc)}") from None
    return str(out).strip()


def _move(repo: GitRepo, plan: _Plan, commit: str, current: str, branch: bool) -> str:
    """Point a branch at the revert commit; return the branch's short name."""
    run = _git(repo)
    if branch:
        name = BRANCH_PREFIX + plan.sha[:7]
        try:
            run.update_ref(f"refs/heads/{name}", commit, NULL_SHA)
        except git.GitCommandError:
            raise RevertRefused(
                f"branch {name} already exists: delete or rename it first"
            ) from None
        return name
    name = current.removeprefix("refs/heads/")
    # The ref moves first, in one compare-and-swap; only then the index and work tree
    # follow (a clean tree was checked). If they cannot, the ref is put back: the repo is
    # never left half-way (a plain `merge --ff-only` updates files before the ref).
    try:
        run.update_ref("-m", "driftui revert", current, commit, plan.head)
    except git.GitCommandError as exc:
        message = failure_text(exc)
        raise RevertRefused(f"could not move {name} to the revert commit: {message}") from None
    if not repo.handle.bare:
        try:
            run.read_tree("-m", "-u", plan.head, commit)
        except git.GitCommandError as exc:
            with contextlib.suppress(git.GitCommandError):
                run.update_ref("-m", "driftui revert undone", current, plan.head, commit)
            message = failure_text(exc)
            raise RevertRefused(
                f"could not update the work tree, {name} is unchanged: {message}"
            ) from None
    return name


def apply_revert(
    repo_path: str,
    sha: str,
    *,
    gate: MutationGate,
    branch: bool = False,
    push: bool = False,
    remote: str = "origin",
    mainline: int | None = None,
) -> RevertOutcome:
    """Revert ``sha`` as a new commit on the current branch (or on a new branch).

    Raises :class:`RevertRefused` (repository untouched) when the revert is not safe, and
    ``MutationRefused`` in read-only mode. A failed push keeps the local commit and is
    reported in the outcome, not raised.
    """
    gate.check("revert")
    if push:
        gate.check("push")
    repo = _open(repo_path)
    plan = _plan(repo, sha, mainline)
    current = _check_state(repo, plan, branch)
    commit = _create_commit(repo, plan)
    name = _move(repo, plan, commit, current, branch)
    outcome = RevertOutcome(commit=commit, reverted=plan.sha, branch=name, new_branch=branch)
    if not push:
        return outcome
    try:
        remote_branch, error = push_branch(repo, name, remote, branch, PUSH_TIMEOUT)
    except KeyboardInterrupt:  # the push is stopped with its process group; say what is left
        remote_branch = ""
        error = f"interrupted: revert commit {commit[:12]} is on branch {name}, not pushed"
    return RevertOutcome(
        commit=commit,
        reverted=plan.sha,
        branch=name,
        new_branch=branch,
        pushed=not error,
        remote=remote,
        remote_branch=remote_branch,
        push_error=error,
    )
