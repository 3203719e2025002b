"""A reader that stops reading (`driftui diff | head`) ends the command quietly, as it ends
git and kubectl: exit 141 (128 + SIGPIPE), nothing on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from driftui.cli.exits import EXIT_CLOSED_PIPE, EXIT_DRIFT
from driftui.demo import DEMO_KEY_PHRASE, DemoFixture, build_demo
from driftui.live.snapshot_key import KEY_ENV


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFixture:
    return build_demo(tmp_path_factory.mktemp("demo"))


def diff(demo: DemoFixture, stdout: int) -> subprocess.CompletedProcess[bytes]:
    argv = ["diff", "--repo", str(demo.repo), "--live", str(demo.snapshot)]
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        env={**os.environ, KEY_ENV: DEMO_KEY_PHRASE},
    )


def test_a_reader_gone_before_the_diff_is_written_ends_it_quietly(demo: DemoFixture) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line: each write fails
    try:
        closed = diff(demo, write)
    finally:
        os.close(write)
    assert closed.stderr == b""  # neither "error: Broken pipe" nor "Exception ignored"
    assert closed.returncode == EXIT_CLOSED_PIPE


def test_a_reader_that_stays_gets_the_whole_diff(demo: DemoFixture) -> None:
    whole = diff(demo, subprocess.PIPE)
    assert whole.returncode == EXIT_DRIFT, whole.stderr
    assert whole.stdout.count(b"\n+++ live/") >= 6
