"""Parse many files on every core: YAML parsing is the largest part of a cold scan.

libyaml parses about 2 MB/s and holds the GIL while it does, so threads cannot share the
work; other processes can. Each worker is a plain ``python -m`` subprocess that reads one
batch of files on stdin and writes the parsed results on stdout, as marshal data (the
parent decodes that twice as fast as pickle, and the parent's decoding is the part no
worker can share).

Plain subprocesses rather than multiprocessing: nothing of the parent is re-imported
(multiprocessing's spawn runs the caller's ``__main__`` again), no fork of a threaded
process, and nothing depends on ``sys.stderr`` being a real file, which it is not inside
the explorer. Starting workers costs ~0.15 s, so small batches (every warm rescan, every
test repo) stay in-process, and any failure of a worker falls back to parsing in-process.

Workers also keep what they parsed in the parse store (:mod:`.parse_store`), each its own
share in one transaction, so the parent writes nothing.
"""

from __future__ import annotations

import marshal
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftui.model import LoadProblem
from driftui.source.yaml_loader import (
    ParsedDocument,
    ParsedFile,
    is_json_path,
    parse_documents,
)

if TYPE_CHECKING:  # parse_store reads this module's values: imported where it is used
    from driftui.source.parse_store import ParseStore

PARALLEL_MIN_BYTES = 1 << 20  # below ~0.5 s of parsing, starting workers does not pay
MAX_WORKERS = 8

Blob = tuple[str, str, bytes]  # (key, path as the parser sees it, content)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _parse_chunk(chunk: Sequence[Blob], store: ParseStore | None) -> list[tuple[str, ParsedFile]]:
    """Each blob parsed, and kept in ``store`` (if any)."""
    out = [(key, parse_documents(data, path)) for key, path, data in chunk]
    if store is not None:
        store.put_many(
            (key, is_json_path(path), len(data), parsed)
            for (key, path, data), (_, parsed) in zip(chunk, out, strict=True)
        )
    return out


def plain(parsed: ParsedFile) -> tuple[Any, ...] | None:
    """The file as plain values (what :func:`unpack` reads back), before marshal is asked
    whether it holds them; None when a problem names an object (not plain)."""
    if any(p.ref for p in parsed.problems):
        return None
    return (
        [(d.body, d.line) for d in parsed.documents],
        [(p.path, p.message, p.line) for p in parsed.problems],
        parsed.skipped,
    )


def pack(parsed: ParsedFile) -> Any:
    """Plain values for marshal; a pickle of the whole file if something is not plain."""
    packed = plain(parsed)
    if packed is not None:
        try:
            marshal.dumps(packed)
            return packed
        except ValueError:  # e.g. a YAML timestamp the loader made a datetime
            pass
    return pickle.dumps(parsed)


def unpack(packed: Any) -> ParsedFile:
    if isinstance(packed, bytes):
        result: ParsedFile = pickle.loads(packed)  # written by our own worker, just now
        return result
    documents, problems, skipped = packed
    return ParsedFile(
        [ParsedDocument(body, line) for body, line in documents],
        [LoadProblem(path, message, line) for path, message, line in problems],
        skipped,
    )


def _chunks(blobs: Sequence[Blob], count: int) -> list[list[Blob]]:
    """``count`` chunks of about equal size: largest blobs first, each to the lightest chunk."""
    chunks: list[list[Blob]] = [[] for _ in range(count)]
    sizes = [0] * count
    for blob in sorted(blobs, key=lambda b: len(b[2]), reverse=True):
        lightest = sizes.index(min(sizes))
        chunks[lightest].append(blob)
        sizes[lightest] += len(blob[2])
    return [c for c in chunks if c]


def workers_available() -> int:
    try:
        return min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    except AttributeError:  # not on Linux
        return min(os.cpu_count() or 1, MAX_WORKERS)


def _start_worker() -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *sys.path])}
    return subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _parse_in_workers(
    chunks: list[list[Blob]], store: ParseStore | None
) -> Iterator[tuple[str, ParsedFile]]:
    workers = [_start_worker() for _ in chunks]
    root = str(store.cache_root) if store is not None else None
    try:
        for worker, chunk in zip(workers, chunks, strict=True):
            assert worker.stdin is not None
            worker.stdin.write(marshal.dumps((root, chunk)))  # read whole, then parsed
            worker.stdin.close()
        for worker, chunk in zip(workers, chunks, strict=True):
            assert worker.stdout is not None
            output = worker.stdout.read()
            if worker.wait() != 0 or not output:
                yield from _parse_chunk(chunk, store)  # a worker that failed: its share here
                continue
            for key, packed in marshal.loads(output):
                yield key, unpack(packed)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def parse_many(
    blobs: Sequence[Blob],
    *,
    store: ParseStore | None = None,
    min_parallel_bytes: int = PARALLEL_MIN_BYTES,
    workers: int | None = None,
) -> Iterator[tuple[str, ParsedFile]]:
    """(key, parsed) for every blob, in no particular order; each kept in ``store`` (keyed
    by its blob SHA, ``key``) by the time it is yielded."""
    workers = workers or workers_available()
    if workers < 2 or sum(len(blob[2]) for blob in blobs) < min_parallel_bytes:
        yield from _parse_chunk(blobs, store)
        return
    chunks = _chunks(blobs, workers)
    done: set[str] = set()
    try:
        for key, parsed in _parse_in_workers(chunks, store):
            done.add(key)
            yield key, parsed
    except (OSError, ValueError, EOFError):  # could not start or talk to a worker
        yield from _parse_chunk([b for b in blobs if b[0] not in done], store)


def _serve() -> None:
    """A worker: one batch of blobs on stdin, their parsed results on stdout, each kept in
    the parse store of the cache directory it is given (if any)."""
    from driftui.source.parse_store import ParseStore  # it imports this module

    root: str | None
    chunk: list[Blob]
    root, chunk = marshal.loads(sys.stdin.buffer.read())
    store = ParseStore(Path(root)) if root is not None else None
    results = [(key, pack(parsed)) for key, parsed in _parse_chunk(chunk, store)]
    if store is not None:
        store.close()
    sys.stdout.buffer.write(marshal.dumps(results))


if __name__ == "__main__":
    _serve()
