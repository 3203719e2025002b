"""A full disk while driftui writes: the old file stays whole, no temporary file is left,
and the error names the file. The disk is "full" for real: RLIMIT_FSIZE on the process."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from driftui.files import write_atomic
from driftui.live.snapshot import Snapshot, write_snapshot
from tests.drift_scenario import write_repo

LIMIT = 4096  # bytes a process may write to any one file


def small_disk() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_a_report_that_fills_the_disk_keeps_the_previous_report(tmp_path: Path) -> None:
    maps = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"m{i}", "namespace": "a"},
         "data": {"k": "v" * 100}}
        for i in range(60)
    ]  # fmt: skip
    repo = tmp_path / "repo"
    write_repo(repo, {"maps.yaml": maps})
    live = tmp_path / "live.json"
    write_snapshot(Snapshot(objects=maps), live)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "previous.json"
    target.write_text("the previous, whole file\n")
    argv = ["report", "-o", str(target), "--repo", str(repo), "--live", str(live)]
    done = subprocess.run(
        [sys.executable, "-m", "driftui", *argv],
        preexec_fn=small_disk,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"error: cannot write {target}: File too large"
    assert target.read_text() == "the previous, whole file\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["previous.json"]


def test_a_snapshot_that_fills_the_disk_keeps_the_previous_snapshot(tmp_path: Path) -> None:
    target = tmp_path / "live.json"
    target.write_text("the previous snapshot\n")
    code = (
        "from driftui.live.snapshot import Snapshot, write_snapshot\n"
        "objs = [{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'x' * 50}}] * 200\n"
        f"write_snapshot(Snapshot(objects=objs), {str(target)!r})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], preexec_fn=small_disk, capture_output=True, text=True
    )
    assert done.returncode != 0 and f"cannot write {target}: File too large" in done.stderr
    assert target.read_text() == "the previous snapshot\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.json"]


def test_a_file_is_on_disk_before_it_is_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fsync

    def counted(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counted)
    write_atomic(tmp_path / "report", b"kept")
    assert len(synced) == 2  # its data, and the rename in its directory
    assert list(tmp_path.iterdir()) == [tmp_path / "report"]  # no temporary file left
    assert (tmp_path / "report").read_bytes() == b"kept"
