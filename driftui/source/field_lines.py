"""The line of each drifted field in its manifest, for annotations on the lines that drifted.

A scan keeps only where each document starts. For the few objects a CI report points at,
the file's blob is read again from Git and composed (nodes, not values: composing expands
no alias) to find the line of each field's key. A field only the cluster has points at the
deepest part of its path that Git has. Rendered objects (kustomize, helm) and JSON files
keep the document's line; any failure keeps it too, since a report must never fail for this.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace

import yaml

from driftui.model import DriftResult, KeyedItem, Path, ScanReport, Status
from driftui.source.git_repo import GitRepo, SourceError, open_repo
from driftui.source.yaml_bounds import MAX_DEPTH, nesting_depth

ReadBlob = Callable[[str], bytes]
_YAML = (".yaml", ".yml")
_LOCATED = (Status.DRIFTED, Status.ERROR, Status.MISSING)
_FAILURES = (SourceError, yaml.YAMLError, RecursionError, OSError, ValueError, LookupError)


def _documents(text: bytes) -> Iterator[yaml.Node]:
    """The file's documents, composed one at a time: the caller stops at the one it wants.
    libyaml's composer (16 times faster: 500 drifted objects took 8 s of a report in pure
    Python) recurses in C, so it composes only text whose nesting is bounded."""
    decoded = text.decode("utf-8", "replace")
    shallow = nesting_depth(decoded) <= MAX_DEPTH
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if shallow else yaml.SafeLoader
    return (n for n in yaml.compose_all(decoded, Loader=loader) if n)


def _document_at(text: bytes, line: int) -> yaml.Node | None:
    """The document (or ``kind: List`` item) whose first line is ``line``."""
    for node in _documents(text):
        if node.start_mark.line + 1 == line:
            return node
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == "items" and isinstance(value, yaml.SequenceNode):
                    for item in value.value:
                        if item.start_mark.line + 1 == line:
                            found: yaml.Node = item
                            return found
    return None


def _child(node: yaml.Node, segment: object) -> tuple[yaml.Node, int] | None:
    """The node one segment down, and the line that names it (a key's, or an item's)."""
    if isinstance(node, yaml.MappingNode) and isinstance(segment, str):
        for key, value in node.value:
            if key.value == segment:
                return value, key.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode):
        items = node.value
        if isinstance(segment, int) and 0 <= segment < len(items):
            return items[segment], items[segment].start_mark.line + 1
        if isinstance(segment, KeyedItem):
            for item in items:
                if _matches(item, segment):
                    return item, item.start_mark.line + 1
    return None


def _matches(item: yaml.Node, keyed: KeyedItem) -> bool:
    if not isinstance(item, yaml.MappingNode):
        return False
    fields = {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)}
    return all(str(fields.get(name)) == value for name, value in keyed.keys)


def line_of(document: yaml.Node, path: Path) -> int:
    """The line of ``path``'s key, or of the deepest part of it the document has."""
    node, line = document, document.start_mark.line + 1
    for segment in path:
        found = _child(node, segment)
        if found is None:
            break
        node, line = found
    return line


def _document_from(text: bytes, line: int) -> yaml.Node | None:
    """The document that starts at ``line``, composed from there alone (its lines counted
    from it): the documents before it are not composed at all. None: no mapping starts
    there (a ``kind: List`` item, a wrong line), or what follows is no document."""
    lines = text.split(b"\n")
    before = (seen.strip() for seen in reversed(lines[: line - 1]))
    last = next((seen for seen in before if seen and not seen.startswith(b"#")), b"---")
    if last not in (b"---", b"...") and not last.startswith(b"--- #"):
        return None  # inside another document: only a separator may come before a start
    rest = b"\n".join(lines[line - 1 :])
    with contextlib.suppress(*_FAILURES):
        node = next(_documents(rest), None)
        if isinstance(node, yaml.MappingNode) and node.start_mark.line == 0:
            return node
    return None


def _located(result: DriftResult, read_blob: ReadBlob) -> DriftResult:
    text, at = read_blob(result.blob_sha), result.source_line
    document, offset = _document_from(text, at), at - 1
    if document is None:
        document, offset = _document_at(text, at), 0
    if document is None:
        return result
    diffs = tuple(replace(d, line=line_of(document, d.path) + offset) for d in result.differences)
    return replace(result, differences=diffs)


def _locatable(result: DriftResult) -> bool:
    return (
        result.status in _LOCATED
        and bool(result.differences and result.blob_sha and result.source_line)
        and (result.source_file or "").lower().endswith(_YAML)
    )


def with_field_lines(report: ScanReport, read_blob: ReadBlob) -> ScanReport:
    """The report with each difference's ``line`` set where its manifest shows it."""
    results: list[DriftResult] = []
    for result in report.results:
        if _locatable(result):
            # On any failure the document's own line stays: a report never fails for this.
            with contextlib.suppress(*_FAILURES):
                result = _located(result, read_blob)
        results.append(result)
    return replace(report, results=results)


def blob_reader(*repos: str) -> ReadBlob:
    """Reads blobs from ``repos`` (paths, or remotes' cached clones), each opened on first
    use: the first that holds the blob answers (a scan of apps reads several)."""
    opened: dict[str, GitRepo] = {}

    def read(sha: str) -> bytes:
        for repo in repos[:-1]:
            with contextlib.suppress(*_FAILURES):
                return _opened(repo).read_blob(sha)
        return _opened(repos[-1]).read_blob(sha)

    def _opened(repo: str) -> GitRepo:
        if repo not in opened:
            opened[repo] = open_repo(repo)
        return opened[repo]

    return read
