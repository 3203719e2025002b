"""Work done in a forked copy of this process, its answer sent back pickled.

The Python work of a scan holds the interpreter lock, so threads cannot use a second core;
a second process can. A fork costs a few milliseconds and starts with everything this
process already holds (a many-cluster scan's one load of the repository), where a new
interpreter would import and load it all again. A fork is only safe while this process
runs no other thread: a lock another thread held (a connection pool's, a logging
handler's) would stay locked forever in the copy. So :func:`forked` refuses (None) while
any other thread is alive, and the caller does the work itself.

The copy never returns into its caller's code: whatever happens, it ends with
``os._exit``, so no ``finally`` or ``atexit`` of the parent (a test's control plane
teardown, a flush of buffered output) runs twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

_CHUNK = 1 << 20


def alone(patience: float = 0.2) -> bool:
    """Does this process run one thread only (every OS thread counted, not only Python's)?

    Threads that are ending get ``patience`` seconds to go: one Python has joined may still
    be ending in the kernel for a moment (right after a pool's threads are joined), and a
    cancelled timer ends unjoined (GitPython cancels one after every git command it waits
    for: right after one, a fork was refused one time in four). Any other thread means no
    fork, at once."""
    end = time.monotonic() + patience
    while True:
        try:
            tasks = len(os.listdir("/proc/self/task"))
        except OSError:  # no /proc (not Linux): no fork
            return False
        if tasks == 1:
            return True
        if not all(map(_ending, threading.enumerate())) or time.monotonic() >= end:
            return False
        time.sleep(0.005)


def _ending(thread: threading.Thread) -> bool:
    """Is ``thread`` this one, or one that ends without anyone's help (a cancelled timer)?"""
    if thread is threading.current_thread():
        return True
    return isinstance(thread, threading.Timer) and thread.finished.is_set()


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def forked(work: Callable[[], T]) -> Forked[T] | None:
    """``work()`` started in a forked copy of this process; None when a fork is not safe
    (another thread runs) or not possible."""
    if not hasattr(os, "fork") or not alone():
        return None
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the copy
        os.close(read)
        _serve(work, write)
    os.close(write)
    return Forked(pid, read)


def _serve(work: Callable[[], object], out: int) -> None:
    """Run ``work`` and write its pickled answer to ``out``; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the copy with its parent
        data = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(out, data) :]
        code = 0
    except BaseException:  # the parent falls back to doing the work itself
        pass
    finally:
        os._exit(code)


class Forked(Generic[T]):
    """A forked copy at work; :meth:`answer` waits for what it sends back."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self._pipe = pipe
        self._done = False

    def answer(self) -> T | None:
        """The copy's answer; None if it failed in any way (the caller does the work)."""
        chunks = []
        try:
            while chunk := os.read(self._pipe, _CHUNK):
                chunks.append(chunk)
        except OSError:
            chunks = []
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped by someone else: its status is unknown
            status = 1 << 8
        self._done = True
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not chunks:
            return None
        try:
            answer: T = pickle.loads(b"".join(chunks))  # our own copy's, just now
        except Exception:  # a torn answer is no answer
            return None
        return answer

    def close(self) -> None:
        """End the copy if it still runs (the caller stopped waiting), and reap it."""
        os.close(self._pipe)
        if not self._done:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self._done = True

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
