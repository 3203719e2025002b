"""Parse manifest files into Kubernetes objects, safely and without ever stopping a scan.

Only safe loaders are used (libyaml's CSafeLoader when present). A broken document is
reported with its path and line; the documents around it still load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from driftui.model import LoadProblem

try:  # libyaml is ~10x faster; fall back to the pure-Python safe loader.
    SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    SafeLoader = yaml.SafeLoader

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class ParsedDocument:
    body: dict[str, Any]
    line: int  # 1-based line where the document starts


@dataclass
class ParsedFile:
    documents: list[ParsedDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    skipped: int = 0  # documents without apiVersion/kind


def is_manifest_path(path: str) -> bool:
    return path.lower().endswith(MANIFEST_SUFFIXES)


def _document_starts(text: str) -> list[int]:
    """1-based start line of every YAML document, for error and source positions."""
    starts = [1]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---") and (len(line) == 3 or line[3] in " \t#"):
            starts.append(number + 1)
    return starts


def _is_object(doc: Any) -> bool:
    return isinstance(doc, dict) and bool(doc.get("apiVersion")) and bool(doc.get("kind"))


def _expand(doc: Any, line: int, out: ParsedFile, path: str) -> None:
    if doc is None:
        return
    if not isinstance(doc, dict):
        out.problems.append(
            LoadProblem(path, f"document is a {type(doc).__name__}, not a mapping", line)
        )
        return
    if not _is_object(doc):
        out.skipped += 1
        return
    if doc.get("kind") == "List" or (str(doc.get("kind", "")).endswith("List") and "items" in doc):
        for item in doc.get("items") or []:
            _expand(item, line, out, path)
        return
    if not isinstance(doc.get("apiVersion"), str) or not isinstance(doc.get("kind"), str):
        out.problems.append(LoadProblem(path, "apiVersion and kind must be strings", line))
        return
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        out.problems.append(LoadProblem(path, f"{doc['kind']} has no metadata.name", line))
        return
    out.documents.append(ParsedDocument(doc, line))


def parse_documents(data: bytes, path: str) -> ParsedFile:
    """All objects in one manifest file (multi-document YAML, JSON, or ``kind: List``)."""
    out = ParsedFile()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.problems.append(LoadProblem(path, f"not UTF-8: {exc.reason} at byte {exc.start}"))
        return out
    if path.lower().endswith(".json"):
        try:
            _expand(json.loads(text), 1, out, path)
        except json.JSONDecodeError as exc:
            out.problems.append(LoadProblem(path, exc.msg, exc.lineno))
        return out
    starts = _document_starts(text)
    index = 0
    try:
        for index, doc in enumerate(yaml.load_all(text, Loader=SafeLoader)):
            _expand(doc, starts[min(index, len(starts) - 1)], out, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else starts[min(index, len(starts) - 1)]
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        out.problems.append(LoadProblem(path, f"YAML error: {problem}", line))
    except RecursionError:
        out.problems.append(LoadProblem(path, "document nests too deeply"))
    return out
