"""Cold scans for benchmarks: nothing parsed kept, in memory or on disk.

Parsed blobs are kept on disk between runs (driftui.source.parse_store), so a benchmark
that times a "cold" scan after another of the same repository must forget both."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from driftui.source.blobs import PARSE_CACHE
from driftui.source.git_repo import default_cache_root
from tests.cluster import build


def own_cache(work: Path) -> None:
    """This benchmark's own cache directory (XDG_CACHE_HOME), inside its work directory
    and not the user's; the test binaries stay found where they were built."""
    os.environ.setdefault("DRIFTUI_TESTBIN", str(build.cache_root()))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")


def forget_parsed() -> None:
    PARSE_CACHE.clear()
    shutil.rmtree(default_cache_root() / "parsed", ignore_errors=True)


def user_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a CLI run as a user's: Python writes its bytecode caches (a shell
    that forbids them, PYTHONDONTWRITEBYTECODE, would time compiling every changed module
    in every run), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}
