"""Who set a field: the attribution half of a comparison.

Fields Git sets that differ are named after their best owner in ``managedFields``; live
fields Git does not set are judged by their owners: the object's own applier (learned from
the object, ``applier.py``) having applied them, or its ``last-applied-configuration``
listing them, means ``removed_from_git``; a manager that is neither that applier nor a
controller means ``added_outside_git``; server defaults, controller fields and GitOps
tracking markers are context, never drift. The ownership index is built only here, so a
comparison that finds nothing never builds one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from driftui.compare.applier import declared_paths, last_applied_is_appliers, learn_applier
from driftui.compare.defaults import is_bookkeeping, is_schema_default
from driftui.compare.empty import empty
from driftui.compare.keyed import keyable, keyed_item
from driftui.compare.merge_keys import MergeKeys, SchemaPath, key_text
from driftui.compare.normalise import LAST_APPLIED, normalise
from driftui.compare.options import CompareOptions
from driftui.compare.ownership import FieldOwner, Ownership
from driftui.model import Difference, DiffType, KeyedItem, Path


@dataclass
class LiveOnlyVerdict:
    """A live-only subtree's differences; a complete one may be reported as one."""

    differences: list[Difference]
    complete: bool  # every leaf below produced the same kind of difference


class Judge:
    """Classifies live-only fields by ownership, defaults and last-applied."""

    def __init__(
        self,
        options: CompareOptions,
        live: dict[str, Any],
        group: str,
        kind: str,
        defaulted: dict[str, Any] | None,
        want: dict[str, Any],
    ) -> None:
        self.options = options
        self.group = group
        self.kind = kind
        self.ownership = Ownership.of(live, options.merge_keys)
        declared = declared_paths(want, options.merge_keys, group, kind)
        self.applier = learn_applier(
            self.ownership, declared, options.appliers, options.is_controller
        )
        applied = _last_applied(live, options.merge_keys)
        trusted = last_applied_is_appliers(self.ownership, self.applier)
        self.last_applied = applied if trusted else None
        self.defaulted = normalise(defaulted, options.merge_keys) if defaulted else None

    def _is_applier(self, manager: str) -> bool:
        """This object's own applier; the configured list only when the object gave no clue."""
        if self.applier is not None:
            return manager == self.applier
        return self.options.is_applier(manager)

    def _is_controller(self, manager: str) -> bool:
        return not self._is_applier(manager) and self.options.is_controller(manager)

    # -- attribution --------------------------------------------------------------------

    def _owners(self, path: Path, *, under: bool) -> list[FieldOwner]:
        found = self.ownership.owners_under(path) if under else self.ownership.owners(path)
        return [o for o in found if o.subresource != "status"]

    def _best(self, owners: list[FieldOwner]) -> FieldOwner | None:
        """The manager to name: a hand edit over an applier over a controller, newest first."""
        if not owners:
            return None

        def rank(owner: FieldOwner) -> tuple[int, str]:
            if self._is_applier(owner.manager):
                tier = 1
            elif self._is_controller(owner.manager):
                tier = 0
            else:
                tier = 2
            return (tier, owner.time or "")

        return max(owners, key=rank)

    def attribute_found(self, diff: Difference) -> Difference:
        if diff.type is DiffType.MISSING_IN_LIVE:
            owner = self._best(self._owners(diff.path[:-1], under=False))
        else:
            owner = self._best(self._owners(diff.path, under=False)) or self._best(
                self._owners(diff.path, under=True)
            )
        if owner is None:
            return diff
        return Difference(
            diff.path, diff.type, diff.git, diff.live, manager=owner.manager, time=owner.time
        )

    # -- live-only fields ---------------------------------------------------------------

    def live_only(self, path: Path, value: Any, parent: Any) -> LiveOnlyVerdict:
        if self.options.is_marker(path) or self._is_default(path, value, parent):
            return LiveOnlyVerdict([], complete=False)
        if isinstance(value, dict):
            return self._live_only_map(path, value)
        if isinstance(value, list) and value and not isinstance(path[-1], KeyedItem):
            keys = self.options.merge_keys.keys_for(self.group, self.kind, _schema(path))
            if keys and keyable(value, keys):
                found: list[Difference] = []
                for item in value:
                    found.extend(
                        self.live_only((*path, keyed_item(item, keys)), item, value).differences
                    )
                return LiveOnlyVerdict(found, complete=False)
        if empty(value):
            return LiveOnlyVerdict([], complete=False)
        verdict = self._verdict(path, value)
        return LiveOnlyVerdict([verdict] if verdict else [], complete=verdict is not None)

    def _live_only_map(self, path: Path, value: dict[str, Any]) -> LiveOnlyVerdict:
        if not value:
            return LiveOnlyVerdict([], complete=False)
        if isinstance(path[-1], KeyedItem):  # a whole list item: one verdict for all of it
            verdict = self._verdict(path, value)
            return LiveOnlyVerdict([verdict] if verdict else [], complete=verdict is not None)
        found: list[Difference] = []
        complete = True
        for key, sub in value.items():
            child = self.live_only((*path, key), sub, value)
            found.extend(child.differences)
            complete = complete and child.complete
        kinds = {(d.type, d.manager) for d in found}
        if complete and len(kinds) == 1 and _collapsible(path):
            first = found[0]
            return LiveOnlyVerdict(
                [Difference(path, first.type, live=value, manager=first.manager, time=first.time)],
                complete=True,
            )
        return LiveOnlyVerdict(found, complete=complete and len(kinds) == 1)

    def _verdict(self, path: Path, value: Any) -> Difference | None:
        """removed_from_git for the applier's own fields (its Apply entries, or its
        last-applied record); added_outside_git for another non-controller manager's."""
        owners = self._owners(path, under=True)
        for owner in owners:
            if owner.operation == "Apply" and self._is_applier(owner.manager):
                return self._difference(path, DiffType.REMOVED_FROM_GIT, value, owner)
        if self.last_applied is not None and _lookup(self.last_applied, path) is not _ABSENT:
            # Listed by the last apply, absent from Git: the next apply deletes it, even
            # when no manager owns it (an object without managedFields).
            return self._difference(path, DiffType.REMOVED_FROM_GIT, value, self._best(owners))
        hands = [
            o
            for o in owners
            if not self._is_applier(o.manager) and not self._is_controller(o.manager)
        ]
        if not hands:
            return None  # a server default nobody claims, or the applier's or a controller's
        owner = max(hands, key=lambda o: o.time or "")
        return self._difference(path, DiffType.ADDED_OUTSIDE_GIT, value, owner)

    @staticmethod
    def _difference(path: Path, kind: DiffType, value: Any, owner: FieldOwner | None) -> Difference:
        return Difference(
            path,
            kind,
            live=value,
            manager=owner.manager if owner else None,
            time=owner.time if owner else None,
        )

    def _is_default(self, path: Path, value: Any, parent: Any) -> bool:
        if self.defaulted is not None:
            found = _lookup(self.defaulted, path)
            if found is not _ABSENT and found == value:
                return True
        if is_bookkeeping(path):  # a controller's, unless this object's applier set it
            return not self._set_by_applier(path)
        return is_schema_default(self.group, self.kind, path, value, parent)

    def _set_by_applier(self, path: Path) -> bool:
        owners = self._owners(path, under=True)
        if any(o.operation == "Apply" and self._is_applier(o.manager) for o in owners):
            return True
        return self.last_applied is not None and _lookup(self.last_applied, path) is not _ABSENT


