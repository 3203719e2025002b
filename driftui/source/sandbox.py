"""Run a renderer bounded in time, memory and output: the repository decides what it does.

A chart looping ``until 2000000000`` grew helm to 24 GB, and a kustomization with a remote
base ran ``git fetch`` with the user's credentials. So each renderer runs without a shell,
in its own process group (killed whole when it times out or writes too much), under an
address-space limit set in the child before ``exec``. Its stdout is read up to a cap.

git, if kustomize starts it, may not fetch at all unless remote bases are allowed
(``GIT_ALLOW_PROTOCOL`` names no protocol); when they are, it runs with no global or system
config, no credential helper, no prompt and no SSH agent or keys, unless the user asks
for their own git configuration.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BufferedReader

from driftui.errors import DriftuiError
from driftui.source.git_process import git_env
from driftui.source.limits import RenderPolicy, mib

_STDERR_KEPT = 64 * 1024
_CHUNK = 1 << 16
_JOIN_SECONDS = 10.0
_NETWORK_PROTOCOLS = "https:http:ssh:git"
_ISOLATED_SSH = (
    "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityFile=none"
    " -o IdentityAgent=none"
)


class LimitExceeded(DriftuiError):
    """The renderer passed a bound; the message says which, for a LoadProblem."""


class ToolFailed(Exception):
    """A tool a render runs could not start, passed a bound, or failed: the message is the
    one line that says which and why (for a LoadProblem)."""


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: bytes
    stderr: bytes


def renderer_env(policy: RenderPolicy, home: str) -> dict[str, str]:
    """The environment of a renderer: nothing from the user's git that repository content
    could use (config, credentials, agent) unless ``policy.user_git_config``."""
    env = git_env()
    # Network transports only: file:// would clone a repository elsewhere on the host and
    # ext:: runs a command. A name no transport has stops every fetch.
    env["GIT_ALLOW_PROTOCOL"] = _NETWORK_PROTOCOLS if policy.allow_remote_bases else "none"
    if policy.allow_remote_bases and policy.user_git_config:
        return env
    for name in ("SSH_AUTH_SOCK", "SSH_ASKPASS", "GIT_ASKPASS", "GIT_SSH", "GIT_PROXY_COMMAND"):
        env.pop(name, None)
    env.update(
        HOME=home,  # no ~/.netrc, ~/.ssh or ~/.gitconfig
        XDG_CONFIG_HOME=home,
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_SSH_COMMAND=_ISOLATED_SSH,
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="credential.helper",
        GIT_CONFIG_VALUE_0="",
    )
    return env


def run_bounded(
    argv: Sequence[str], *, policy: RenderPolicy, cwd: str, env: dict[str, str]
) -> Finished:
    """Run ``argv`` to its end within ``policy``'s bounds, or raise LimitExceeded."""
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=_address_space_limit(policy.memory_bytes),
    )
    assert isinstance(proc.stdout, BufferedReader) and isinstance(proc.stderr, BufferedReader)
    out = _Reader(proc.stdout, policy.max_output_bytes, lambda: _kill_group(proc))
    err = _Reader(proc.stderr, _STDERR_KEPT, None)
    try:
        proc.wait(timeout=policy.timeout)
    except subprocess.TimeoutExpired:
        raise LimitExceeded(f"timed out after {policy.timeout:g}s") from None
    finally:  # also on Ctrl-C: the renderer and whatever it started go with us
        _kill_group(proc)  # its whole group, so nothing keeps the pipes open
        out.join(_JOIN_SECONDS)
        err.join(_JOIN_SECONDS)
        proc.wait()
    if out.overflow:
        raise LimitExceeded(f"wrote more than {mib(policy.max_output_bytes)} of output")
    stderr = err.data()
    if proc.returncode != 0 and _out_of_memory(stderr):
        raise LimitExceeded(f"ran out of its memory limit ({mib(policy.memory_bytes)})")
    return Finished(proc.returncode, out.data(), stderr)


def run_tool(
    argv: Sequence[str], what: str, *, policy: RenderPolicy, cwd: str, env: dict[str, str]
) -> Finished:
    """:func:`run_bounded`, a bound passed or a binary that cannot start said as ToolFailed
    naming ``what``: "WHAT: timed out after 30s", "cannot run WHAT: No such file…"."""
    try:
        return run_bounded(argv, policy=policy, cwd=cwd, env=env)
    except LimitExceeded as exc:
        raise ToolFailed(f"{what}: {exc}") from None
    except OSError as exc:
        raise ToolFailed(f"cannot run {what}: {exc.strerror}") from None


def _address_space_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec: no locks, no allocation
        with contextlib.suppress(ValueError, OSError):  # a platform without RLIMIT_AS
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _out_of_memory(stderr: bytes) -> bool:
    text = stderr.lower()
    return b"out of memory" in text or b"cannot allocate memory" in text


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class _Reader:
    """Reads a pipe on a thread, keeping up to ``cap`` bytes; past it, calls ``on_overflow``
    (which kills the writer) or, without one, keeps reading and drops the rest."""

    def __init__(
        self, pipe: BufferedReader, cap: int, on_overflow: Callable[[], None] | None
    ) -> None:
        self.pipe = pipe
        self.cap = cap
        self.on_overflow = on_overflow
        self.chunks: list[bytes] = []
        self.size = 0
        self.overflow = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.pipe.read1(_CHUNK):
                if self.size + len(chunk) > self.cap:
                    self.overflow = True
                    if self.on_overflow is not None:
                        self.on_overflow()
                        return
                    continue
                self.chunks.append(chunk)
                self.size += len(chunk)

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)
        with contextlib.suppress(OSError):
            self.pipe.close()

    def data(self) -> bytes:
        return b"".join(self.chunks)


def tool_message(stderr: bytes, root: str) -> str:
    """The tool's first lines, with the temporary directory ``root`` shown as ``.``."""
    text = stderr.decode("utf-8", "replace").replace(root + os.sep, "").replace(root, ".")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = "; ".join(lines[:3]) or "no message"
    return message if len(message) <= 400 else message[:399] + "…"
