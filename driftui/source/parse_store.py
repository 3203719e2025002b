"""Parsed Git blobs kept on disk between runs, by blob SHA.

Parsing YAML is most of a cold `driftui report`: libyaml reads about 4 MB/s, so a
10,000-object repository costs two cores a second (issue 21). A blob SHA names its
content, so what it parsed to never changes: each new process, and each commit that
leaves most files as they were, reads the parsed form back instead (marshal, about a
hundred times quicker than parsing).

The store is one SQLite file per parser (named by the source of the modules that decide
what a blob parses to, and PyYAML's version), so a changed parser starts afresh. It was a
file per blob: creating 500 of them (and their directories) cost the kernel 0.3-0.45 s in
each parse worker of a cold 10,000-object load, on the load's critical path; one
transaction per worker costs milliseconds. It holds only what a blob of the repository
holds, which is on this disk already (in the checkout, or the clone under the same cache
directory), in a file only the user can read; never a render, whose Secrets may come from
values outside Git. Each entry carries its own checksum: one that fails it, or that is not
plain values, is a miss, and goes. A store that cannot be opened or written (read-only,
full, damaged) only costs speed; a damaged file is replaced. Entries not read for
:data:`KEPT_FOR` go, checked at most once a day.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from driftui.source import parallel_parse, yaml_bounds, yaml_loader
from driftui.source.yaml_loader import ParsedFile

KEPT_FOR = 30 * 24 * 3600.0  # seconds an entry nobody read stays
PRUNE_EVERY = 24 * 3600.0
_PARSER_MODULES = (yaml_loader, yaml_bounds, parallel_parse)


@functools.cache
def parser_identity() -> str:
    """What decides a blob's parsed form: these modules' source and PyYAML's build (read
    once a process: every load of every app opens the store)."""
    h = hashlib.sha256(f"{yaml.__version__}:{yaml.__with_libyaml__}".encode())
    for module in _PARSER_MODULES:
        h.update(Path(module.__file__ or "").read_bytes())
    return h.hexdigest()[:16]


T = TypeVar("T")

_CHECK = 16  # bytes of the checksum each entry starts with


def _check(data: bytes) -> bytes:
    """An entry's checksum: the store is not fsynced per transaction, and is a file any
    program of the user's may write; an entry that fails it is a miss."""
    return hashlib.blake2b(data, digest_size=_CHECK).digest()


Entry = tuple[str, bool, int, ParsedFile]  # blob SHA, parsed as JSON, size in bytes, parsed
_BATCH = 500  # keys per query: below every SQLite build's limit on parameters
_TOUCH_AFTER = 24 * 3600.0  # an entry read is marked read again after this long, not every time
_WAIT = 10.0  # seconds a connection waits for another's lock before it gives up
_SQLITE_FILES = ("", "-wal", "-shm")  # the store's file, and the two SQLite keeps beside it


