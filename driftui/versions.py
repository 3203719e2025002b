"""Two versions of one object, field by field, for a person to read.

The scan's own comparer answers "does live match Git?" for ten thousand objects at a
time. This answers a person's question about a handful: what a commit changed in this
object, what a revert would change, what happened between Monday's audit and today's.
DeepDiff does the comparing, with list items matched by their merge keys
(``containers[name=web]``) rather than by position. Secret values never reach it in the
clear: callers mask them first, and two snapshots compare by their masks only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from driftui.compare.ignore import IgnoreRule, pointer_matches
from driftui.compare.keyed import key_of, keyed_item
from driftui.compare.masking import is_secret, session_masker
from driftui.compare.merge_keys import MergeKeys
from driftui.compare.normalise import normalise
from driftui.live.snapshot import Snapshot, SnapshotError
from driftui.model import ObjectRef, Path, PathSegment, format_path, group_of

FieldType = Literal["changed", "added", "removed"]
_TYPES: dict[str, FieldType] = {
    "values_changed": "changed",
    "type_changes": "changed",
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
}  # iterable_item_moved is not a change of any field: keyed items are matched by key


@dataclass(frozen=True)
class FieldChange:
    path: str  # driftui's dotted path, keyed list items by their merge keys
    type: FieldType
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditChange:
    ref: ObjectRef
    change: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...] = ()


def _bare(obj: dict[str, Any]) -> dict[str, Any]:
    """Just an object's identity: the other side of a create or a delete."""
    meta = obj.get("metadata") or {}
    kept = {k: meta[k] for k in ("name", "namespace") if k in meta}
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": kept}


def _comparable(obj: dict[str, Any]) -> dict[str, Any]:
    """What a person compares: the normalised object without its status (Argo CD ignores
    status too); server bookkeeping (resourceVersion, managedFields) is gone already."""
    out = normalise(obj)
    out.pop("status", None)
    return out


def compare_audits(
    old: Snapshot,
    new: Snapshot,
    merge_keys: MergeKeys | None = None,
    ignore: tuple[IgnoreRule, ...] = (),
) -> list[AuditChange]:
    """Objects added, removed and changed from ``old`` to ``new``, in identity order."""
    if old.key_id != new.key_id and _has_secrets(old) and _has_secrets(new):
        raise SnapshotError(
            f"the snapshots were masked with different keys ({old.key_id or 'a salt'} and"
            f" {new.key_id or 'a salt'}): their Secrets cannot be compared"
        )
    keys = merge_keys or MergeKeys.builtin()
    before = {ObjectRef.of(o): o for o in old.objects}
    after = {ObjectRef.of(o): o for o in new.objects}
    out: list[AuditChange] = []
    for ref in sorted(set(before) | set(after)):
        if ref not in before:
            out.append(AuditChange(ref, "added"))
        elif ref not in after:
            out.append(AuditChange(ref, "removed"))
        else:
            fields = field_changes(before[ref], after[ref], keys, ignore)
            if fields:
                out.append(AuditChange(ref, "changed", fields))
    return out


def _has_secrets(snapshot: Snapshot) -> bool:
    return any(is_secret(o) for o in snapshot.objects)


def field_changes(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    merge_keys: MergeKeys,
    ignore: tuple[IgnoreRule, ...] = (),
) -> tuple[FieldChange, ...]:
    """One object's two versions, field by field; None is the object not existing yet (or
    any more), so every field it has reads as added (or removed)."""
    either = new or old
    if either is None:
        return ()
    ref = ObjectRef.of(either)
    group, kind = group_of(str(either.get("apiVersion", ""))), str(either.get("kind", ""))
    t1, t2 = _comparable(old or _bare(either)), _comparable(new or _bare(either))

    # Imported here: DeepDiff (with pydantic) is a sixth of a second to import, and a scan
    # or `driftui report` never compares versions field by field.
    from deepdiff import DeepDiff
    from deepdiff.helper import CannotCompare

    def same_item(x: Any, y: Any, level: Any = None) -> bool:
        keys = merge_keys.keys_for(group, kind, _schema(level.path(output_format="list")))
        if not keys or not isinstance(x, dict) or not isinstance(y, dict) or keys[0] not in x:
            raise CannotCompare() from None
        return key_of(x, keys) == key_of(y, keys)

    diff = DeepDiff(t1, t2, view="tree", iterable_compare_func=same_item)
    out = []
    for report_type, levels in diff.items():
        kind_of_change = _TYPES.get(report_type)
        if kind_of_change is None:
            continue
        for level in levels:
            path = _keyed(level, merge_keys, group, kind)
            if _ignored(ref, path, ignore):
                continue
            out.append(
                FieldChange(format_path(path), kind_of_change, _value(level.t1), _value(level.t2))
            )
    return tuple(sorted(out, key=lambda c: c.path))


def _ignored(ref: ObjectRef, path: Path, rules: tuple[IgnoreRule, ...]) -> bool:
    """The config's ignore rules by pointer (an audit has no managers to match)."""
    return any(
        pointer_matches(pointer, path)
        for rule in rules
        if rule.selects(ref)
        for pointer in rule.json_pointers
    )


def _schema(path: Sequence[Any]) -> tuple[str, ...]:
    """The map keys along a path: what merge keys are declared against."""
    return tuple(seg for seg in path if isinstance(seg, str))


def _keyed(level: Any, merge_keys: MergeKeys, group: str, kind: str) -> Path:
    """DeepDiff's path with list items named by their merge keys where the list has them.

    The chain of DiffLevels holds each item itself on both sides, so a keyed item is
    named from its own keys, whichever position it had in either version.
    """
    chain = []
    while level is not None:
        chain.append(level)
        level = level.up
    chain.reverse()
    out: list[PathSegment] = []
    for parent, node in pairwise(chain):
        rel = parent.t2_child_rel or parent.t1_child_rel
        container = parent.t2 if isinstance(parent.t2, list | dict) else parent.t1
        if not isinstance(container, list):
            out.append(str(rel.param))
            continue
        keys = merge_keys.keys_for(group, kind, _schema(out))
        item = node.t1 if _absent(node.t2) else node.t2
        usable = keys is not None and isinstance(item, dict) and keys[0] in item
        out.append(keyed_item(item, keys) if usable and keys else int(rel.param))
    return tuple(out)


def _absent(value: Any) -> bool:
    return type(value).__name__ == "NotPresent"


def _value(value: Any) -> Any:
    """DeepDiff's "not present" marker as JSON's null."""
    return None if _absent(value) else value


def version_fields(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    ignore: tuple[IgnoreRule, ...] = (),
) -> tuple[FieldChange, ...]:
    """What one commit (or a revert) changes in an object, Secret values masked first: the
    masks are this process's, so a changed key still shows as a changed mask."""
    masker = session_masker()
    return field_changes(
        masker.mask_object(before) if before is not None else None,
        masker.mask_object(after) if after is not None else None,
        MergeKeys.builtin(),
        ignore,
    )


def fields_json(fields: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
    return [{"path": f.path, "type": f.type, "before": f.before, "after": f.after} for f in fields]


def field_line(field: FieldChange) -> str:
    """``changed spec.replicas: 2 -> 3``, values as JSON."""
    before, after = json.dumps(field.before, default=str), json.dumps(field.after, default=str)
    return f"{field.type} {field.path}: {before} -> {after}"
