"""Keyed lists: matching list items by their merge keys, and projecting one object onto
the fields another sets. Shared by the comparison and the text diff so both agree."""

from __future__ import annotations

from typing import Any

from driftui.compare.merge_keys import MergeKeys, key_text
from driftui.model import KeyedItem


def key_of(item: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, ...]:
    return tuple(key_text(item[k]) if k in item else None for k in keys)


def keyed_item(item: dict[str, Any], keys: tuple[str, ...]) -> KeyedItem:
    """The path segment of a keyed list item: its merge keys and their values, in key order."""
    return KeyedItem(tuple((k, key_text(item[k])) for k in keys if k in item))


def keyable(items: list[Any], keys: tuple[str, ...]) -> bool:
    """Every item is a map carrying its first key, and no two items share a key."""
    seen = set()
    for item in items:
        if not isinstance(item, dict) or keys[0] not in item:
            return False
        key = key_of(item, keys)
        if key in seen:
            return False
        seen.add(key)
    return True


def project(
    shape: Any, source: Any, schema: tuple[str, ...], merge_keys: MergeKeys, group: str, kind: str
) -> Any:
    """``source``'s values restricted to the fields ``shape`` sets (keyed items by key,
    other lists of the same length item by item)."""
    if isinstance(shape, dict) and isinstance(source, dict):
        return {
            key: project(value, source[key], (*schema, key), merge_keys, group, kind)
            for key, value in shape.items()
            if key in source
        }
    if isinstance(shape, list) and isinstance(source, list):
        keys = merge_keys.keys_for(group, kind, schema)
        if keys and keyable(shape, keys) and keyable(source, keys):
            by_key = {key_of(item, keys): item for item in source}
            return [
                project(item, by_key[key_of(item, keys)], schema, merge_keys, group, kind)
                for item in shape
                if key_of(item, keys) in by_key
            ]
        if len(shape) == len(source):
            return [
                project(s, v, schema, merge_keys, group, kind)
                for s, v in zip(shape, source, strict=True)
            ]
    return source
