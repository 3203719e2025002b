"""`driftui diff --color`: pygments highlights the YAML inside +/- lines, following git's
auto/always/never and NO_COLOR; only driftui's own escape codes ever reach the terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from driftui.cli.colour import paint_line, use_colour
from driftui.live.snapshot import Snapshot, write_snapshot
from tests.drift_scenario import write_repo

HOSTILE = "\x1b]0;pwned\x07"


@pytest.fixture
def drift(tmp_path: Path) -> list[str]:
    """A repository and a snapshot that differ in one value, a hostile one live."""
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}}
    repo = tmp_path / "repo"
    write_repo(repo, {"a.yaml": [dict(cm, data={"mode": "calm"})]})
    snap = tmp_path / "live.json"
    write_snapshot(Snapshot(objects=[dict(cm, data={"mode": f"wild {HOSTILE}"})]), snap)
    return ["diff", "--repo", str(repo), "--live", str(snap)]


def run(argv: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "driftui", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 1, done.stderr
    return done.stdout


def run_on_a_terminal(argv: list[str], env: dict[str, str]) -> str:
    """The CLI with its stdout on a pseudo-terminal, as a user at a shell has it."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "driftui", *argv],
        stdout=child,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(main)
    return b"".join(chunks).decode(errors="replace")


def test_always_colours_signs_and_highlights_the_yaml(drift: list[str]) -> None:
    out = run([*drift, "--color=always"])
    assert "\x1b[31m-\x1b[0m" in out and "\x1b[32m+\x1b[0m" in out  # the signs
    assert paint_line("-", "  mode: calm", "removed") in out  # the YAML inside, by pygments
    assert paint_line("-", "  mode: calm", "removed") != "\x1b[31m-\x1b[0m  mode: calm"
    shown = re.sub(r"\x1b\[[0-9;]*m", "", out)  # the text, without driftui's own colours
    assert 'mode: "wild \\e]0;pwned\\a"' in shown and "\x1b" not in shown  # still harmless


def test_never_and_a_pipe_print_no_escape_at_all(drift: list[str]) -> None:
    assert "\x1b" not in run([*drift, "--color=never"])
    assert "\x1b" not in run(drift)  # auto, and stdout is a pipe


def test_auto_on_a_terminal_colours_unless_no_color(drift: list[str]) -> None:
    coloured = run_on_a_terminal(drift, {"NO_COLOR": None})  # type: ignore[dict-item]
    assert "\x1b[32m+" in coloured
    plain = run_on_a_terminal(drift, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and '+  mode: "wild' in plain


def test_the_rule_is_gits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with (tmp_path / "f").open("w") as not_a_terminal:
        assert use_colour("always", not_a_terminal)
        assert not use_colour("auto", not_a_terminal)
        monkeypatch.setenv("NO_COLOR", "1")
        assert use_colour("always", not_a_terminal)  # asked for explicitly
        assert not use_colour("never", not_a_terminal)
