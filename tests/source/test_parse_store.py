"""Parsed blobs kept on disk between runs (issue 21): read back instead of parsed again,
never trusted beyond plain values, and pruned."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import marshal
import os
import pickle
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from driftui.model import LoadProblem, ObjectRef
from driftui.source import blobs
from driftui.source.blobs import ParseCache
from driftui.source.git_repo import open_repo
from driftui.source.limits import LoadLimits
from driftui.source.load import load_from_repo
from driftui.source.parse_store import KEPT_FOR, ParseStore
from driftui.source.yaml_loader import ParsedDocument, ParsedFile, parse_documents
from tests.runtime.test_forked import in_fresh_interpreter
from tests.source.test_git import Repo, cm

SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: hunter2\n"


def _bodies(repo: Path, cache: Path) -> list[dict[str, Any]]:
    state = load_from_repo(open_repo(str(repo)), cache_dir=str(cache), parse_cache=ParseCache())
    return [m.body for m in state.manifests]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = Repo(tmp_path / "repo")
    r.commit(
        {
            "a.yaml": cm("a") + "---\n" + SECRET,
            "b.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}',
        }
    )
    return r.path


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("parsed again")

    monkeypatch.setattr(blobs, "parse_many", refuse)


def test_a_new_process_reads_what_an_earlier_one_parsed(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _bodies(repo, tmp_path / "cache")
    _no_parsing(monkeypatch)  # a fresh memory cache, as in a new process: only the disk
    assert _bodies(repo, tmp_path / "cache") == first
    assert {b["metadata"]["name"] for b in first} == {"a", "s", "b"}


def _store_file(cache: Path) -> Path:
    (path,) = (cache / "parsed").glob("*.sqlite")
    return path


@contextlib.contextmanager
def _opened(cache: Path) -> Iterator[sqlite3.Connection]:
    """The store under ``cache`` opened with SQLite itself, in one transaction."""
    with contextlib.closing(sqlite3.connect(_store_file(cache))) as db, db:
        yield db


def _rows(cache: Path) -> list[tuple[str, int, float, bytes]]:
    """Every entry of the store under ``cache``."""
    with _opened(cache) as db:
        return list(db.execute("SELECT sha, json, used, data FROM entries"))


def _rewrite(cache: Path, change: Callable[[bytes], bytes]) -> None:
    """Each entry's bytes changed on disk, as a crash or another program could."""
    with _opened(cache) as db:
        for sha, is_json, data in list(db.execute("SELECT sha, json, data FROM entries")):
            db.execute(
                "UPDATE entries SET data = ? WHERE sha = ? AND json = ?",
                (change(data), sha, is_json),
            )


def test_entries_are_private_to_the_user(repo: Path, tmp_path: Path) -> None:
    _bodies(repo, tmp_path / "cache")
    assert len(_rows(tmp_path / "cache")) == 2  # one per blob, the JSON one apart
    store = ParseStore(tmp_path / "cache")
    store.put("ab" + "0" * 38, False, 1, parse_documents(cm("a").encode(), "a.yaml"))
    files = list(store.root.glob(store.path.name + "*"))  # with its journal, while open
    assert len(files) == 3
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    store.close()


def test_the_byte_budget_counts_what_the_store_gives(repo: Path, tmp_path: Path) -> None:
    """A load reports the same first file past its budget, cold or from the store."""
    r = Repo(tmp_path / "many")
    r.commit({f"m/{i}.yaml": cm(f"c{i}") for i in range(5)})
    limits = LoadLimits(max_bytes=2 * len(cm("c0")))

    def load() -> tuple[list[str], list[tuple[str, str]]]:
        state = load_from_repo(
            open_repo(str(r.path)),
            cache_dir=str(tmp_path / "cache"),
            limits=limits,
            parse_cache=ParseCache(),
        )
        return [m.ref.name for m in state.manifests], [(p.path, p.message) for p in state.problems]

    cold = load()
    assert cold[0] == ["c0", "c1"] and [p for p, _ in cold[1]] == ["m/2.yaml"]
    assert load() == cold


