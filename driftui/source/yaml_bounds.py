"""Bounds on hostile YAML, measured before it can hurt: nesting depth, alias expansion, size.

libyaml's composer recurses in C, so nesting is measured on the text (and, only when the
cheap bound looks suspicious, on the iterative parser's events) before anything is
composed. Aliases are counted on the node graph, and an object's size as JSON with every
alias expanded: what a later deep copy, diff or dump would really cost.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any

import yaml

try:  # libyaml's parser when present; both are safe and iterative.
    _PARSER: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _PARSER = yaml.SafeLoader

MAX_DEPTH = 256
MAX_EXPANDED_NODES = 1_000_000
MAX_OBJECT_BYTES = 3 * 1024 * 1024  # kube-apiserver refuses larger requests
_LEADING_INDICATORS = re.compile(r"[ \t?:-]*")  # matched at the text's start
_LINE_INDICATORS = re.compile(r"\n([ \t?:-]*)")  # after every line break: found in one pass


def too_large(doc: dict[str, Any]) -> str:
    limit = MAX_OBJECT_BYTES // (1024 * 1024)
    return (
        f"{doc['kind']} {doc['metadata']['name']!r} expands to more than {limit} MiB"
        " (the API server's request limit)"
    )


def json_size(value: Any, limit: int) -> int:
    """About how many bytes ``value`` takes as JSON, counting shared (aliased) parts each
    time they appear; stops counting above ``limit``. Linear in the distinct objects."""
    memo: dict[int, int] = {}

    def size(item: Any) -> int:
        if isinstance(item, str):
            return len(item) + 2
        if not isinstance(item, dict | list):
            return _scalar_size(item)
        known = memo.get(id(item))
        if known is not None:
            return known
        total = 2
        pairs = item.items() if isinstance(item, dict) else zip(repeat(_NO_KEY), item)
        for key, child in pairs:
            total += 1 + size(child) + (0 if key is _NO_KEY else size(key) + 1)
            if total > limit:
                break
        memo[id(item)] = min(total, limit + 1)
        return memo[id(item)]

    return size(value)


_NO_KEY = object()


def _scalar_size(item: Any) -> int:
    if item is None or item is True:
        return 4  # null, true
    return 5 if item is False else len(str(item))


def leading_width(text: str) -> int:
    """The most indentation and block indicators (``-``, ``?``, ``:``) any line starts with."""
    first = _LEADING_INDICATORS.match(text)
    after_breaks = max(map(len, _LINE_INDICATORS.findall(text)), default=0)
    return max(after_breaks, len(first.group()) if first else 0)


def nesting_depth(text: str) -> int:
    """An upper bound of the nesting depth, exact when the cheap bound looks suspicious.

    Block nesting needs indentation or a leading ``- ``/``? `` indicator, and flow nesting
    an opening bracket, so the cheap bound is safe. Only above it do we walk libyaml's
    event stream (its parser is iterative, unlike its composer) for the exact depth.
    """
    bound = text.count("[") + text.count("{") + 2 * leading_width(text) + 2
    if bound <= MAX_DEPTH:
        return bound
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=_PARSER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > deepest:
                    deepest = depth
                    if deepest > MAX_DEPTH:
                        return deepest
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml >= 0.2.6 stops at 1000 levels itself
            return max(deepest, MAX_DEPTH + 1)
        # any other error: the real load reports it with its position
    return deepest


def expanded_size(root: yaml.Node, budget: int) -> int | None:
    """Node count with every alias expanded (memoised, so it is cheap); None on a cycle."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            active.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[key] = min(total, budget + 1)
            continue
        if key in sizes:
            continue
        if key in active:
            return None
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
