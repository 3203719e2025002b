"""How driftui runs git through GitPython: environment, process groups, timeouts, errors.

GitPython starts every git process; this module is the one place that decides how:
- the environment: variables that would point git (and GitPython's own repository
  discovery, which reads them too) at another repository than the one driftui names are
  removed from the process environment, which GitPython copies for every child;
- process groups: each git leads its own, so that a timeout kills git together with the
  helpers it started (``git-remote-https``, ``ssh``);
- timeouts: local commands get GitPython's ``kill_after_timeout``; a clone, which GitPython
  runs without one, is watched by :func:`deadline`;
- errors: a ``GitCommandError`` becomes one redacted line (:func:`failure_text`);
- logs: GitPython's own log lines quote git's stderr verbatim, so they go nowhere.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import git

from driftui.source.redact import redact_text

LOCAL_TIMEOUT = 600.0  # local plumbing on a huge repo is slow but must not hang forever
# Variables that would point git at another repository than the one we name.
GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)
_TIMEOUT_MARKERS = ("timed out", "did not complete in")
_STDERR_DECORATION = re.compile(r"^\s*stderr: '(.*)'\s*$", re.DOTALL)


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a git that driftui starts without GitPython (a renderer's)."""
    env = {k: v for k, v in os.environ.items() if k not in GIT_LOCATION_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for a password nobody will type
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env.update(extra or {})
    return env


def scrub_environment() -> None:
    """Drop the location variables from ``os.environ``: GitPython builds each child's
    environment from it and reads them when it opens a repository. Only mutates when one is
    set (then once), so concurrent copies of the environment are not disturbed later."""
    for name in GIT_LOCATION_VARS:
        if name in os.environ:
            os.environ.pop(name, None)


def _quiet_gitpython() -> None:
    """GitPython logs git's stderr (URLs and all) as warnings that would reach the terminal
    through logging's last-resort handler; driftui reports git's failures itself, redacted."""
    logger = logging.getLogger("git")
    logger.propagate = False
    logger.addHandler(logging.NullHandler())


class _Deadline:
    """Kills the process groups of the git processes started under it when time runs out."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.expired = False
        self._timers: list[threading.Timer] = []

    def watch(self, pid: int) -> None:
        timer = threading.Timer(max(0.0, self.end - time.monotonic()), self._kill, (pid,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _kill(self, pid: int) -> None:
        self.expired = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()


_DEADLINE: ContextVar[_Deadline | None] = ContextVar("driftui_git_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[_Deadline]:
    """Git processes that GitPython starts as streams in this block (a clone) are killed,
    with their helpers, after ``seconds``; ``expired`` then says so."""
    watch = _Deadline(seconds)
    token = _DEADLINE.set(watch)
    try:
        yield watch
    finally:
        _DEADLINE.reset(token)
        watch.cancel()


class BoundedGit(git.Git):
    """``git.Git`` whose processes lead their own process group and never run unbounded:
    a command GitPython waits for gets ``LOCAL_TIMEOUT`` unless the caller set one."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["start_new_session"] = True  # GitPython hands extra keywords to Popen
        if not kwargs.get("as_process"):
            kwargs.setdefault("kill_after_timeout", LOCAL_TIMEOUT)
            return super().execute(*args, **kwargs)
        started = super().execute(*args, **kwargs)
        watch = _DEADLINE.get()
        if watch is not None and started.proc is not None:
            watch.watch(started.proc.pid)
        return started


class BoundedRepo(git.Repo):
    """``git.Repo`` running git through :class:`BoundedGit` (``clone_from`` included)."""

    GitCommandWrapperType = BoundedGit


def stderr_text(exc: git.GitCommandError) -> str:
    """git's own stderr, without GitPython's ``stderr: '...'`` decoration."""
    raw = (
        exc.stderr if isinstance(exc.stderr, str) else bytes(exc.stderr).decode("utf-8", "replace")
    )
    match = _STDERR_DECORATION.match(raw)
    return match.group(1) if match else raw.strip()


def is_timeout(exc: git.GitCommandError) -> bool:
    text = stderr_text(exc)
    return any(marker in text for marker in _TIMEOUT_MARKERS)


def failure_text(exc: Exception, secrets: tuple[str, ...] = ()) -> str:
    """One redacted line saying why git failed: its last ``fatal:``/``error:`` line, else
    its last line of stderr."""
    if isinstance(exc, git.UnsafeProtocolError):
        return "refused: a transport that runs commands (such as ext::) is not allowed"
    if isinstance(exc, git.UnsafeOptionError):
        return "refused: an option that runs commands (such as --upload-pack) is not allowed"
    text = stderr_text(exc) if isinstance(exc, git.GitCommandError) else str(exc)
    lines = [line.strip() for line in redact_text(text, secrets).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("hint:")]
    if not lines:
        return "failed"
    marked = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (marked or lines)[-1]


_quiet_gitpython()
