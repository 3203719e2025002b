"""One object live in two clusters, compared: is staging's ConfigMap what prod runs?

Both sides are live objects, so neither is the desired one: each is normalised exactly as
Git against live normalises the live side (bookkeeping, status, quantities and defaults the
server writes the same way on both), and Secrets arrive already masked by one key, so equal
values compare equal and a changed key shows. What is left are the fields that differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from driftui.compare.merge_keys import MergeKeys
from driftui.compare.normalise import normalise
from driftui.model import Path


@dataclass(frozen=True)
class LiveComparison:
    """Two live objects made comparable, and the paths whose values differ.

    ``left``/``right`` are None where the object does not exist in that cluster.
    """

    left: dict[str, Any] | None
    right: dict[str, Any] | None
    paths: tuple[Path, ...] = ()

    @property
    def same(self) -> bool:
        return self.left is not None and self.right is not None and not self.paths


def comparable(
    live: dict[str, Any] | None, merge_keys: MergeKeys | None = None
) -> dict[str, Any] | None:
    """A live object as a cross-cluster comparison sees it: normalised, without what a
    cluster's own API server invents for it (uid, resourceVersion, managedFields, status)."""
    return None if live is None else normalise(live, merge_keys)


def compare_live(
    left: dict[str, Any] | None,
    right: dict[str, Any] | None,
    merge_keys: MergeKeys | None = None,
) -> LiveComparison:
    """``left`` against ``right``, both masked live objects (with one mask key)."""
    a, b = comparable(left, merge_keys), comparable(right, merge_keys)
    if a is None or b is None:
        return LiveComparison(a, b)
    return LiveComparison(a, b, tuple(_differing(a, b, ())))


def _differing(a: Any, b: Any, path: Path) -> Iterator[Path]:
    """Leaf paths where ``a`` and ``b`` differ; a list that differs is one path (lists are
    shown whole in the diff, and a reordering is a difference between two clusters)."""
    if a == b and type(a) is type(b):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            yield from _differing(a.get(key), b.get(key), (*path, key))
        return
    yield path
