"""The repository map: which local checkout stands in for which app repository.

``--repo-map URL=PATH`` says it for one run; ``repoMap: {URL: PATH}`` in the user's own
``$XDG_CONFIG_HOME/driftui/config.yaml`` says it for every run, so a developer who always
works from the same checkouts need not retype them. The flags win over the file. The file
is the user's, never a repository's: what it maps is theirs to read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from driftui.errors import DriftuiError
from driftui.gitops.app_source import parse_repo_map, repo_key

USER_CONFIG = "config.yaml"


class UserConfigError(DriftuiError):
    """The user config file cannot be read: the message names the file."""


def user_config_file() -> Path:
    """``$XDG_CONFIG_HOME/driftui/config.yaml`` (``~/.config`` when unset), beside the
    snapshot key."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "driftui" / USER_CONFIG


def configured_repo_map(path: Path | None = None) -> dict[str, str]:
    """The file's ``repoMap``, keyed as :func:`parse_repo_map` keys; none without a file."""
    path = path or user_config_file()
    data = _read(path)
    if data is None:
        return {}
    found = data.get("repoMap")
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise UserConfigError(f"{path}: repoMap must be a mapping of repository URL to path")
    out: dict[str, str] = {}
    for url, local in found.items():
        if not isinstance(url, str) or not url.strip():
            raise UserConfigError(f"{path}: repoMap: {url!r} is not a repository URL")
        if not isinstance(local, str) or not local.strip():
            raise UserConfigError(f"{path}: repoMap: {url!r}: expected a local path")
        out[repo_key(url.strip())] = os.path.expanduser(local.strip())
    return out


def merged_repo_map(flags: Iterable[str]) -> dict[str, str]:
    """The user config file's map, with ``--repo-map`` flags over it."""
    return configured_repo_map() | parse_repo_map(flags)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserConfigError(f"cannot read {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UserConfigError(f"{path}: not valid YAML{line}") from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise UserConfigError(f"{path}: expected a mapping of settings at the top")
    return data
