"""Who owns which live field, read from ``metadata.managedFields``.

The API server records, per field manager and operation, the set of fields that manager
last set (FieldsV1). That is the only place that says *who* changed a field and *when*,
so drift classification and attribution both rest on this index.

FieldsV1 keys: ``f:<name>`` a map field, ``k:<json>`` a list item by its key fields,
``v:<json>`` a set item by value, ``i:<n>`` a list item by position, ``.`` the node itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from driftui.compare.merge_keys import MergeKeys, key_text
from driftui.model import KeyedItem, Path, PathSegment, group_of

_Seg = Any  # str | int | ("k", sorted key pairs) | ("v", json text)


@dataclass(frozen=True)
class FieldOwner:
    manager: str
    operation: str  # "Apply" | "Update"
    time: str | None
    subresource: str = ""


class _Node:
    __slots__ = ("children", "owned", "segment")

    def __init__(self, segment: PathSegment | None) -> None:
        self.children: dict[_Seg, _Node] = {}
        self.owned = False
        self.segment = segment


def _canonical(seg: PathSegment) -> _Seg:
    if isinstance(seg, KeyedItem):
        if len(seg.keys) == 1 and seg.keys[0][0] == "":
            return ("v", seg.keys[0][1])
        return ("k", tuple(sorted(seg.keys)))
    return seg


def _parse_key(raw: str) -> tuple[_Seg, PathSegment] | None:
    kind, _, rest = raw.partition(":")
    if kind == "f":
        return rest, rest
    if kind == "i":
        try:
            index = int(rest)
        except ValueError:
            return None
        return index, index
    if kind in ("k", "v"):
        try:
            value = json.loads(rest)
        except ValueError:
            return None
        if kind == "k" and isinstance(value, dict):
            pairs = tuple((str(k), key_text(v)) for k, v in value.items())
            return ("k", tuple(sorted(pairs))), KeyedItem(pairs)
        text = key_text(value)
        return ("v", text), KeyedItem((("", text),))
    return None


def _build(fields: dict[str, Any], node: _Node) -> None:
    if not fields:
        node.owned = True
        return
    for raw, sub in fields.items():
        if raw == ".":
            node.owned = True
            continue
        parsed = _parse_key(raw)
        if parsed is None:
            continue
        seg, display = parsed
        child = node.children.get(seg)
        if child is None:
            child = node.children[seg] = _Node(display)
        _build(sub if isinstance(sub, dict) else {}, child)


@dataclass
class _Entry:
    owner: FieldOwner
    root: _Node


class Ownership:
    """Answers "who owns this field?" for one live object."""

    def __init__(
        self,
        managed_fields: Iterable[dict[str, Any]],
        *,
        merge_keys: MergeKeys | None = None,
        group: str = "",
        kind: str = "",
    ) -> None:
        self._entries: list[_Entry] = []
        self._merge_keys = merge_keys
        self._group = group
        self._kind = kind
        for raw in managed_fields or ():
            if not isinstance(raw, dict):
                continue
            owner = FieldOwner(
                manager=str(raw.get("manager") or ""),
                operation=str(raw.get("operation") or ""),
                time=str(raw["time"]) if raw.get("time") else None,
                subresource=str(raw.get("subresource") or ""),
            )
            root = _Node(None)
            fields = raw.get("fieldsV1")
            if isinstance(fields, dict):
                _build(fields, root)
            self._entries.append(_Entry(owner, root))

    @classmethod
    def of(cls, live: dict[str, Any], merge_keys: MergeKeys | None = None) -> Ownership:
        meta = live.get("metadata") or {}
        return cls(
            meta.get("managedFields") or (),
            merge_keys=merge_keys,
            group=group_of(str(live.get("apiVersion", ""))),
            kind=str(live.get("kind", "")),
        )

    @property
    def entries(self) -> list[FieldOwner]:
        return [entry.owner for entry in self._entries]

    def owners(self, path: Path) -> list[FieldOwner]:
        """Managers owning exactly this field, or an atomic ancestor of it."""
        return [e.owner for e in self._entries if _reach(e.root, path, under=False)]

    def owners_under(self, path: Path) -> list[FieldOwner]:
        """Managers owning this field, an atomic ancestor, or anything beneath it."""
        return [e.owner for e in self._entries if _reach(e.root, path, under=True)]

    def coverage(self, paths: Iterable[Path]) -> list[tuple[FieldOwner, int]]:
        """Per entry (status subresource aside): how many of ``paths`` it owns.

        This is the evidence for an object's applier: the manager that set the fields Git
        declares owns most of them.
        """
        wanted = list(paths)
        return [
            (e.owner, sum(_reach(e.root, p, under=False) for p in wanted))
            for e in self._entries
            if e.owner.subresource != "status"
        ]

    def applied_under(self, manager: str, path: Path) -> bool:
        """Did ``manager`` set this field (or something beneath it) with operation Apply?"""
        return any(
            _reach(e.root, path, under=True)
            for e in self._entries
            if e.owner.manager == manager and e.owner.operation == "Apply"
        )

    def applied_fields(self, manager: str) -> set[Path]:
        """Every field in ``manager``'s operation=Apply entries."""
        out: set[Path] = set()
        for entry in self._entries:
            if entry.owner.manager == manager and entry.owner.operation == "Apply":
                self._collect(entry.root, (), (), out)
        return out

    def _collect(
        self, node: _Node, path: Path, schema_path: tuple[str, ...], out: set[Path]
    ) -> None:
        if node.owned and path:
            out.add(path)
        for child in node.children.values():
            seg = child.segment
            assert seg is not None
            if isinstance(seg, KeyedItem):
                seg = self._ordered(seg, schema_path)
                self._collect(child, (*path, seg), schema_path, out)
            elif isinstance(seg, int):
                self._collect(child, (*path, seg), schema_path, out)
            else:
                self._collect(child, (*path, seg), (*schema_path, seg), out)

    def _ordered(self, item: KeyedItem, schema_path: tuple[str, ...]) -> KeyedItem:
        """Key pairs in merge-key order, so paths equal the ones the differ builds."""
        if self._merge_keys is None:
            return item
        keys = self._merge_keys.keys_for(self._group, self._kind, schema_path)
        if not keys:
            return item
        rank = {key: i for i, key in enumerate(keys)}
        return KeyedItem(tuple(sorted(item.keys, key=lambda kv: rank.get(kv[0], len(rank)))))


def _reach(root: _Node, path: Path, *, under: bool) -> bool:
    node = root
    for seg in path:
        if node.owned and not node.children:
            return True  # an atomic ancestor: the whole subtree is this manager's
        child = node.children.get(_canonical(seg))
        if child is None:
            return False
        node = child
    return True if under else node.owned
