"""Compare one object's desired state (Git) with its live state, and say who changed what.

Both sides are normalised first. A walk driven by Git's fields finds ``changed`` and
``missing_in_live``; every live field Git does not set is then judged by its owners in
``managedFields``: the object's own applier (learned from the object, ``applier.py``) having
applied it, or its ``last-applied-configuration`` listing it, means ``removed_from_git``; a
manager that is neither that applier nor a controller means ``added_outside_git``; server
defaults, controller fields and GitOps tracking markers are context, never drift.

The walk is hand-written (no DeepDiff) because it runs for every object of a scan; when
nothing differs it returns before any ownership index is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from driftui.compare.applier import declared_paths, last_applied_is_appliers, learn_applier
from driftui.compare.defaults import is_bookkeeping, is_schema_default
from driftui.compare.empty import absent_equal, empty
from driftui.compare.ignore import index_in, is_ignored, json_pointer
from driftui.compare.keyed import key_of, keyable, keyed_item, project
from driftui.compare.merge_keys import MergeKeys, key_text
from driftui.compare.normalise import LAST_APPLIED, normalise
from driftui.compare.options import CompareOptions
from driftui.compare.ownership import FieldOwner, Ownership
from driftui.model import Difference, DiffType, KeyedItem, ObjectRef, Path, group_of

SchemaPath = tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    differences: tuple[Difference, ...] = ()
    ignored: int = 0


def compare(
    desired: dict[str, Any],
    live: dict[str, Any],
    options: CompareOptions,
    *,
    predicted: dict[str, Any] | None = None,
    defaulted: dict[str, Any] | None = None,
    normalised_desired: dict[str, Any] | None = None,
) -> Comparison:
    """The differences between Git's object and the live one. Inputs are not modified.

    ``predicted``: a dry-run server-side apply of Git; when given, values of the fields Git
    sets come from it (server-side fidelity). ``defaulted``: the server's defaulted
    rendering of Git, used to recognise defaults a creator's managedFields entry claims.
    ``normalised_desired``: ``desired`` already normalised, when the caller has it anyway.
    """
    merge_keys = options.merge_keys
    want = normalise(desired, merge_keys) if normalised_desired is None else normalised_desired
    have = normalise(live, merge_keys)
    group = group_of(str(live.get("apiVersion") or desired.get("apiVersion", "")))
    kind = str(live.get("kind") or desired.get("kind", ""))
    if predicted is not None:
        want = project(want, normalise(predicted, merge_keys), (), merge_keys, group, kind)
    walk = _Walk(options, group, kind)
    walk.compare(want, have, (), ())
    suspects = [c for c in walk.live_only if _could_drift(c, options, group, kind)]
    if not walk.found and not suspects:
        return Comparison()  # the fast path: no ownership index needed
    judge = _Judge(options, live, group, kind, defaulted, want)
    diffs = [judge.attribute_found(d) for d in walk.found]
    for path, value, parent in suspects:
        diffs.extend(judge.live_only(path, value, parent).differences)
    outcome = _apply_ignore(diffs, options, desired, have, judge.ownership)
    git = want if predicted is None else (normalised_desired or normalise(desired, merge_keys))
    pointed = (replace(d, pointer=json_pointer(d.path, have, git)) for d in outcome.differences)
    return replace(outcome, differences=tuple(pointed))


class _Walk:
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


@dataclass
class _Verdict:
    differences: list[Difference]
    complete: bool  # every leaf below produced the same kind of difference


class _Judge:
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

    def live_only(self, path: Path, value: Any, parent: Any) -> _Verdict:
        if self.options.is_marker(path) or self._is_default(path, value, parent):
            return _Verdict([], complete=False)
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
                return _Verdict(found, complete=False)
        if empty(value):
            return _Verdict([], complete=False)
        verdict = self._verdict(path, value)
        return _Verdict([verdict] if verdict else [], complete=verdict is not None)

    def _live_only_map(self, path: Path, value: dict[str, Any]) -> _Verdict:
        if not value:
            return _Verdict([], complete=False)
        if isinstance(path[-1], KeyedItem):  # a whole list item: one verdict for all of it
            verdict = self._verdict(path, value)
            return _Verdict([verdict] if verdict else [], complete=verdict is not None)
        found: list[Difference] = []
        complete = True
        for key, sub in value.items():
            child = self.live_only((*path, key), sub, value)
            found.extend(child.differences)
            complete = complete and child.complete
        kinds = {(d.type, d.manager) for d in found}
        if complete and len(kinds) == 1 and _collapsible(path):
            first = found[0]
            return _Verdict(
                [Difference(path, first.type, live=value, manager=first.manager, time=first.time)],
                complete=True,
            )
        return _Verdict(found, complete=complete and len(kinds) == 1)

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


def _could_drift(
    candidate: tuple[Path, Any, Any], options: CompareOptions, group: str, kind: str
) -> bool:
    """Cheap pre-check: does any leaf of this live-only subtree escape markers and defaults?

    Defaults from a ``defaulted`` rendering are only consulted later, so this may say yes
    too often, never too rarely.
    """
    path, value, parent = candidate
    if options.is_marker(path) or is_schema_default(group, kind, path, value, parent):
        return False
    if isinstance(value, dict):
        return any(
            _could_drift(((*path, k), v, value), options, group, kind) for k, v in value.items()
        )
    if isinstance(value, list) and not value:
        return False
    return value is not None


# -- helpers ------------------------------------------------------------------------------

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


def _apply_ignore(
    diffs: list[Difference],
    options: CompareOptions,
    desired: dict[str, Any],
    have: dict[str, Any],
    ownership: Ownership,
) -> Comparison:
    ref = ObjectRef.of(desired if desired.get("kind") else have)
    rules = [rule for rule in options.ignore if rule.selects(ref)]
    if not rules:
        return Comparison(tuple(diffs), 0)
    kept: list[Difference] = []
    for diff in diffs:
        owners = [o.manager for o in ownership.owners_under(diff.path)]
        if is_ignored(diff, rules, owners=owners, index_of=lambda p: index_in(have, p)):
            continue
        kept.append(diff)
    return Comparison(tuple(kept), len(diffs) - len(kept))
