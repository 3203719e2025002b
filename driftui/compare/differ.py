"""Compare one object's desired state (Git) with its live state, and say who changed what.

Both sides are normalised first. A walk driven by Git's fields finds ``changed`` and
``missing_in_live``; every live field Git does not set is then judged by its owners in
``managedFields``: the object's own applier (learned from the object, ``applier.py``) having
applied it, or its ``last-applied-configuration`` listing it, means ``removed_from_git``; a
manager that is neither that applier nor a controller means ``added_outside_git``; server
defaults, controller fields and GitOps tracking markers are context, never drift.

The walk (:mod:`.field_walk`) is hand-written (no DeepDiff) because it runs for every
object of a scan; when nothing differs it returns before any ownership index is built.
The judging of live-only fields and the naming of managers is :mod:`.attribution`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from driftui.compare.attribution import Judge
from driftui.compare.defaults import is_schema_default
from driftui.compare.field_walk import GitWalk
from driftui.compare.ignore import index_in, is_ignored, json_pointer
from driftui.compare.keyed import project
from driftui.compare.normalise import normalise
from driftui.compare.options import CompareOptions
from driftui.compare.ownership import Ownership
from driftui.model import Difference, ObjectRef, Path, group_of


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
    walk = GitWalk(options, group, kind)
    walk.compare(want, have, (), ())
    suspects = [c for c in walk.live_only if _could_drift(c, options, group, kind)]
    if not walk.found and not suspects:
        return Comparison()  # the fast path: no ownership index needed
    judge = Judge(options, live, group, kind, defaulted, want)
    diffs = [judge.attribute_found(d) for d in walk.found]
    for path, value, parent in suspects:
        diffs.extend(judge.live_only(path, value, parent).differences)
    outcome = _apply_ignore(diffs, options, desired, have, judge.ownership)
    git = want if predicted is None else (normalised_desired or normalise(desired, merge_keys))
    pointed = (replace(d, pointer=json_pointer(d.path, have, git)) for d in outcome.differences)
    return replace(outcome, differences=tuple(pointed))


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
