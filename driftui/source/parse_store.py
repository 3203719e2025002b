"""Parsed Git blobs kept on disk between runs, by blob SHA.

Parsing YAML is most of a cold `driftui report`: libyaml reads about 4 MB/s, so a
10,000-object repository costs two cores a second (issue 21). A blob SHA names its
content, so what it parsed to never changes: each new process, and each commit that
leaves most files as they were, reads the parsed form back instead (marshal, about a
hundred times quicker than parsing).

The store's directory is keyed by the parser itself (the source of the modules that
decide what a blob parses to, and PyYAML's version), so a changed parser starts afresh.
It holds only what a blob of the repository holds, which is on this disk already (in
the checkout, or the clone under the same cache directory), in files only the user can
read; never a render, whose Secrets may come from values outside Git.
Anything unreadable or failing its checksum is a miss (entries are written atomically but
not fsynced), and a cache that cannot be written only costs speed.
Entries not read for :data:`KEPT_FOR` go, checked at most once a day.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import shutil
import time
from pathlib import Path

import yaml

from driftui.files import write_atomic
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


_CHECK = 16  # bytes of the checksum each entry starts with


def _check(data: bytes) -> bytes:
    """An entry's checksum: entries are not fsynced (hundreds a run), so one a crash left
    torn or zeroed is known as such and read as a miss."""
    return hashlib.blake2b(data, digest_size=_CHECK).digest()


class ParseStore:
    """One directory of parsed blobs: a file per blob SHA and format (JSON or YAML)."""

    def __init__(self, cache_root: Path) -> None:
        self.cache_root = cache_root
        self.root = cache_root / "parsed"
        self.dir = self.root / parser_identity()

    def _path(self, sha: str, is_json: bool) -> Path:
        return self.dir / sha[:2] / f"{sha}.{'json' if is_json else 'yaml'}"

    def get(self, sha: str, is_json: bool) -> tuple[int, ParsedFile] | None:
        """The blob's size in bytes and what it parsed to; None when not kept (or unreadable)."""
        path = self._path(sha, is_json)
        try:
            data = path.read_bytes()
            if _check(data[_CHECK:]) != data[:_CHECK]:
                raise ValueError("torn or damaged")  # a crash before the data reached disk
            size, packed = marshal.loads(data[_CHECK:])
            # only plain values: a pickle (bytes) is never read back from disk
            parsed = parallel_parse.unpack(packed) if isinstance(packed, tuple) else None
        except (OSError, EOFError, ValueError, TypeError):
            parsed = None
        if parsed is None or not isinstance(size, int):
            return None  # absent, unreadable or not ours: parse as usual
        with contextlib.suppress(OSError):
            os.utime(path)  # read now: kept for another KEPT_FOR
        return size, parsed

    def put(self, sha: str, is_json: bool, size: int, parsed: ParsedFile) -> None:
        """Keep ``parsed`` (of a blob of ``size`` bytes) unless marshal cannot hold it."""
        packed = parallel_parse.plain(parsed)
        if packed is None:
            return
        try:
            data = marshal.dumps((size, packed))
        except ValueError:  # e.g. a YAML timestamp the loader made a datetime
            return
        path = self._path(sha, is_json)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, _check(data) + data, mode=0o600, durable=False)
        except OSError:
            pass  # a read-only or full cache only costs speed

    def prune(self, now: float | None = None) -> None:
        """Entries nobody read for :data:`KEPT_FOR`, and other parsers' directories, go;
        at most once a day (the marker file's time says when it last ran)."""
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
            for other in self.root.iterdir():
                if other.is_dir() and other != self.dir:
                    shutil.rmtree(other, ignore_errors=True)
            for entry in self.dir.glob("*/*"):
                if now - entry.stat().st_mtime > KEPT_FOR:
                    entry.unlink()
