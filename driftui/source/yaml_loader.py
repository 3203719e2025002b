"""Parse manifest files into Kubernetes objects, safely and without ever stopping a scan.

Only safe loaders are used (libyaml's CSafeLoader when present). A broken document is
reported with its path and line; the documents around it still load.

Hostile input is bounded before it can hurt:
- nesting deeper than ``MAX_DEPTH`` is refused *before* libyaml composes it (its composer
  recurses in C and crashes the interpreter on a few hundred thousand levels);
- anchors/aliases that would expand to more than ``MAX_EXPANDED_NODES`` nodes per file
  ("billion laughs") are refused, as are self-referencing documents: PyYAML shares aliased
  objects, so loading is cheap, but every later deep copy, diff or JSON dump would expand;
- one object may expand to at most ``MAX_OBJECT_BYTES`` (the API server's own request
  limit), measured in bytes as JSON with aliases expanded: a 1 MB string aliased 300 times
  is a few nodes but 300 MB for every later diff;
- duplicate mapping keys are an error (as in kubectl), not a silent last-one-wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from driftui.model import LoadProblem
from driftui.source.yaml_bounds import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_OBJECT_BYTES,
    expanded_size,
    json_size,
    nesting_depth,
    too_large,
)

try:  # libyaml is ~10x faster; fall back to the pure-Python safe loader.
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
# Alias-free text below this cannot reach the limit as JSON: the worst growth is a flow
# mapping of bare keys, ``{a,b}`` -> ``{"a":null,"b":null}``, 4.5 times.
_MEASURE_ABOVE = MAX_OBJECT_BYTES // 8
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


_PLAIN_TAGS: dict[str, str] = {}  # plain scalar text -> resolved tag (bounded, thread-safe enough)
_PLAIN_TAGS_MAX = 200_000


class SafeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, plus an error for duplicate keys instead of last-one-wins."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """Plain scalars resolve by their text alone, and manifests repeat a lot of text;
        a map or sequence without a tag is a map or sequence (no path resolvers here)."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX and len(value) < 64:
                        _PLAIN_TAGS[value] = tag
                return tag
        elif kind is yaml.MappingNode:
            return _MAP
        elif kind is yaml.SequenceNode:
            return _SEQ
        resolved: str = super().resolve(kind, value, implicit)
        return resolved

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key)
        result: dict[Any, Any] = super().construct_mapping(node, deep)
        return result


# Kubernetes reads YAML into JSON: a date-like scalar stays a string, never a datetime.
SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)

_UNSET = object()


def construct_fast(
    loader: SafeLoader, root: yaml.Node, *, aliased: bool = True, merged: bool = True
) -> Any:
    """Build one document from its nodes, about twice as fast as PyYAML's generic constructor.

    Plain maps, sequences and scalars (the whole of a typical manifest) are built here;
    anything else (merge keys, ``!!set``, unknown tags) goes through PyYAML's safe
    constructor, so the result is the same. Depth is bounded by ``MAX_DEPTH`` beforehand.
    ``aliased``/``merged``: whether the text can hold aliases / merge keys at all; a
    document without (most) skips looking for them at every node.
    """
    memo: dict[int, Any] = {}
    scalar_constructors = loader.yaml_constructors

    def build(node: yaml.Node) -> Any:
        if aliased:
            done = memo.get(id(node), _UNSET)
            if done is not _UNSET:
                return done
        tag = node.tag
        if type(node) is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            constructor = scalar_constructors.get(tag)
            value: Any = (
                constructor(loader, node)
                if constructor is not None
                else loader.construct_object(node, deep=True)
            )
        elif tag == _MAP and type(node) is yaml.MappingNode and not (merged and _has_merge(node)):
            value = {}
            if aliased:
                memo[id(node)] = value
            for key_node, value_node in node.value:
                # a plain string, most keys and values, is taken here rather than in a call
                if type(key_node) is yaml.ScalarNode and key_node.tag == _STR:
                    key = key_node.value
                    seen = key in value
                else:
                    key = build(key_node)
                    try:
                        seen = key in value
                    except TypeError:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping",
                            node.start_mark,
                            "found unhashable key",
                            key_node.start_mark,
                        ) from None
                if seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                if type(value_node) is yaml.ScalarNode and value_node.tag == _STR:
                    value[key] = value_node.value
                else:
                    value[key] = build(value_node)
        elif tag == _SEQ and type(node) is yaml.SequenceNode:
            value = []
            if aliased:
                memo[id(node)] = value
            value.extend(build(item) for item in node.value)
        else:
            value = loader.construct_object(node, deep=True)
        if aliased:
            memo[id(node)] = value
        return value

    return build(root)


def _has_merge(node: yaml.MappingNode) -> bool:
    return any(key.tag == _MERGE_TAG for key, _ in node.value)


@dataclass
class ParsedDocument:
    body: dict[str, Any]
    line: int  # 1-based line where the document (or List item) starts


