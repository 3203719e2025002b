"""Ignore rules: differences an operator has decided are not drift.

A rule selects objects by group/kind/namespace/name globs and then fields, either by JSON
pointer (RFC 6901, prefix match, ``*`` matches any one segment) or by the field managers
that own them (``hpa-controller`` owns replicas on purpose).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from driftui.compare.merge_keys import key_text
from driftui.model import Difference, KeyedItem, ObjectRef, Path, PathSegment

Pointer = tuple[str, ...]


class PointerError(ValueError):
    """A string that is not an RFC 6901 JSON pointer."""


def parse_pointer(text: str) -> Pointer:
    """``/metadata/labels/foo~1bar`` -> ``("metadata", "labels", "foo/bar")``."""
    if not isinstance(text, str):
        raise PointerError(f"{text!r} is not a string")
    if not text.startswith("/"):
        raise PointerError(f"{text!r} is not a JSON pointer (it must start with '/')")
    tokens = []
    for raw in text[1:].split("/"):
        if "~" in raw.replace("~0", "").replace("~1", ""):
            raise PointerError(f"{text!r} has a '~' not followed by 0 or 1")
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tuple(tokens)


def format_pointer(pointer: Pointer) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in pointer)


@dataclass(frozen=True)
class IgnoreRule:
    group: str | None = None
    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    json_pointers: tuple[Pointer, ...] = ()
    managers: tuple[str, ...] = ()

    def selects(self, ref: ObjectRef) -> bool:
        """Does this rule apply to the object at all? Unset selectors match anything."""
        return (
            _glob(self.group, ref.group)
            and _glob(self.kind, ref.kind)
            and _glob(self.namespace, ref.namespace)
            and _glob(self.name, ref.name)
        )


def _glob(pattern: str | None, value: str) -> bool:
    return pattern is None or fnmatchcase(value, pattern)


IndexOf = Callable[[Path], int | None]
"""Position of the keyed list item at the end of a path, so pointers may use indices."""


def pointer_matches(pointer: Pointer, path: Path, index_of: IndexOf | None = None) -> bool:
    """Does the pointer name this path or one of its ancestors?"""
    if len(pointer) > len(path):
        return False
    for depth, token in enumerate(pointer):
        if not _token_matches(token, path[depth], path[: depth + 1], index_of):
            return False
    return True


def _token_matches(token: str, seg: PathSegment, prefix: Path, index_of: IndexOf | None) -> bool:
    if token == "*":
        return True
    if isinstance(seg, str):
        return token == seg
    if isinstance(seg, int):
        return token == str(seg)
    if isinstance(seg, KeyedItem):
        # ``env/DEBUG`` or ``ports/80`` (first key) or ``ports/80,TCP`` (all keys).
        values = [value for _, value in seg.keys]
        if values and token in (values[0], ",".join(values)):
            return True
        if token.isdigit() and index_of is not None:
            return index_of(prefix) == int(token)
    return False


def manager_matches(patterns: Iterable[str], managers: Iterable[str]) -> bool:
    names = list(managers)
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def is_ignored(
    difference: Difference,
    rules: Iterable[IgnoreRule],
    *,
    owners: Iterable[str] = (),
    index_of: IndexOf | None = None,
) -> bool:
    """Is this difference dropped by any of the (already object-selected) rules?

    ``owners`` are all managers owning the field; the difference's own manager counts too.
    """
    managers = [*owners, *([difference.manager] if difference.manager else [])]
    for rule in rules:
        if any(pointer_matches(p, difference.path, index_of) for p in rule.json_pointers):
            return True
        if rule.managers and manager_matches(rule.managers, managers):
            return True
    return False


def index_in(doc: Any, path: Path) -> int | None:
    """Position of the item a path ends in, looked up in ``doc`` (for pointer indices)."""
    node = doc
    for depth, seg in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(seg, str):
            if not isinstance(node, dict) or seg not in node:
                return None
            node = node[seg]
        elif isinstance(seg, int):
            if not isinstance(node, list) or seg >= len(node):
                return None
            if last:
                return seg
            node = node[seg]
        else:
            if not isinstance(node, list):
                return None
            position = _find_keyed(node, seg)
            if position is None:
                return None
            if last:
                return position
            node = node[position]
    return None


def _find_keyed(items: list[Any], seg: KeyedItem) -> int | None:
    for position, item in enumerate(items):
        if isinstance(item, dict) and all(
            key in item and key_text(item[key]) == value for key, value in seg.keys
        ):
            return position
    return None


def json_pointer(path: Path, live: Any, git: Any) -> str:
    """The RFC 6901 pointer of ``path``, as Argo CD's ``ignoreDifferences.jsonPointers`` takes it.

    A keyed item becomes its index in the live object, or in Git's when it is not live
    (a ``missing_in_live`` item). Both documents are walked side by side for that reason.
    """
    tokens: list[str] = []
    for seg in path:
        if isinstance(seg, str):
            tokens.append(seg)
            live = live.get(seg) if isinstance(live, dict) else None
            git = git.get(seg) if isinstance(git, dict) else None
            continue
        in_live, in_git = _position(live, seg), _position(git, seg)
        position = in_live if in_live is not None else in_git
        tokens.append(str(position) if position is not None else str(seg))
        live = live[in_live] if in_live is not None else None
        git = git[in_git] if in_git is not None else None
    return format_pointer(tuple(tokens))


def _position(doc: Any, seg: KeyedItem | int) -> int | None:
    if not isinstance(doc, list):
        return None
    if isinstance(seg, int):
        return seg if 0 <= seg < len(doc) else None
    return _find_keyed(doc, seg)
