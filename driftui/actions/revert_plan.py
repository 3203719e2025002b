"""The in-memory revert: what ``git revert SHA`` would make of HEAD, computed without a write.

``git merge-tree`` merges HEAD with the reverted commit's parent tree, the reverted commit
as merge base (the same three-way merge ``git revert`` does). Every object it writes goes to
a scratch object directory (:func:`scratch`) that vanishes afterwards, so planning, and
therefore a preview, leaves the repository exactly as it was. All git runs through the
repository's GitPython handle.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import git

from driftui.errors import DriftuiError
from driftui.source.git_log import subject_of
from driftui.source.git_process import failure_text
from driftui.source.git_repo import GitRepo, SourceError, open_local

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
# The throwaway commit that carries the "theirs" side of the merge: fixed identity and
# date so that previews of the same revert reuse one object.
SCRATCH_IDENTITY = {
    "GIT_AUTHOR_NAME": "driftui",
    "GIT_AUTHOR_EMAIL": "driftui@localhost",
    "GIT_AUTHOR_DATE": "@0 +0000",
    "GIT_COMMITTER_NAME": "driftui",
    "GIT_COMMITTER_EMAIL": "driftui@localhost",
    "GIT_COMMITTER_DATE": "@0 +0000",
}


class RevertRefused(DriftuiError):
    """The revert was not made; the repository is exactly as it was. The message says why."""


# -- running git (all of it through the repository's GitPython handle) ------------------


def git_of(repo: GitRepo) -> git.Git:
    return repo.handle.git


def git_out(repo: GitRepo, *args: str, **kwargs: Any) -> str:
    """A git command's stdout; RevertRefused (redacted, one line) when it fails."""
    try:
        out = getattr(git_of(repo), args[0].replace("-", "_"))(*args[1:], **kwargs)
    except git.GitCommandError as exc:
        raise RevertRefused(f"git {args[0]}: {failure_text(exc)}") from None
    return str(out).strip()


def resolve_commit(repo: GitRepo, rev: str, what: str) -> str:
    if not rev or rev.startswith("-"):
        raise RevertRefused(f"invalid {what} {rev!r}")
    try:
        out = git_of(repo).rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except git.GitCommandError:
        raise RevertRefused(f"{what} {rev!r} is not a commit in {repo.display}") from None
    return str(out).strip()


def open_for_revert(repo_path: str) -> GitRepo:
    try:
        return open_local(repo_path)
    except SourceError:
        raise RevertRefused(f"{repo_path!r} is not a Git repository") from None


@contextlib.contextmanager
def scratch(repo: GitRepo) -> Iterator[GitRepo]:
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
class Plan:
    sha: str
    parent: str  # the parent reverted to ("" for a root commit)
    mainline: int | None
    subject: str
    head: str
    tree: str
    conflicts: tuple[str, ...]


def plan_revert(repo: GitRepo, sha: str, mainline: int | None) -> Plan:
    commit = resolve_commit(repo, sha, "commit")
    head = resolve_commit(repo, "HEAD", "HEAD")
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
    theirs = git_out(
        repo, "commit-tree", parent_tree, "-p", commit, "-m", "driftui revert scratch",
        env=SCRATCH_IDENTITY,
    )  # fmt: skip
    status, out, err = git_of(repo).merge_tree(
        "--write-tree", "--name-only", "-z", "--no-messages", head, theirs,
        with_extended_output=True, with_exceptions=False, stdout_as_string=False,
    )  # fmt: skip
    if status not in (0, 1):
        raise RevertRefused(f"cannot compute the revert of {commit[:12]}: {repo.clean(str(err))}")
    tokens = [t for t in bytes(out).decode("utf-8", "surrogateescape").split("\0") if t]
    conflicts = tuple(dict.fromkeys(tokens[1:])) if status == 1 else ()
    return Plan(commit, parent, used, subject, head, tokens[0] if tokens else "", conflicts)
