"""The Git-driven half of a comparison: walk Git's fields against the live object.

It finds what Git sets that the live object lacks or holds otherwise, and collects the
live-only subtrees it meets on the way; judging those is :mod:`.attribution`'s job.
Equal subtrees are settled by one C-level comparison before any field is looked at.
"""

from __future__ import annotations

from typing import Any

from driftui.compare.empty import absent_equal, empty
from driftui.compare.keyed import key_of, keyable, keyed_item
from driftui.compare.merge_keys import SchemaPath
from driftui.compare.options import CompareOptions
from driftui.model import Difference, DiffType, Path


class GitWalk:
    """Git-driven walk: changed and missing fields, plus the live-only subtrees it meets."""

    def __init__(self, options: CompareOptions, group: str, kind: str) -> None:
        self.options = options
        self.group = group
        self.kind = kind
        self.found: list[Difference] = []
        self.live_only: list[tuple[Path, Any, Any]] = []

    def compare(self, want: Any, have: Any, path: Path, schema: SchemaPath) -> None:
        if want == have and type(want) is type(have):
            return  # C-level deep equality settles most subtrees at once
        if isinstance(want, dict) and isinstance(have, dict):
            for key, value in want.items():
                sub = (*path, key)
                if key in have:
                    self.compare(value, have[key], sub, (*schema, key))
                elif not self._absent_equal(value, path) and not self.options.is_marker(sub):
                    self.found.append(Difference(sub, DiffType.MISSING_IN_LIVE, git=value))
            for key, value in have.items():
                if key not in want:
                    self.live_only.append(((*path, key), value, have))
            return
        if isinstance(want, list) and isinstance(have, list):
            keys = self.options.merge_keys.keys_for(self.group, self.kind, schema)
            if keys and keyable(want, keys) and keyable(have, keys):
                self._compare_keyed(want, have, keys, path, schema)
                return
            if not self._atomic_equal(want, have, path):
                self._changed(path, want, have)
            return
        differs = want != have or isinstance(want, bool) != isinstance(have, bool)
        if differs and not (empty(want) and empty(have)):
            self._changed(path, want, have)

    def _absent_equal(self, value: Any, parent: Path) -> bool:
        return absent_equal(value, self.group, parent)

    def _atomic_equal(self, want: Any, have: Any, path: Path) -> bool:
        """Atomic values match when every field Git sets matches; server-filled extras
        don't count, nor Git's empty values the server drops."""
        if isinstance(want, dict) and isinstance(have, dict):
            return all(
                self._atomic_equal(v, have[k], (*path, k))
                if k in have
                else self._absent_equal(v, path)
                for k, v in want.items()
            )
        if isinstance(want, list) and isinstance(have, list):
            return len(want) == len(have) and all(
                self._atomic_equal(w, h, (*path, i))
                for i, (w, h) in enumerate(zip(want, have, strict=True))
            )
        return bool(want == have) and (type(want) is bool) == (type(have) is bool)

    def _changed(self, path: Path, want: Any, have: Any) -> None:
        if not self.options.is_marker(path):
            self.found.append(Difference(path, DiffType.CHANGED, git=want, live=have))

    def _compare_keyed(
        self,
        want: list[Any],
        have: list[Any],
        keys: tuple[str, ...],
        path: Path,
        schema: SchemaPath,
    ) -> None:
        live_items = {key_of(item, keys): item for item in have}
        wanted = set()
        for item in want:
            key = key_of(item, keys)
            wanted.add(key)
            sub = (*path, keyed_item(item, keys))
            if key in live_items:
                self.compare(item, live_items[key], sub, schema)
            else:
                self.found.append(Difference(sub, DiffType.MISSING_IN_LIVE, git=item))
        for key, item in live_items.items():
            if key not in wanted:
                self.live_only.append(((*path, keyed_item(item, keys)), item, have))