class ParseStore:
    """The parsed blobs of one parser: a table keyed by (blob SHA, JSON or YAML) in one
    SQLite file, opened when first used. Each load, and each parse worker, opens its own;
    :meth:`close` (or the end of a ``with``) ends its connection, never shared across a
    fork."""

    def __init__(self, cache_root: Path) -> None:
        self.cache_root = cache_root
        self.root = cache_root / "parsed"
        self.path = self.root / f"{parser_identity()}.sqlite"
        self._db: sqlite3.Connection | None = None
        self._failed = False  # could not open: a miss for every blob, nothing written

    def __enter__(self) -> ParseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is None and not self._failed:
            try:
                self._db = _open(self.path)
            except (OSError, sqlite3.Error) as exc:
                self._failed = True
                self._damaged(exc)
        return self._db

    def _damaged(self, exc: Exception) -> None:
        """A file that is no database (a crash, another program) is replaced next time; a
        busy, read-only or full one is left as it is."""
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self.close()
            for suffix in _SQLITE_FILES:
                with contextlib.suppress(OSError):
                    os.unlink(f"{self.path}{suffix}")

    def _run(self, work: Callable[[sqlite3.Connection], T], failed: T) -> T:
        """``work`` on the connection; ``failed`` when there is none or it fails."""
        db = self._connection()
        if db is None:
            return failed
        try:
            return work(db)
        except sqlite3.Error as exc:
            self._damaged(exc)
            return failed

    def get(self, sha: str, is_json: bool) -> tuple[int, ParsedFile] | None:
        """The blob's size in bytes and what it parsed to; None when not kept (or unreadable)."""
        return self.get_many([(sha, is_json)]).get((sha, is_json))

    def get_many(
        self, keys: Sequence[tuple[str, bool]], now: float | None = None
    ) -> dict[tuple[str, bool], tuple[int, ParsedFile]]:
        """Every kept blob of ``keys`` (SHA, JSON or YAML): its size and what it parsed to.
        Those read are kept for another :data:`KEPT_FOR`; damaged ones go."""
        now = time.time() if now is None else now
        return self._run(lambda db: self._read(db, keys, now), {})

    def _read(
        self, db: sqlite3.Connection, keys: Sequence[tuple[str, bool]], now: float
    ) -> dict[tuple[str, bool], tuple[int, ParsedFile]]:
        wanted = set(keys)
        found: dict[tuple[str, bool], tuple[int, ParsedFile]] = {}
        damaged: list[tuple[str, bool]] = []
        stale: list[tuple[str, bool]] = []
        shas = list(dict.fromkeys(sha for sha, _ in keys))
        for start in range(0, len(shas), _BATCH):
            batch = shas[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT sha, json, used, data FROM entries WHERE sha IN ({marks})"
            for sha, is_json, used, data in db.execute(query, batch):
                key = (sha, bool(is_json))
                if key not in wanted:
                    continue
                entry = _unpacked(data)
                if entry is None or not isinstance(used, (int, float)):
                    damaged.append(key)
                    continue
                found[key] = entry
                if now - used > _TOUCH_AFTER:
                    stale.append(key)
        if damaged or stale:
            with db:
                db.executemany("DELETE FROM entries WHERE sha = ? AND json = ?", damaged)
                db.executemany(
                    "UPDATE entries SET used = ? WHERE sha = ? AND json = ?",
                    [(now, sha, is_json) for sha, is_json in stale],
                )
        return found

    def put(self, sha: str, is_json: bool, size: int, parsed: ParsedFile) -> None:
        """Keep ``parsed`` (of a blob of ``size`` bytes) unless marshal cannot hold it."""
        self.put_many([(sha, is_json, size, parsed)])

    def put_many(self, entries: Iterable[Entry], now: float | None = None) -> None:
        """Keep each entry marshal can hold, in one transaction."""
        now = time.time() if now is None else now
        rows = [
            (sha, is_json, now, data)
            for sha, is_json, size, parsed in entries
            if (data := _packed(size, parsed)) is not None
        ]
        if rows:
            self._run(lambda db: _insert(db, rows), None)

    def prune(self, now: float | None = None) -> None:
        """Entries nobody read for :data:`KEPT_FOR`, and other parsers' files, go; at most
        once a day (the marker file's time says when it last ran)."""
        now = time.time() if now is None else now
        marker = self.root / "pruned"
        try:
            if now - marker.stat().st_mtime < PRUNE_EVERY:
                return
        except OSError:
            pass
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            marker.touch()
            ours = {self.path.name + suffix for suffix in _SQLITE_FILES} | {marker.name}
            for other in self.root.iterdir():
                if other.name in ours:
                    continue
                if other.is_dir():  # another parser's, or the layout of a file per blob
                    shutil.rmtree(other, ignore_errors=True)
                else:
                    other.unlink()

        def forget(db: sqlite3.Connection) -> None:
            with db:
                db.execute("DELETE FROM entries WHERE used < ?", (now - KEPT_FOR,))

        self._run(forget, None)


def _open(path: Path) -> sqlite3.Connection:
    """The store's file, made private to the user before SQLite writes anything to it (its
    journal files take its permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600))  # not through a link
    db = sqlite3.connect(path, timeout=_WAIT, isolation_level=None, check_same_thread=False)
    try:
        # WAL: readers never wait for the workers' writes; NORMAL: no fsync per transaction
        # (a crash loses the last ones whole, never half of one, and entries are checked).
        _to_wal(db)
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS entries (sha TEXT NOT NULL, json INTEGER NOT NULL,"
            " used REAL NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sha, json)) WITHOUT ROWID"
        )
    except BaseException:
        db.close()
        raise
    return db


def _to_wal(db: sqlite3.Connection) -> None:
    """The file in WAL mode, waiting (as long as any lock) for another connection opening it
    too: SQLite answers "database is locked" at once there, without its busy wait. Two parse
    workers opening a new store together met it in 19-37% of their opens, and one refused
    kept none of its share."""
    end = time.monotonic() + _WAIT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # not full, not read-only
            if not busy or time.monotonic() >= end:
                raise
            time.sleep(0.01)


def _insert(db: sqlite3.Connection, rows: list[tuple[str, bool, float, bytes]]) -> None:
    with db:
        db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)


def _packed(size: int, parsed: ParsedFile) -> bytes | None:
    """An entry's bytes: checksum, then marshal of (size, plain values); None when the
    parsed file is not plain values (a problem naming an object, a YAML timestamp)."""
    packed = parallel_parse.plain(parsed)
    if packed is None:
        return None
    try:
        data = marshal.dumps((size, packed))
    except ValueError:  # e.g. a YAML timestamp the loader made a datetime
        return None
    return _check(data) + data


def _unpacked(data: Any) -> tuple[int, ParsedFile] | None:
    """An entry read back; None when damaged or not plain values (never unpickled)."""
    if not isinstance(data, bytes) or _check(data[_CHECK:]) != data[:_CHECK]:
        return None  # torn, damaged, or not ours
    try:
        size, packed = marshal.loads(data[_CHECK:])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(size, int) or not isinstance(packed, tuple):
        return None  # only plain values: a pickle (bytes) is never read back from disk
    try:
        return size, parallel_parse.unpack(packed)
    except (ValueError, TypeError):
        return None
