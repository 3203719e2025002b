"""Where the current directory sits in a local work tree: the default ``--path``.

As in git, a command started inside ``guestbook/`` of a work tree concerns that directory:
``driftui diff`` there compares guestbook's objects, not the whole repository's.
"""

from __future__ import annotations

import os

from driftui.source.git_repo import LOCAL_TIMEOUT, git_env, is_remote_url, run_command


def cwd_prefix(repo: str, cwd: str | None = None) -> str:
    """The repo path of ``cwd`` when ``repo`` is a local work tree that contains it, else "".

    ``""`` too for the work tree's root, a bare repository, a URL, or a cwd elsewhere.
    """
    if is_remote_url(repo) or not os.path.isdir(repo):
        return ""
    argv = ["git", "-C", repo, "rev-parse", "--show-toplevel"]
    try:
        done = run_command(argv, timeout=LOCAL_TIMEOUT, env=git_env())
    except OSError:
        return ""
    if done.returncode != 0:
        return ""
    top = os.path.realpath(done.stdout.decode("utf-8", "surrogateescape").strip())
    here = os.path.realpath(cwd or os.getcwd())
    if here != top and not here.startswith(top + os.sep):
        return ""
    rel = os.path.relpath(here, top)
    return "" if rel == "." else rel.replace(os.sep, "/")
