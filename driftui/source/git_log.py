"""Commits and the files they changed: the walk behind per-object history and revert.

The commits come from ``repo.iter_commits(rev, paths=...)`` (one ``rev-list``, which does
the path filtering and history simplification ``git log -- paths`` does); their metadata
from GitPython's ``Commit``, read through the repository's persistent ``cat-file``. What a
commit changed is a diff of its tree against its first parent's, over the whole tree (as
``git log --full-diff``), computed here from tree objects read through ``repo.odb``: equal
subtrees are skipped by SHA, so a commit costs a few tree reads, and no process is started
per commit. Trees are parsed here rather than as GitPython ``Tree`` objects: those refuse
names a hostile tree may hold, and cost several times more on big directories.

Merges list no changes, as ``git log --raw`` shows none for them; renames appear as a
deletion and an addition (the object-level walk finds moved objects either way).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import git
from cachetools import LRUCache

from driftui.source.git_repo import GitRepo, SourceError

NULL_SHA = "0" * 40
_TREE_MODE = "040000"
_TREE_CACHE_ENTRIES = 4096


@dataclass(frozen=True)
class FileChange:
    """A file's blob before (first parent) and after a commit."""

    status: str  # A, M, D, T
    old_path: str
    new_path: str
    old_sha: str
    new_sha: str


@dataclass
class LoggedCommit:
    sha: str
    parents: list[str]
    author: str
    email: str
    date: str  # ISO 8601 author date, as git's %aI
    subject: str
    changes: list[FileChange] = field(default_factory=list)


_Entries = dict[str, tuple[str, str]]  # name -> (mode, sha)
_TREES: LRUCache[str, _Entries] = LRUCache(_TREE_CACHE_ENTRIES)
_TREES_LOCK = threading.Lock()


def parse_tree(data: bytes) -> _Entries:
    """A raw tree object's entries; names as git stores them (surrogate-escaped)."""
    out: _Entries = {}
    offset = 0
    while offset < len(data):
        space = data.index(b" ", offset)
        nul = data.index(b"\0", space)
        mode = data[offset:space].decode().rjust(6, "0")
        name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
        out[name] = (mode, data[nul + 1 : nul + 21].hex())
        offset = nul + 21
    return out


def _tree(repo: GitRepo, sha: str) -> _Entries:
    with _TREES_LOCK:
        cached = _TREES.get(sha)
    if cached is None:
        cached = parse_tree(repo.read_object(sha, "tree"))
        with _TREES_LOCK:
            _TREES[sha] = cached
    return cached


def tree_changes(repo: GitRepo, old_tree: str, new_tree: str) -> list[FileChange]:
    """Every file that differs between two trees (``""`` is the empty tree), recursively."""
    out: list[FileChange] = []
    _diff(repo, old_tree, new_tree, "", out)
    return out


def _diff(repo: GitRepo, old_tree: str, new_tree: str, prefix: str, out: list[FileChange]) -> None:
    old = _tree(repo, old_tree) if old_tree else {}
    new = _tree(repo, new_tree) if new_tree else {}
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        path = prefix + name
        old_sub = before[1] if before and before[0] == _TREE_MODE else ""
        new_sub = after[1] if after and after[0] == _TREE_MODE else ""
        if old_sub or new_sub:
            _diff(repo, old_sub, new_sub, path + "/", out)
        old_file = before if before and not old_sub else None
        new_file = after if after and not new_sub else None
        if old_file and new_file:
            status = "M" if old_file[0] == new_file[0] or old_file[1] != new_file[1] else "T"
            out.append(FileChange(status, path, path, old_file[1], new_file[1]))
        elif old_file:
            out.append(FileChange("D", path, path, old_file[1], NULL_SHA))
        elif new_file:
            out.append(FileChange("A", path, path, NULL_SHA, new_file[1]))


def subject_of(message: str) -> str:
    """git's ``%s``: the first paragraph of the message, its lines joined by spaces."""
    return " ".join(line.strip() for line in message.strip().split("\n\n")[0].splitlines())


def _logged(repo: GitRepo, commit: git.Commit) -> LoggedCommit:
    parents = [p.hexsha for p in commit.parents]
    logged = LoggedCommit(
        sha=commit.hexsha,
        parents=parents,
        author=commit.author.name or "",
        email=commit.author.email or "",
        date=commit.authored_datetime.isoformat(),
        subject=subject_of(str(commit.message)),
    )
    if len(parents) <= 1:
        before = _commit_tree(repo, parents[0]) if parents else ""
        logged.changes = tree_changes(repo, before, commit.tree.hexsha)
    return logged


def _commit_tree(repo: GitRepo, sha: str) -> str:
    found = repo.object_at(sha, "")
    if found is None:
        raise SourceError(f"commit {sha[:12]} is missing from {repo.display}")
    return found[1]


def log(repo: GitRepo, rev: str, paths: Sequence[str]) -> list[LoggedCommit]:
    """The commits reachable from ``rev`` that touch ``paths`` (pathspecs; none: all),
    newest first, each with every file it changed."""
    try:
        with repo.lock:
            commits = list(repo.handle.iter_commits(rev, paths=list(paths)))
            return [_logged(repo, c) for c in commits]
    except git.GitCommandError as exc:
        raise repo.error(exc, "rev-list") from None
    except ValueError as exc:  # an object GitPython could not read
        raise SourceError(f"cannot read the history of {repo.display}: {exc}") from None


def blob_shas(repo: GitRepo, commit: str, paths: Sequence[str]) -> dict[str, str]:
    """path -> blob sha at ``commit`` for the paths that exist there."""
    out = {}
    for path in paths:
        found = repo.object_at(commit, path)
        if found is not None:
            out[path] = found[1]
    return out