@dataclass
class ParsedFile:
    documents: list[ParsedDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    skipped: int = 0  # documents without apiVersion/kind


def is_manifest_path(path: str) -> bool:
    return path.lower().endswith(MANIFEST_SUFFIXES)


def is_json_path(path: str) -> bool:
    """Whether :func:`parse_documents` reads ``path`` as JSON (else as YAML): what a parsed
    file is cached and stored under, beside its blob SHA."""
    return path.lower().endswith(".json")


def _is_object(doc: Any) -> bool:
    return isinstance(doc, dict) and bool(doc.get("apiVersion")) and bool(doc.get("kind"))


def _is_list(doc: dict[str, Any]) -> bool:
    kind = doc.get("kind")
    if kind == "List":
        return True
    # PodList, ConfigMapList...: only when it really looks like a list, not a CRD named *List.
    meta = doc.get("metadata")
    named = isinstance(meta, dict) and bool(meta.get("name"))
    return (
        isinstance(kind, str)
        and kind.endswith("List")
        and isinstance(doc.get("items"), list)
        and not named
    )


def _expand(
    doc: Any, line: int, out: ParsedFile, path: str, item_lines: list[int], measure: bool = False
) -> None:
    if doc is None:
        return
    if not isinstance(doc, dict):
        out.problems.append(
            LoadProblem(path, f"document is a {_type_name(doc)}, not a mapping", line)
        )
        return
    if not _is_object(doc):
        out.skipped += 1
        return
    if not isinstance(doc.get("apiVersion"), str) or not isinstance(doc.get("kind"), str):
        out.problems.append(LoadProblem(path, "apiVersion and kind must be strings", line))
        return
    if _is_list(doc):
        items = doc.get("items") or []
        if not isinstance(items, list):
            out.problems.append(LoadProblem(path, "List items must be a sequence", line))
            return
        for index, item in enumerate(items):
            item_line = item_lines[index] if index < len(item_lines) else line
            _expand(item, item_line, out, path, [], measure)
        return
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        out.problems.append(LoadProblem(path, f"{doc['kind']} has no metadata.name", line))
        return
    namespace = meta.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        out.problems.append(LoadProblem(path, "metadata.namespace must be a string", line))
        return
    if measure and json_size(doc, MAX_OBJECT_BYTES) > MAX_OBJECT_BYTES:
        out.problems.append(LoadProblem(path, too_large(doc), line))
        return
    out.documents.append(ParsedDocument(doc, line))


def _type_name(value: Any) -> str:
    return {list: "sequence", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def parse_documents(data: bytes, path: str) -> ParsedFile:
    """All objects in one manifest file (multi-document YAML, JSON, or ``kind: List``)."""
    out = ParsedFile()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8: {exc.reason} at byte {exc.start}"
        out.problems.append(LoadProblem(path, message, line))
        return out
    if is_json_path(path):
        _parse_json(text, path, out)
    else:
        _parse_yaml(text, path, out)
    return out


def _parse_json(text: str, path: str, out: ParsedFile) -> None:
    try:
        doc = json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        out.problems.append(LoadProblem(path, f"JSON error: {exc.msg}", exc.lineno))
        return
    except _DuplicateKey as exc:
        out.problems.append(LoadProblem(path, f"JSON error: duplicate key {exc.args[0]!r}", 1))
        return
    except RecursionError:
        out.problems.append(LoadProblem(path, "document nests too deeply"))
        return
    _expand(doc, 1, out, path, [], len(text) > _MEASURE_ABOVE)


class _DuplicateKey(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _parse_yaml(text: str, path: str, out: ParsedFile) -> None:
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        out.problems.append(LoadProblem(path, f"document nests deeper than {MAX_DEPTH} levels"))
        return
    check_aliases = "&" in text and "*" in text  # no anchor or no alias: nothing can expand
    merges = "<<" in text or "merge" in text  # a merge key: ``<<``, or tagged ``!!merge``
    measure = check_aliases or len(text) > _MEASURE_ABOVE
    budget = MAX_EXPANDED_NODES
    loader = SafeLoader(text)
    line = 1
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1
            if check_aliases:
                size = expanded_size(node, budget)
                if size is None:
                    out.problems.append(LoadProblem(path, "document refers to itself", line))
                    continue
                budget -= size
                if budget < 0:
                    message = f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes"
                    out.problems.append(LoadProblem(path, message, line))
                    return
            try:
                doc = construct_fast(loader, node, aliased=check_aliases, merged=merges)
                _reset_constructor(loader)
            except yaml.constructor.ConstructorError as exc:
                _reset_constructor(loader)
                out.problems.append(_yaml_problem(exc, path, line))
                continue
            _expand(doc, line, out, path, _item_lines(node), measure)
    except yaml.YAMLError as exc:
        out.problems.append(_yaml_problem(exc, path, line))
    except RecursionError:
        out.problems.append(LoadProblem(path, "document nests too deeply", line))
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError, path: str, fallback_line: int) -> LoadProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else fallback_line
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"YAML error: {problem}" + (f" ({context})" if context else "")
    return LoadProblem(path, message, line)


def _reset_constructor(loader: SafeLoader) -> None:
    """Fallback construction (or a failed one) leaves state behind; each document starts clean."""
    loader.constructed_objects = {}
    loader.recursive_objects = {}
    loader.state_generators = []
    loader.deep_construct = False


def _item_lines(node: yaml.Node) -> list[int]:
    """Start lines of the items of a ``kind: List`` document, for precise positions."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key_node, value_node in node.value:
        if (
            isinstance(key_node, yaml.ScalarNode)
            and key_node.value == "items"
            and isinstance(value_node, yaml.SequenceNode)
        ):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []
