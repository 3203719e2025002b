"""The bounds a load and a render stay within: repository content is untrusted.

A branch under review can hold an alias bomb, a chart that loops forever, 200k files or a
kustomization that fetches from the network. Each limit here ends in a LoadProblem naming
the file, never in a crash, an OOM or a hang; the user (never the repository) can change
the render limits from the command line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MiB = 1024 * 1024
DEFAULT_RENDER_TIMEOUT = 120.0
DEFAULT_RENDER_MEMORY = 4096 * MiB  # address space per renderer: Go alone reserves ~1.2 GiB
DEFAULT_RENDER_OUTPUT = 64 * MiB
MAX_FILES = 50_000  # manifest files read per load
MAX_BYTES = 256 * MiB  # manifest bytes read from Git per load
MAX_TREE_FILES = 100_000  # files written out for renderers
MAX_TREE_BYTES = 1024 * MiB
ALLOW_REMOTE_ENV = "DRIFTUI_ALLOW_REMOTE_BASES"


@dataclass(frozen=True)
class RenderPolicy:
    """How renderers run: bounded in time, memory and output, and whether they may fetch."""

    timeout: float = DEFAULT_RENDER_TIMEOUT
    memory_bytes: int = DEFAULT_RENDER_MEMORY
    max_output_bytes: int = DEFAULT_RENDER_OUTPUT
    allow_remote_bases: bool = False
    user_git_config: bool = False  # remote bases fetch with the user's git config/credentials


@dataclass(frozen=True)
class LoadLimits:
    """How much of a repository one load reads (plain files) and writes out (renders)."""

    max_files: int = MAX_FILES
    max_bytes: int = MAX_BYTES
    max_tree_files: int = MAX_TREE_FILES
    max_tree_bytes: int = MAX_TREE_BYTES


DEFAULT_POLICY = RenderPolicy()
DEFAULT_LIMITS = LoadLimits()


def remote_bases_from_env() -> bool:
    """``DRIFTUI_ALLOW_REMOTE_BASES=1``: the user's own setting, like DRIFTUI_READ_ONLY."""
    return os.environ.get(ALLOW_REMOTE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def mib(size: int) -> str:
    """A size for a message: ``3 MiB``, or bytes when it is less than one."""
    return f"{size / MiB:g} MiB" if size >= MiB else f"{size:,} bytes"
