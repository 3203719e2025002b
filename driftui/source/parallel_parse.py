"""Parse many files on every core: YAML parsing is the largest part of a cold scan.

libyaml parses about 2 MB/s and holds the GIL while it does, so threads cannot share the
work; worker processes can. Starting them costs ~0.2 s, so small batches (every warm
rescan, every test repo) stay in-process. Any failure of the pool falls back to parsing
in-process: a scan never fails because a worker could not start.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from driftui.source.yaml_loader import ParsedDocument, ParsedFile, parse_documents

PARALLEL_MIN_BYTES = 1 << 20  # below ~0.5 s of parsing, starting workers does not pay
CHUNKS_PER_WORKER = 4  # small enough to balance, large enough to keep pickling cheap
MAX_WORKERS = 8

Blob = tuple[str, str, bytes]  # (key, path as the parser sees it, content)


def _parse_chunk(chunk: Sequence[Blob]) -> list[tuple[str, ParsedFile]]:
    return [(key, parse_documents(data, path)) for key, path, data in chunk]


# A worker's results cross back as marshal data where they can: the parent decodes it in
# half the time pickle needs, and the parent's decoding is the part no worker can share.
Packed = tuple[str, bytes | ParsedFile]


def _parse_packed(chunk: Sequence[Blob]) -> list[Packed]:
    out: list[Packed] = []
    for key, parsed in _parse_chunk(chunk):
        try:
            documents = [(d.body, d.line) for d in parsed.documents]
            out.append((key, marshal.dumps((documents, parsed.problems, parsed.skipped))))
        except ValueError:  # a value marshal does not know: send the object as it is
            out.append((key, parsed))
    return out


def _unpack(packed: bytes | ParsedFile) -> ParsedFile:
    if isinstance(packed, ParsedFile):
        return packed
    documents, problems, skipped = marshal.loads(packed)
    return ParsedFile([ParsedDocument(body, line) for body, line in documents], problems, skipped)


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
    chunks = _chunks(blobs, workers * CHUNKS_PER_WORKER)
    done: set[str] = set()
    try:
        # spawn, not fork: scans run in threads (the explorer's workers), and forking a
        # threaded process can copy a held lock into the child.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for results in pool.map(_parse_packed, chunks):
                for key, packed in results:
                    done.add(key)
                    yield key, _unpack(packed)
    except (BrokenProcessPool, OSError, RuntimeError):
        yield from _parse_chunk([b for b in blobs if b[0] not in done])
