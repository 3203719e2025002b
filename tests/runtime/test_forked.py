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


def test_a_copy_is_made_right_after_the_threads_of_a_pool_are_joined() -> None:
    # A joined thread may still be listed by the kernel for a moment: a scan's LIST and
    # cluster pools have just ended when the copy is forked.
    out = in_fresh_interpreter(
        """
        from concurrent.futures import ThreadPoolExecutor
        from driftui.runtime.forked import forked
        made = 0
        for _ in range(20):
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(abs, range(64)))
            copy = forked(lambda: 1)
            if copy is not None:
                with copy:
                    made += copy.answer() or 0
        print(made)
        """
    )
    assert out == "20"
