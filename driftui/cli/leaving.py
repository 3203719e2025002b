"""Leaving the process as soon as a command is done, without tearing its heap down.

A scan of 10,000 objects leaves a heap of a few hundred MB, and the interpreter's exit frees
it object by object, then every module: CPU no user waits for, since the output is written.
So the program (not the tests, which call :func:`driftui.cli.main` in-process) ends with
``os._exit`` once the command has returned: its files are written and closed by then. The
exit handlers still run first (the kubernetes client deletes the certificate files it wrote,
logging flushes), and the exit code is the command's.

Where that is not safe, the process exits as it always did: output that cannot be flushed
(a closed pipe: the interpreter reports it, as before), or a thread still running (the
interpreter waits for it).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def _flushed() -> bool:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream
        return False
    return True


def _threads_running() -> bool:
    """A thread other than this one that the interpreter would wait for at exit."""
    current = threading.current_thread()
    return any(t is not current and not t.daemon and t.is_alive() for t in threading.enumerate())


def leave(code: int) -> int:
    """End the process with ``code`` now, after the exit handlers; where that is not safe,
    return ``code`` for the caller to exit with as usual."""
    if not _flushed() or _threads_running():
        return code
    atexit._run_exitfuncs()  # what a normal exit runs before tearing down: then no teardown
    if not _flushed():  # an exit handler wrote to a stream that is gone
        return code
    os._exit(code)
