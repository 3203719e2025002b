"""What ``driftui --version`` says: the version, the Git commit it was built from, and the
versions of the libraries whose behaviour it depends on (for bug reports).

The commit is looked for in three places, and the output says which one answered:

1. ``driftui/_build_info.py``, written into the wheel by ``setup.py`` when it is built from
   a Git checkout (``pip wheel .``, ``pipx install .``, ``python -m build``);
2. pip's ``direct_url.json`` for an install from a VCS URL (``pip install git+…@sha``);
3. for an editable install (``pip install -e .``), the checkout itself (``git rev-parse``).

Library versions come from package metadata: nothing is imported (the core never loads textual).
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from driftui import __version__

LIBRARIES = ("kubernetes", "textual", "GitPython")


@dataclass(frozen=True)
class BuildCommit:
    sha: str
    origin: str  # "recorded at build time", "pip direct_url.json", "editable checkout"


def _recorded() -> BuildCommit | None:
    try:
        module = importlib.import_module("driftui._build_info")
    except ImportError:
        return None
    sha = getattr(module, "COMMIT", "")
    return BuildCommit(sha, "recorded at build time") if isinstance(sha, str) and sha else None


def _direct_url() -> dict[str, Any]:
    from importlib import metadata  # for --version alone: every other run skips its imports

    try:
        text = metadata.distribution("driftui").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return {}
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _git_head(directory: Path) -> str:
    """The checkout's HEAD commit, read by GitPython from the refs (no git process is run)."""
    import git  # only for an editable install, so --version stays light otherwise

    try:
        return str(git.Repo(directory).head.commit.hexsha)
    except (git.GitError, OSError, ValueError):
        return ""


def _from_direct_url(data: dict[str, Any]) -> BuildCommit | None:
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("commit_id"), str):
        return BuildCommit(vcs["commit_id"], "pip direct_url.json")
    dir_info = data.get("dir_info")
    url = data.get("url")
    if isinstance(dir_info, dict) and dir_info.get("editable") and isinstance(url, str):
        parsed = urlparse(url)
        sha = _git_head(Path(unquote(parsed.path))) if parsed.scheme == "file" else ""
        return BuildCommit(sha, "editable checkout") if sha else None
    return None


def build_commit() -> BuildCommit | None:
    """The commit driftui was built from, when anything knows it."""
    return _recorded() or _from_direct_url(_direct_url())


def library_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_text() -> str:
    commit = build_commit()
    lines = [f"driftui {__version__}"]
    lines.append(f"commit {commit.sha} ({commit.origin})" if commit else "commit unknown")
    lines += [f"{name} {library_version(name)}" for name in LIBRARIES]
    lines.append(f"Python {platform.python_version()}")
    return "\n".join(lines) + "\n"


class VersionAction(argparse.Action):
    """``--version``: print everything above and exit 0, as argparse's own version action."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("nargs", 0)
        kwargs.setdefault("default", argparse.SUPPRESS)
        kwargs.setdefault("help", "print the version, build commit and library versions, and exit")
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        sys.stdout.write(version_text())  # stdout, as argparse's own version action
        parser.exit(0)