def _cut(data: bytes) -> bytes:
    return data[:7]


def _torn(data: bytes) -> bytes:  # its end never reached the disk
    return data[: len(data) // 2] + bytes(len(data) - len(data) // 2)


def _flipped(data: bytes) -> bytes:  # still marshal, other content: only the checksum knows
    return data.replace(b"ConfigMap", b"ConfigNap", 1)


@pytest.mark.parametrize("damage", [_cut, _torn, _flipped])
def test_a_damaged_entry_is_parsed_again_and_kept_anew(
    repo: Path, tmp_path: Path, damage: Callable[[bytes], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _bodies(repo, tmp_path / "cache")
    whole = _rows(tmp_path / "cache")
    _rewrite(tmp_path / "cache", damage)
    assert _bodies(repo, tmp_path / "cache") == first
    assert [r[3] for r in _rows(tmp_path / "cache")] == [r[3] for r in whole]
    _no_parsing(monkeypatch)
    assert _bodies(repo, tmp_path / "cache") == first


def test_an_entry_whose_time_is_no_number_is_parsed_again(repo: Path, tmp_path: Path) -> None:
    first = _bodies(repo, tmp_path / "cache")
    with _opened(tmp_path / "cache") as db:
        db.execute("UPDATE entries SET used = 'yesterday'")
    assert _bodies(repo, tmp_path / "cache") == first
    assert {type(r[2]) for r in _rows(tmp_path / "cache")} == {float}  # kept anew


def test_a_pickle_on_disk_is_never_loaded(repo: Path, tmp_path: Path) -> None:
    """Workers hand the parent pickles of what marshal cannot hold; from disk, never."""
    first = _bodies(repo, tmp_path / "cache")
    canary = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {canary}",))

    payload = marshal.dumps((10, pickle.dumps(Evil())))  # shaped as an entry, checksum right
    entry = hashlib.blake2b(payload, digest_size=16).digest() + payload
    _rewrite(tmp_path / "cache", lambda _: entry)
    assert _bodies(repo, tmp_path / "cache") == first
    assert not canary.exists()


def test_a_file_that_is_no_database_is_replaced(repo: Path, tmp_path: Path) -> None:
    first = _bodies(repo, tmp_path / "cache")
    _store_file(tmp_path / "cache").write_bytes(b"not a database" * 100)
    assert _bodies(repo, tmp_path / "cache") == first  # a miss, parsed again
    assert _bodies(repo, tmp_path / "cache") == first
    assert len(_rows(tmp_path / "cache")) == 2  # and kept in a new store


def test_a_store_that_cannot_be_written_only_costs_speed(tmp_path: Path) -> None:
    store = ParseStore(tmp_path / "cache")
    store.path.mkdir(parents=True)  # where the store's file should be: a directory
    store.put("ab" + "0" * 38, False, 1, parse_documents(cm("a").encode(), "a.yaml"))
    assert store.get("ab" + "0" * 38, False) is None
    assert store.path.is_dir()  # not a damaged store: left as it is


def test_a_link_in_place_of_the_store_is_not_followed(tmp_path: Path) -> None:
    store = ParseStore(tmp_path / "cache")
    store.root.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    store.path.symlink_to(elsewhere)
    store.put("ab" + "0" * 38, False, 1, parse_documents(cm("a").encode(), "a.yaml"))
    assert store.get("ab" + "0" * 38, False) is None
    assert not elsewhere.exists()


def test_old_entries_and_other_parsers_are_pruned_once_a_day(tmp_path: Path) -> None:
    store = ParseStore(tmp_path / "cache")
    parsed = parse_documents(cm("a").encode(), "a.yaml")
    long_ago = time.time() - KEPT_FOR - 60
    store.put("aa" + "1" * 38, False, 1, parsed)
    store.put_many([("bb" + "2" * 38, False, 1, parsed)], now=long_ago)
    other = store.root / "another-parser.sqlite"
    other.write_bytes(b"")
    layout = store.root / "0123456789abcdef" / "cc"  # a file per blob, as stores once were
    layout.mkdir(parents=True)
    (layout / "x.yaml").write_bytes(b"")
    store.prune()
    assert store.get("aa" + "1" * 38, False) is not None
    assert store.get("bb" + "2" * 38, False) is None
    assert not other.exists() and not layout.parent.exists()
    store.put_many([("dd" + "3" * 38, False, 1, parsed)], now=long_ago)
    store.prune()  # within the day: nothing looked at
    assert [r[0] for r in _rows(tmp_path / "cache")] == ["aa" + "1" * 38, "dd" + "3" * 38]
    store.prune(now=time.time() + 2 * 24 * 3600)
    assert [r[0] for r in _rows(tmp_path / "cache")] == ["aa" + "1" * 38]
    store.close()


def test_reading_an_entry_keeps_it(tmp_path: Path) -> None:
    store = ParseStore(tmp_path / "cache")
    sha = "ee" + "4" * 38
    long_ago = time.time() - KEPT_FOR - 60
    store.put_many([(sha, False, 1, parse_documents(cm("a").encode(), "a.yaml"))], now=long_ago)
    assert store.get(sha, False) is not None
    store.prune()
    assert store.get(sha, False) is not None
    store.close()


_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(data=st.dictionaries(st.text(min_size=1, max_size=8), _VALUES, max_size=5))
def test_what_comes_back_is_what_was_parsed(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": data}
    text = yaml.safe_dump(doc).encode()
    parsed = parse_documents(text, "x.yaml")
    store = ParseStore(tmp_path_factory.mktemp("cache"))
    store.put("ff" + "5" * 38, False, len(text), parsed)
    assert store.get("ff" + "5" * 38, False) == (len(text), parsed)


def test_what_marshal_cannot_hold_is_not_kept(tmp_path: Path) -> None:
    """A problem naming an object, or a value marshal refuses: parsed every time instead."""
    store = ParseStore(tmp_path / "cache")
    named = parse_documents(cm("a").encode(), "a.yaml")
    named.problems.append(
        LoadProblem("a.yaml", "duplicate", 1, ObjectRef("", "ConfigMap", "", "a"))
    )
    dated = ParsedFile([ParsedDocument({"kind": "ConfigMap", "at": datetime.date(2026, 1, 1)}, 1)])
    store.put("ab" + "6" * 38, False, 1, named)
    store.put("cd" + "7" * 38, False, 1, dated)
    assert store.get("ab" + "6" * 38, False) is None
    assert store.get("cd" + "7" * 38, False) is None
    assert _rows(tmp_path / "cache") == []


def test_two_workers_opening_a_new_store_together_both_keep_their_share() -> None:
    # SQLite refuses the switch to WAL at once, without its busy wait, while another
    # connection opens the same new file: a worker refused kept nothing of its share. Forked in a
    # fresh interpreter (a test process may run threads of its own).
    out = in_fresh_interpreter(
        """
        import os, tempfile
        from pathlib import Path
        from driftui.source.parse_store import ParseStore, parser_identity
        from driftui.source.yaml_loader import ParsedDocument, ParsedFile
        parser_identity()  # worked out once, here: the workers then open at the same time
        kept = 0
        base = tempfile.TemporaryDirectory()
        for round in range(20):
            cache = Path(base.name) / str(round)
            gate, opened = os.pipe()  # both start when the parent closes its end
            children = []
            for worker in "ab":
                pid = os.fork()
                if pid == 0:
                    os.close(opened)
                    os.read(gate, 1)
                    with ParseStore(cache) as store:
                        store.put(worker * 40, False, 9, ParsedFile([ParsedDocument({}, 1)]))
                    os._exit(0)
                children.append(pid)
            os.close(opened)
            os.close(gate)
            for pid in children:
                os.waitpid(pid, 0)
            with ParseStore(cache) as store:
                kept += len(store.get_many([("a" * 40, False), ("b" * 40, False)]))
        base.cleanup()
        print(kept)
        """
    )
    assert out == "40"
