"""--concurrency: how many dry-runs a server-side scan keeps in flight; a count, at least one."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.cli import build_parser
from driftui.cli.flags import options_from
from driftui.engine.options import DEFAULT_CONCURRENCY


def concurrency(*argv: str) -> int:
    return options_from(build_parser().parse_args(list(argv))).concurrency


def test_sixteen_unless_told_before_or_after_the_verb() -> None:
    assert concurrency("report") == DEFAULT_CONCURRENCY == 16
    assert concurrency("report", "--concurrency", "4") == 4
    assert concurrency("--concurrency", "1", "diff") == 1


@given(st.integers(max_value=0).map(str) | st.text().filter(lambda t: not t.strip().isdigit()))
def test_anything_but_a_positive_count_is_a_usage_error(value: str) -> None:
    said = io.StringIO()
    with pytest.raises(SystemExit) as exited, contextlib.redirect_stderr(said):
        build_parser().parse_args(["report", f"--concurrency={value}"])
    assert exited.value.code == 2
    assert "--concurrency: must be a positive whole number" in said.getvalue()


@pytest.mark.parametrize("value", ["0", "-3"])
def test_the_command_exits_2_and_says_why(value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "driftui", "report", "--concurrency", value],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--concurrency: must be a positive whole number" in done.stderr