_ABSENT = object()


def _collapsible(path: Path) -> bool:
    """Labels and annotations are reported key by key; anything else as one subtree."""
    return len(path) > 1 and path not in (("metadata", "labels"), ("metadata", "annotations"))


def _schema(path: Path) -> SchemaPath:
    return tuple(seg for seg in path if isinstance(seg, str))


def _lookup(doc: Any, path: Path) -> Any:
    node = doc
    for seg in path:
        if isinstance(seg, str):
            if not isinstance(node, dict) or seg not in node:
                return _ABSENT
            node = node[seg]
        elif isinstance(seg, int):
            if not isinstance(node, list) or not 0 <= seg < len(node):
                return _ABSENT
            node = node[seg]
        else:
            if not isinstance(node, list):
                return _ABSENT
            node = next(
                (
                    item
                    for item in node
                    if isinstance(item, dict)
                    and all(k in item and key_text(item[k]) == v for k, v in seg.keys)
                ),
                _ABSENT,
            )
            if node is _ABSENT:
                return _ABSENT
    return node


def _last_applied(live: dict[str, Any], merge_keys: MergeKeys) -> dict[str, Any] | None:
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(LAST_APPLIED)
    if not isinstance(text, str):
        return None
    try:
        applied = json.loads(text)
    except ValueError:
        return None
    return normalise(applied, merge_keys) if isinstance(applied, dict) else None
