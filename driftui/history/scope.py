"""Which files a walk looks at, and asking git about exactly those and no others.

Paths go to git as ``:(literal)`` pathspecs: a file named ``*.yaml`` or ``:x`` is a name,
never a pattern.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftui.history.entry import HistoryError
from driftui.source.git_log import LoggedCommit, log
from driftui.source.git_repo import GitRepo
from driftui.source.yaml_loader import is_manifest_path


def in_scope(path: str, scope: str) -> bool:
    return is_manifest_path(path) and (not scope or path == scope or path.startswith(scope + "/"))


def literal(paths: Iterable[str]) -> list[str]:
    """Pathspecs that match exactly these paths; an empty path means the whole tree."""
    out = []
    for p in paths:
        if not p:
            return []
        out.append(f":(literal){p}")
    return out


def log_touching(repo: GitRepo, rev: str, paths: Iterable[str]) -> list[LoggedCommit]:
    """The commits reachable from ``rev`` that touched any of ``paths``, newest first."""
    return log(repo, rev, literal(sorted(paths)))


def grep_candidates(repo: GitRepo, commit: str, name: str, scope: str) -> list[str]:
    """Files at ``commit`` whose text contains the object's name: cheap before parsing."""
    status, out, err = repo.handle.git.grep(
        "-l", "-z", "-F", "--no-color", "-e", name, commit, "--", *literal([scope]),
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
