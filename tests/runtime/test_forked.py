"""Work in a forked copy: its answer comes back, any failure of it is no answer, and no
copy is made while another thread runs. The copies run in a fresh interpreter, since a
test process may run threads of its own (pytest-xdist's channel)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from driftui.runtime.forked import forked

ROOT = Path(__file__).resolve().parents[2]


def in_fresh_interpreter(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    return done.stdout.strip()


def test_the_copy_answers_with_what_it_made_from_this_process_memory() -> None:
    out = in_fresh_interpreter(
        """
        import os
        from driftui.runtime.forked import forked
        held = {"loaded": list(range(5))}  # made before the fork: the copy has it
        copy = forked(lambda: (os.getpid(), sum(held["loaded"])))
        assert copy is not None
        with copy:
            pid, total = copy.answer()
        print(pid != os.getpid(), total)
        """
    )
    assert out == "True 10"


def test_a_copy_that_raises_or_dies_answers_nothing_and_never_runs_the_callers_code() -> None:
    out = in_fresh_interpreter(
        """
        import os, signal
        from driftui.runtime.forked import forked
        parent = os.getpid()
        answers = []
        def fails():
            raise RuntimeError("boom")
        def dies():
            os.kill(os.getpid(), signal.SIGKILL)
        for work in (fails, dies):
            try:
                copy = forked(work)
                assert copy is not None
                with copy:
                    answers.append(copy.answer())
            finally:
                print("finally in", "parent" if os.getpid() == parent else "copy")
        print(answers)
        """
    )
    assert out.splitlines() == ["finally in parent", "finally in parent", "[None, None]"]


def test_no_copy_is_made_while_another_thread_runs() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert forked(lambda: 1) is None
    finally:
        release.set()
        other.join()


def forks_made_right_after(setup: str, threads: str) -> int:
    """Copies made in 20 tries, each right after ``threads`` (code, run after ``setup``
    in a fresh interpreter) has started and ended threads of its own."""
    code = (
        "from driftui.runtime.forked import forked\n"
        f"{setup}\n"
        "made = 0\n"
        "for _ in range(20):\n"
        f"    {threads}\n"
        "    copy = forked(lambda: 1)\n"
        "    if copy is not None:\n"
        "        with copy:\n"
        "            made += copy.answer() or 0\n"
        "print(made)\n"
    )
    return int(in_fresh_interpreter(code))


def test_a_copy_is_made_right_after_the_threads_of_a_pool_are_joined() -> None:
    # A joined thread may still be listed by the kernel for a moment: a scan's LIST and
    # cluster pools have just ended when the copy is forked.
    setup = "from concurrent.futures import ThreadPoolExecutor"
    pool = "with ThreadPoolExecutor(8) as pool: list(pool.map(abs, range(64)))"
    assert forks_made_right_after(setup, pool) == 20


def test_a_copy_is_made_right_after_a_git_command_that_gitpython_timed() -> None:
    # GitPython starts a timer beside every git command it waits for (kill_after_timeout)
    # and cancels it unjoined; right after one, one fork in four was refused.
    setup = "from driftui.source.git_process import BoundedGit; git = BoundedGit()"
    command = 'git.execute(["git", "--version"])'
    assert forks_made_right_after(setup, command) == 20


def test_no_copy_is_made_while_a_timer_still_waits() -> None:
    timer = threading.Timer(60, lambda: None)
    timer.start()
    try:
        assert forked(lambda: 1) is None
    finally:
        timer.cancel()
        timer.join()
