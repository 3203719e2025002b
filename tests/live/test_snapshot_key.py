"""Snapshot masking keys live outside the snapshot; files are written whole and private."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from driftui.files import WriteError, write_atomic
from driftui.live.snapshot import Snapshot, read_snapshot, write_snapshot
from driftui.live.snapshot_key import (
    KEY_ENV,
    SnapshotKeyError,
    key_for,
    key_from_phrase,
    load_key,
)


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return tmp_path / "config" / "driftui" / "snapshot.key"


def test_a_key_file_is_made_once_private_and_reused(own_config: Path) -> None:
    assert load_key(create=False) is None
    made = load_key(create=True)
    assert made is not None and made.origin == str(own_config)
    assert stat.S_IMODE(own_config.stat().st_mode) == 0o600
    assert stat.S_IMODE(own_config.parent.stat().st_mode) == 0o700
    assert load_key(create=True) == made  # never overwritten


def test_the_environment_phrase_wins_and_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "shared by the audit team")
    key = load_key(create=True)
    assert key == key_from_phrase("shared by the audit team")
    assert key is not None and key.origin == KEY_ENV


def test_the_key_id_reveals_nothing_and_tells_keys_apart() -> None:
    one, two = key_from_phrase("one"), key_from_phrase("two")
    assert one.id != two.id and len(one.id) == 16
    assert one.id not in one.secret.hex()


def test_a_snapshot_masked_with_another_key_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(
        SnapshotKeyError, match=r"live\.json: its Secrets were masked with snapshot"
    ):
        key_for(key_from_phrase("theirs").id, "live.json")
    monkeypatch.setenv(KEY_ENV, "mine")
    with pytest.raises(SnapshotKeyError, match=f"but the key from {KEY_ENV} is"):
        key_for(key_from_phrase("theirs").id, "live.json")
    assert key_for(key_from_phrase("mine").id, "live.json") == key_from_phrase("mine")


def test_an_old_snapshot_with_its_salt_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    doc = Snapshot(objects=[]).to_json()
    del doc["keyId"]
    doc["salt"] = "00" * 16
    path.write_text(json.dumps(doc))
    snapshot = read_snapshot(path)
    assert snapshot.legacy_salt == bytes(16) and snapshot.key_id == ""


def test_snapshots_are_private_and_hold_no_key(tmp_path: Path) -> None:
    key = key_from_phrase("k")
    path = tmp_path / "live.json"
    write_snapshot(Snapshot(objects=[], key_id=key.id), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert key.id in text and key.secret.hex() not in text and "salt" not in text


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    """A full disk, for real: the child may write at most 100 bytes (RLIMIT_FSIZE)."""
    target = tmp_path / "report.json"
    target.write_text("previous report\n")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    code = (
        "import sys; from driftui.files import write_atomic\n"
        f"write_atomic({str(target)!r}, 'x' * 100_000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], preexec_fn=limit, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert f"WriteError: cannot write {target}: File too large" in done.stderr
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    with pytest.raises(WriteError, match=f"cannot write {tmp_path}/missing/out.txt"):
        write_atomic(tmp_path / "missing" / "out.txt", "x")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
