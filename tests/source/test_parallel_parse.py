"""Parsing on worker processes gives exactly what parsing in-process gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from driftui.source import parallel_parse
from driftui.source.parallel_parse import _chunks, parse_many
from driftui.source.parse_store import ParseStore

BLOBS = [
    (
        "multi",
        "a.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {n: 1, f: 1.5, t: true}\n",
    ),
    (
        "list",
        "l.yaml",
        b"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, "
        b"metadata: {name: s}}\n",
    ),
    ("broken", "b.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  : oops: [\n"),
    ("dup-json", "d.json", b'{"apiVersion": "v1", "kind": "ConfigMap", "kind": "Secret"}'),
    (
        "dated",
        "t.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n  at: 2026-11-22\n",
    ),
    ("latin1", "x.yaml", b"kind: ConfigMap\nname: caf\xe9\n"),
    ("skipped", "s.yaml", b"just: a mapping\n"),
]


def test_workers_and_in_process_agree() -> None:
    serial = dict(parse_many(BLOBS, min_parallel_bytes=1 << 40))
    parallel = dict(parse_many(BLOBS, min_parallel_bytes=0, workers=2))
    assert parallel == serial
    assert len(serial["multi"].documents) == 2
    assert serial["multi"].documents[1].body["data"] == {"n": 1, "f": 1.5, "t": True}
    assert "duplicate key 'kind'" in serial["dup-json"].problems[0].message
    assert serial["broken"].problems and serial["broken"].problems[0].line
    assert serial["latin1"].problems[0].message.startswith("not UTF-8")
    assert serial["skipped"].skipped == 1


@pytest.mark.parametrize("where", ["in-process", "workers"])
def test_what_is_parsed_is_kept_in_the_store_by_the_time_it_is_yielded(
    tmp_path: Path, where: str
) -> None:
    """Workers write their own share of the store (the parent no longer does): a later
    load in a new process reads every plain blob back, the JSON one apart."""
    store = ParseStore(tmp_path / "cache")
    workers = {"in-process": 1, "workers": 2}[where]
    parsed = dict(parse_many(BLOBS, store=store, min_parallel_bytes=0, workers=workers))
    reader = ParseStore(tmp_path / "cache")
    for key, path, data in BLOBS:
        kept = reader.get(key, path.endswith(".json"))
        assert kept == (len(data), parsed[key]), key
        assert reader.get(key, not path.endswith(".json")) is None  # JSON and YAML apart


def test_chunks_balance_by_size_and_keep_every_blob() -> None:
    blobs = [(str(i), "f.yaml", b"x" * size) for i, size in enumerate([90, 50, 40, 30, 10, 5])]
    chunks = _chunks(blobs, 3)
    assert sorted(key for chunk in chunks for key, _p, _d in chunk) == sorted(b[0] for b in blobs)
    sizes = sorted(sum(len(d) for _k, _p, d in chunk) for chunk in chunks)
    assert max(sizes) - min(sizes) <= 90  # greedy: chunks differ by at most the largest blob
    assert max(sizes) == 90  # the largest blob alone; the rest share the other two
    assert _chunks(blobs[:2], 5) == [[blobs[0]], [blobs[1]]]  # no empty chunks


def test_a_failing_worker_leaves_its_share_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.buffer.read(); sys.exit(3)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    monkeypatch.setattr(parallel_parse, "_start_worker", broken_worker)
    parsed = dict(parse_many(BLOBS, min_parallel_bytes=0, workers=2))
    assert parsed == dict(parse_many(BLOBS, min_parallel_bytes=1 << 40))
