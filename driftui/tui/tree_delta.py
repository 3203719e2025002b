"""A batch of watch events applied to the explorer's grouped tree in place.

Fifty updates a second arrive in batches twice a second, each of a few dozen objects out of
10,000. Grouping all of them again for every batch cost ~37 ms of the worker (holding the
interpreter lock the keys wait for) and a walk over every tree node on the UI thread
(benchmarks/bench_batch). Here a batch costs what it changed: each changed object leaves
its groups and joins its new ones, and the tree is told which groups' counts changed and
which groups' lists of children may have changed shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from driftui.model import DriftResult
from driftui.tui.health_view import matches
from driftui.tui.scope import Identity, identity
from driftui.tui.search import query_matches
from driftui.tui.status_style import DisplayStatus, display_status
from driftui.tui.tree_model import (
    Group,
    Prepared,
    View,
    group_path,
    owners_of,
    place,
    unplace,
)

Key = tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One object's result before and after a batch; None: not there (new, or gone)."""

    old: DriftResult | None
    new: DriftResult | None


def changes_between(before: Sequence[DriftResult], after: Sequence[DriftResult]) -> list[Change]:
    """What a rejudge changed. It keeps every unchanged result as the very same object in
    the same place, so unless objects came or went this is one pass of pointer compares."""
    if len(before) == len(after):
        changed = [Change(a, b) for a, b in zip(before, after, strict=True) if a is not b]
        if all(identity(c.old) == identity(c.new) for c in changed):  # type: ignore[arg-type]
            return changed
    old = {identity(r): r for r in before}
    new = {identity(r): r for r in after}
    keys = [*old, *(k for k in new if k not in old)]
    return [Change(old.get(k), new.get(k)) for k in keys if old.get(k) is not new.get(k)]


@dataclass
class Touched:
    """What a batch changed in the grouped tree, for the widget to show."""

    counted: set[Key] = field(default_factory=set)  # groups whose counts changed
    reshaped: set[Key] = field(default_factory=set)  # a child group came, went or was remade
    refolded: set[Key] = field(default_factory=set)  # a child group (un)folded or resized
    gone: set[Identity] = field(default_factory=set)  # leaves out of the view or moved away
    leaves: dict[Identity, tuple[Key, DriftResult]] = field(default_factory=dict)  # now here


def in_view(result: DriftResult | None, view: View) -> bool:
    """Whether ``result`` passes the view's filters (the tree lists it)."""
    if result is None:
        return False
    if view.status is not None and not matches(result, view.status):
        return False
    return query_matches(result, view.query)


def apply_changes(
    prepared: Prepared, changes: Sequence[Change], all_results: Sequence[DriftResult]
) -> tuple[Prepared, Touched]:
    """``prepared`` with ``changes`` applied (its index changed in place) and what changed.

    ``all_results``: the report after the batch, read only when an object's owning app
    changed (the header lists the owners)."""
    view, root, touched = prepared.view, prepared.index, Touched()
    counts, shown = dict(prepared.counts), prepared.shown
    for change in changes:
        _count(counts, change)
        old = change.old if in_view(change.old, view) else None
        new = change.new if in_view(change.new, view) else None
        shown += (new is not None) - (old is not None)
        if old is not None or new is not None:
            _move(root, view, old, new, touched)
    owners = prepared.owners
    if any(c.old is None or c.new is None or c.old.owner != c.new.owner for c in changes):
        owners = owners_of(all_results)
    return replace(prepared, counts=counts, shown=shown, owners=owners), touched


def _count(counts: dict[DisplayStatus, int], change: Change) -> None:
    """The header's tallies, over every result whatever the filters."""
    if change.old is not None:
        status = display_status(change.old)
        counts[status] = counts.get(status, 0) - 1
        if counts[status] <= 0:
            del counts[status]
    if change.new is not None:
        status = display_status(change.new)
        counts[status] = counts.get(status, 0) + 1


def _move(
    root: Group, view: View, old: DriftResult | None, new: DriftResult | None, touched: Touched
) -> None:
    """Take ``old`` out of its groups and put ``new`` into its own (either may be None)."""
    old_path = group_path(old, view.grouping, view.frame) if old is not None else None
    new_path = group_path(new, view.grouping, view.frame) if new is not None else None
    paths = [p for p in (old_path, new_path) if p is not None]
    before = {key: _shape(root.find(key)) for key in _prefixes(paths)}
    if old is not None and old_path is not None:
        unplace(root, old, old_path)
    if new is not None and new_path is not None:
        place(root, new, new_path)
    for key, (group, folded, size) in before.items():
        touched.counted.add(key)
        now = root.find(key)
        if not key:
            continue
        if now is not group:
            touched.reshaped.add(key[:-1])  # its row came or went
        elif (folded, size) != _fold_shape(now):
            touched.refolded.add(key[:-1])  # its row moved in or out of the fold, or resized
    if old is not None and (new is None or old_path != new_path):
        touched.gone.add(identity(old))
    if new is not None and new_path is not None:
        touched.leaves[identity(new)] = (new_path, new)


def _prefixes(paths: list[Key]) -> list[Key]:
    """Every group key on the way to each path's group, the root's () first."""
    return list(dict.fromkeys(path[:depth] for path in paths for depth in range(len(path) + 1)))


Shape = tuple[Group | None, bool, int]


def _shape(group: Group | None) -> Shape:
    """What a group's row in its parent depends on, besides its counts: which group it is
    (by identity), and then whether it folds with the in-sync objects, and its size then."""
    return (group, *_fold_shape(group))


def _fold_shape(group: Group | None) -> tuple[bool, int]:
    if group is None:
        return (False, 0)
    folded = group.all_in_sync
    return (folded, group.total if folded else 0)
