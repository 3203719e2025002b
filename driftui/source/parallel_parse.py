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
"""

from __future__ import annotations

import marshal
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from driftui.model import LoadProblem
from driftui.source.yaml_loader import ParsedDocument, ParsedFile, parse_documents

PARALLEL_MIN_BYTES = 1 << 20  # below ~0.5 s of parsing, starting workers does not pay
MAX_WORKERS = 8

Blob = tuple[str, str, bytes]  # (key, path as the parser sees it, content)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _parse_chunk(chunk: Sequence[Blob]) -> list[tuple[str, ParsedFile]]:
    return [(key, parse_documents(data, path)) for key, path, data in chunk]


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


def _parse_in_workers(chunks: list[list[Blob]]) -> Iterator[tuple[str, ParsedFile]]:
    workers = [_start_worker() for _ in chunks]
    try:
        for worker, chunk in zip(workers, chunks, strict=True):
            assert worker.stdin is not None
            worker.stdin.write(marshal.dumps(chunk))  # the worker reads it all, then parses
            worker.stdin.close()
        for worker, chunk in zip(workers, chunks, strict=True):
            assert worker.stdout is not None
            output = worker.stdout.read()
            if worker.wait() != 0 or not output:
                yield from _parse_chunk(chunk)  # a worker that failed: parse its share here
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
    min_parallel_bytes: int = PARALLEL_MIN_BYTES,
    workers: int | None = None,
) -> Iterator[tuple[str, ParsedFile]]:
    """(key, parsed) for every blob, in no particular order."""
    workers = workers or workers_available()
    if workers < 2 or sum(len(blob[2]) for blob in blobs) < min_parallel_bytes:
        yield from _parse_chunk(blobs)
        return
    chunks = _chunks(blobs, workers)
    done: set[str] = set()
    try:
        for key, parsed in _parse_in_workers(chunks):
            done.add(key)
            yield key, parsed
    except (OSError, ValueError, EOFError):  # could not start or talk to a worker
        yield from _parse_chunk([b for b in blobs if b[0] not in done])


def _serve() -> None:
    """A worker: one batch of blobs on stdin, their parsed results on stdout."""
    chunk: list[Blob] = marshal.loads(sys.stdin.buffer.read())
    results = [(key, pack(parsed)) for key, parsed in _parse_chunk(chunk)]
    sys.stdout.buffer.write(marshal.dumps(results))


if __name__ == "__main__":
    _serve()
