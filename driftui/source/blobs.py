"""Parse Git blobs into manifests, once per blob SHA.

A blob SHA names its content, so parsed results can be shared across refs, commits, files
and even repositories. The scan and the history view both come through here.

The cached bodies are shared: treat ``Manifest.body`` as read-only (copy before changing it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from cachetools import LRUCache

from driftui.model import LoadProblem, Manifest, ObjectRef
from driftui.runtime.pacing import give_way
from driftui.source.git_repo import BlobBudgetExceeded, GitRepo, SourceError
from driftui.source.limits import mib
from driftui.source.parallel_parse import parse_many
from driftui.source.parse_store import ParseStore
from driftui.source.yaml_loader import ParsedFile, is_json_path, parse_documents

DEFAULT_CACHE_ENTRIES = 50_000
_PLACEHOLDER = "\0"  # problems are cached path-less and re-pathed on the way out


def _parser_path(path: str) -> str:
    """The path-less name the parser sees: it keeps the suffix, which picks JSON or YAML."""
    return _PLACEHOLDER + (".json" if is_json_path(path) else "")


@dataclass
class FileObjects:
    """The objects of one file (or one rendered directory) at one version."""

    manifests: list[Manifest] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    skipped: int = 0


class ParseCache:
    """A thread-safe LRU of parsed files keyed by (content SHA, JSON or YAML)."""

    def __init__(self, max_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: LRUCache[tuple[str, bool], ParsedFile] = LRUCache(max_entries)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, sha: str, path: str) -> ParsedFile | None:
        with self._lock:
            found = self._items.get((sha, is_json_path(path)))
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, sha: str, path: str, parsed: ParsedFile) -> None:
        with self._lock:
            self._items[(sha, is_json_path(path))] = parsed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


PARSE_CACHE = ParseCache()


def parse_blob(data: bytes, sha: str, path: str, cache: ParseCache = PARSE_CACHE) -> FileObjects:
    """Parse one file's content (its SHA is the cache key) into manifests and problems."""
    parsed = cache.get(sha, path)
    if parsed is None:
        parsed = parse_documents(data, _parser_path(path))
        cache.put(sha, path, parsed)
    return to_file_objects(parsed, path, sha)


def to_file_objects(parsed: ParsedFile, path: str, sha: str) -> FileObjects:
    """Attach a file's path and SHA to what the parser found."""
    return FileObjects(
        manifests=[
            Manifest(
                ref=ObjectRef.of(doc.body),
                api_version=doc.body["apiVersion"],
                body=doc.body,
                source_file=path,
                blob_sha=sha,
                line=doc.line,
            )
            for doc in parsed.documents
        ],
        problems=[
            replace(p, path=path) if p.path.startswith(_PLACEHOLDER) else p for p in parsed.problems
        ],
        skipped=parsed.skipped,
    )


def read_blob_objects(
    repo: GitRepo, blob_sha: str, path: str, cache: ParseCache = PARSE_CACHE
) -> FileObjects:
    """The objects in blob ``blob_sha`` (file ``path``), read from Git only on a cache miss."""
    parsed = cache.get(blob_sha, path)
    if parsed is not None:
        return to_file_objects(parsed, path, blob_sha)
    return parse_blob(repo.read_blob(blob_sha), blob_sha, path, cache)


def read_file_objects(
    repo: GitRepo, commit: str, path: str, cache: ParseCache = PARSE_CACHE
) -> FileObjects:
    """The objects in file ``path`` at ``commit``; empty when the file does not exist there."""
    found = repo.object_at(commit, path)
    if found is None:
        return FileObjects()
    kind, sha = found
    if kind != "blob":
        raise SourceError(f"{path!r} at {commit[:12]} is a {kind}, not a file")
    return read_blob_objects(repo, sha, path, cache)


def parse_blobs(
    repo: GitRepo,
    files: list[tuple[str, str]],
    cache: ParseCache = PARSE_CACHE,
    budget: int | None = None,
    store: ParseStore | None = None,
) -> list[FileObjects]:
    """Parse many (path, blob sha) pairs, reading all cache misses through one git process
    and parsing them on every core when there are enough of them.

    With a ``budget``, the cache misses are read up to that many bytes; the first file
    past it gets a problem that counts the files left unread (they load as empty).
    ``store``: parsed blobs kept on disk, read before Git and written after parsing."""
    missing = list(dict.fromkeys(sha for path, sha in files if cache.get(sha, path) is None))
    paths = {sha: path for path, sha in files}
    left = budget  # of the budget, after what the store gave
    if store is not None and missing:
        missing, left = _from_store(store, missing, paths, cache, budget)
    unread: set[str] = set()
    if missing:
        blobs: list[tuple[str, str, bytes]] = []
        try:
            for sha, data in repo.iter_blobs(missing, left):
                blobs.append((sha, _parser_path(paths[sha]), data))
        except BlobBudgetExceeded:
            unread = set(missing[len(blobs) :])
        for sha, fresh in parse_many(blobs, store=store):
            cache.put(sha, paths[sha], fresh)
    out = []
    first_unread = True
    for path, sha in files:
        give_way()
        if sha in unread:
            out.append(_unread(path, len(unread), budget or 0) if first_unread else FileObjects())
            first_unread = False
            continue
        parsed = cache.get(sha, path)
        if parsed is None:  # evicted meanwhile (a cache smaller than the repo): parse directly
            out.append(parse_blob(repo.read_blob(sha), sha, path, cache))
        else:
            out.append(to_file_objects(parsed, path, sha))
    return out


def _from_store(
    store: ParseStore,
    shas: list[str],
    paths: dict[str, str],
    cache: ParseCache,
    budget: int | None,
) -> tuple[list[str], int | None]:
    """The blobs to read from Git, and what is left of ``budget`` for them: those ``store``
    holds go into ``cache``, their sizes spent as if read, so a load never holds more
    than its budget whatever the store kept."""
    store.prune()
    keys = [(sha, is_json_path(paths[sha])) for sha in shas]
    found = store.get_many(keys)
    left: list[str] = []
    spent = 0
    for index, (sha, key) in enumerate(zip(shas, keys, strict=True)):
        kept = found.get(key)
        if kept is not None and budget is not None and spent + kept[0] > budget:
            return left + shas[index:], budget - spent  # Git's read names the first past it
        if kept is None:
            left.append(sha)
        else:
            spent += kept[0]
            cache.put(sha, paths[sha], kept[1])
    return left, None if budget is None else budget - spent


def _unread(path: str, count: int, budget: int) -> FileObjects:
    others = f" and {count - 1} more" if count > 1 else ""
    message = f"not loaded: manifest files exceed {mib(budget)} in total (this file{others})"
    return FileObjects(problems=[LoadProblem(path, message)])
