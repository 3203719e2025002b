"""Field blame: the commit that last set each value Git has now, from the object's own history."""

from __future__ import annotations

import copy
from typing import Any

from driftui.compare.merge_keys import key_text
from driftui.history.entry import HistoryEntry
from driftui.history.walk import object_history
from driftui.model import KeyedItem, ObjectRef, Path
from driftui.source.render import (
    Renderer,
)

_ABSENT = object()


def _item_matches(item: Any, seg: KeyedItem) -> bool:
    for key, want in seg.keys:
        if key == "":  # a set item, matched by value
            if key_text(item) != want:
                return False
            continue
        if not isinstance(item, dict):
            return False
        if key in item:
            if key_text(item[key]) != want:
                return False
        elif not (key == "protocol" and want == "TCP"):  # the API server's default
            return False
    return True


def value_at(body: Any, path: Path) -> Any:
    """The value at ``path`` in ``body``, or ``_ABSENT`` (compare with ``is``)."""
    node = body
    for seg in path:
        if isinstance(seg, KeyedItem):
            if not isinstance(node, list):
                return _ABSENT
            node = next((item for item in node if _item_matches(item, seg)), _ABSENT)
        elif isinstance(seg, int):
            if not isinstance(node, list) or not -len(node) <= seg < len(node):
                return _ABSENT
            node = node[seg]
        else:
            if not isinstance(node, dict) or seg not in node:
                return _ABSENT
            node = node[seg]
        if node is _ABSENT:
            return _ABSENT
    return node


def is_absent(value: Any) -> bool:
    return value is _ABSENT


def field_blame(
    repo_path: str,
    ref: str,
    ref_obj: ObjectRef,
    paths: list[Path],
    *,
    path: str = "",
    default_namespace: str = "default",
    renderer: Renderer | None = None,
) -> dict[Path, HistoryEntry]:
    """For each field path, the commit that last set (or removed) the value Git has now.

    Paths whose value never changed in the object's history are left out.
    """
    history = object_history(
        repo_path, ref, ref_obj, path=path, default_namespace=default_namespace, renderer=renderer
    )
    out: dict[Path, HistoryEntry] = {}
    for field_path in paths:
        for entry in history:  # newest first
            if value_at(entry.after, field_path) != value_at(entry.before, field_path):
                out[field_path] = entry
                break
    return out


def entry_diff_bodies(entry: HistoryEntry) -> tuple[dict[str, Any], dict[str, Any]]:
    """Copies of (before, after) safe to mask or normalise for a diff view."""
    return copy.deepcopy(entry.before or {}), copy.deepcopy(entry.after or {})
