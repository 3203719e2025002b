"""Where the current directory sits in a local work tree: the default ``--path``.

As in git, a command started inside ``guestbook/`` of a work tree concerns that directory:
``driftui diff`` there compares guestbook's objects, not the whole repository's.
"""

from __future__ import annotations

import os

import git

from driftui.source.git_repo import is_remote_url, repo_handle


def cwd_prefix(repo: str, cwd: str | None = None) -> str:
    """The repo path of ``cwd`` when ``repo`` is a local work tree that contains it, else "".

    ``""`` too for the work tree's root, a bare repository, a URL, or a cwd elsewhere.
    """
    if is_remote_url(repo) or not os.path.isdir(repo):
        return ""
    try:
        handle = repo_handle(repo)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
        return ""
    if handle.working_tree_dir is None:  # a bare repository
        return ""
    top = os.path.realpath(handle.working_tree_dir)
    here = os.path.realpath(cwd or os.getcwd())
    if here != top and not here.startswith(top + os.sep):
        return ""
    rel = os.path.relpath(here, top)
    return "" if rel == "." else rel.replace(os.sep, "/")


def is_work_tree(repo: str) -> bool:
    """Whether ``repo`` is a local Git work tree (or inside one): plain ``driftui`` outside
    one has no repository to compare, and opens on the cluster's apps instead."""
    if is_remote_url(repo) or not os.path.isdir(repo):
        return False
    try:
        return repo_handle(repo).working_tree_dir is not None
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
        return False
