"""Bad snapshots, configs and command lines: one clear error naming the file, exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.live.snapshot import Snapshot, SnapshotError, read_snapshot, write_snapshot

GOOD = Snapshot(
    key_id="0123456789abcdef",
    objects=[
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}}
    ],
)


def driftui(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv], capture_output=True, text=True, check=False
    )


def test_a_truncated_snapshot_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "live.json"
    write_snapshot(GOOD, path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(
        SnapshotError, match=r"live.json: not a valid snapshot, truncated or corrupt JSON"
    ):
        read_snapshot(path)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d.update(kind="Pod"), "not a driftui snapshot"),
        (lambda d: d.pop("keyId"), "snapshot has no keyId"),
        (lambda d: (d.pop("keyId"), d.update(salt="zz")), "snapshot salt is not hex"),
        (lambda d: d.pop("objects"), "snapshot has no objects list"),
        (lambda d: d["objects"].append({"kind": "X"}), "object #1 is not a Kubernetes object"),
    ],
)
def test_a_tampered_snapshot_names_the_problem(tmp_path: Path, mutate, problem) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "live.json"
    doc = GOOD.to_json()
    mutate(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(SnapshotError, match=problem):
        read_snapshot(path)


@settings(max_examples=60)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_snapshot_reader(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("snap") / "s.json"
    path.write_bytes(data)
    try:
        read_snapshot(path)
    except SnapshotError as exc:
        assert str(exc).startswith(str(path))


def repo(tmp_path: Path, config: str | None = None) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    if config is not None:
        (root / ".driftui.yaml").write_text(config)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    return root


def test_cli_bad_snapshot_is_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "live.json"
    bad.write_text('{"apiVersion": "driftui.dev/v1", "kind": "Snapshot", "salt": "00", "obj')
    result = driftui("diff", "--repo", str(repo(tmp_path)), "--live", str(bad))
    assert result.returncode == 2
    assert (
        result.stderr == f"error: {bad}: not a valid snapshot, truncated or corrupt JSON (line 1)\n"
    )


def test_cli_invalid_config_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    snap = tmp_path / "live.json"
    write_snapshot(GOOD, snap)
    config = tmp_path / "bad.yaml"
    config.write_text("ignore:\n  - kind: Deployment\n    jsonPointers: [spec/replicas]\n")
    result = driftui(
        "diff", "--repo", str(repo(tmp_path)), "--live", str(snap), "--config", str(config)
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {config}")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "--no-such-flag"],
        ["report", "--format", "pdf"],
        ["history", "deployment"],
        ["frobnicate"],
        ["revert"],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    result = driftui(*argv)
    assert result.returncode == 2
    assert "usage: driftui" in result.stderr
