"""Progress on long work: on a terminal, stderr shows the scan's stages with counts and the
time elapsed; stdout never carries a byte of it, and a pipe, CI or --quiet show nothing."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import kubectl, write_repo

STAGES = ("files parsed", "kinds listed", "objects compared")


@dataclass
class Run:
    code: int
    out: str
    err: str


def _drain(fds: dict[int, list[bytes]]) -> None:
    """Read every terminal (or pipe) until the child has closed them all."""
    open_fds = set(fds)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [])
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # a pty's other side closed
                data = b""
            if data:
                fds[fd].append(data)
            else:
                open_fds.discard(fd)


def run(argv: list[str], env: dict[str, str | None], err_tty: bool = True) -> Run:
    """driftui with stdout on a terminal and stderr on another (or a pipe), as at a shell."""
    out_main, out_child = pty.openpty()
    err_main, err_child = pty.openpty() if err_tty else os.pipe()
    base = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    merged = {k: v for k, v in {**base, **env}.items() if v is not None}
    proc = subprocess.Popen(
        [sys.executable, "-m", "driftui", *argv],
        stdin=subprocess.DEVNULL,
        stdout=out_child,
        stderr=err_child,
        env=merged,
    )
    os.close(out_child)
    os.close(err_child)
    chunks: dict[int, list[bytes]] = {out_main: [], err_main: []}
    _drain(chunks)
    code = proc.wait()
    os.close(out_main)
    os.close(err_main)
    text = {fd: b"".join(c).decode(errors="replace") for fd, c in chunks.items()}
    return Run(code, text[out_main], text[err_main])


def _cm(ns: str, name: str, value: str) -> dict[str, Any]:
    meta = {"name": name, "namespace": ns}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": value}}


@pytest.fixture
def drifted(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> list[str]:
    """Three ConfigMaps in Git; one drifted in the cluster, one missing from it."""
    repo = tmp_path / "repo"
    objs = [_cm(namespace, f"cm{i}", "git") for i in range(3)]
    write_repo(repo, {"app/cms.yaml": objs})
    live = tmp_path / "live.yaml"
    live.write_text(
        json.dumps(
            {
                "kind": "List",
                "apiVersion": "v1",
                "items": [objs[0], _cm(namespace, "cm1", "edited")],
            }
        )
    )
    kubectl(cluster, "apply", "--server-side", "-f", str(live))
    return ["--repo", str(repo), "--kubeconfig", cluster.kubeconfig(), "-n", namespace]


def _shows_stages(err: str) -> bool:
    return all(stage in err for stage in STAGES) and "0:00:" in err  # the elapsed time


def test_diff_on_a_terminal_shows_stages_on_stderr_only(drifted: list[str]) -> None:
    done = run(["diff", *drifted], {"CI": None})
    assert done.code == 1, done.err
    assert _shows_stages(done.err), done.err
    assert "3/3" in done.err  # objects compared against their total
    assert "--- git/" in done.out  # the diff itself
    assert not any(stage in done.out for stage in STAGES)


@pytest.mark.parametrize(
    ("env", "flags", "err_tty"),
    [
        ({"CI": "true"}, [], True),
        ({"CI": None}, ["--quiet"], True),
        ({"CI": None}, ["-q"], True),
        ({"CI": None}, [], False),  # stderr is a pipe
    ],
    ids=["ci", "quiet", "q", "pipe"],
)
def test_ci_quiet_and_a_pipe_show_nothing(
    drifted: list[str], env: dict[str, str | None], flags: list[str], err_tty: bool
) -> None:
    done = run(["diff", *drifted, *flags], env, err_tty=err_tty)
    assert done.code == 1, done.err
    assert "--- git/" in done.out
    assert not any(stage in done.err for stage in STAGES), done.err
    assert "\x1b" not in done.err  # not even an erased line


def test_report_keeps_stdout_machine_readable(drifted: list[str]) -> None:
    done = run(["report", "--format", "json", *drifted], {"CI": None})
    assert done.code == 1, done.err
    assert _shows_stages(done.err), done.err
    json.loads(done.out)  # nothing but the report on stdout


def test_snapshot_shows_progress(drifted: list[str], tmp_path: Path) -> None:
    done = run(["snapshot", *drifted, "-o", str(tmp_path / "s.json")], {"CI": None})
    assert done.code == 0, done.err
    assert _shows_stages(done.err), done.err


def test_sync_dry_run_shows_its_dry_runs(drifted: list[str]) -> None:
    done = run(["sync", *drifted, "--dry-run", "--force-conflicts"], {"CI": None})
    assert done.code == 0, done.out + done.err
    assert _shows_stages(done.err), done.err
    assert "dry-runs" in done.err and "2/2" in done.err  # the drifted and the missing one
    assert "dry-runs" not in done.out


def test_history_shows_files_parsed_and_commits(drifted: list[str]) -> None:
    done = run(["history", "configmap/cm1", *drifted], {"CI": None})
    assert done.code == 0, done.err
    assert "files parsed" in done.err and "commits examined" in done.err, done.err
    assert "1/1" in done.err  # the one commit that declares it, counted against its total
    assert "Declare the demo app" in done.out and "files parsed" not in done.out
