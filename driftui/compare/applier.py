"""Which manager applies an object's Git state: learned from the object, not assumed.

A fixed list of applier names cannot tell a hand ``kubectl apply --server-side`` beside
Argo CD from a repository that is applied with kubectl. The object can: the manager that
applied the fields Git declares owns most of them. The configured list only breaks ties,
and it is the fallback when managedFields give no evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any

from driftui.compare.keyed import keyable, keyed_item
from driftui.compare.merge_keys import MergeKeys
from driftui.compare.ownership import FieldOwner, Ownership
from driftui.model import Path

LAST_APPLIED_PATH: Path = (
    "metadata",
    "annotations",
    "kubectl.kubernetes.io/last-applied-configuration",
)


def declared_paths(doc: Any, merge_keys: MergeKeys, group: str, kind: str) -> list[Path]:
    """Every leaf Git sets, keyed list items by their merge keys (as managedFields name them)."""
    out: list[Path] = []

    def walk(node: Any, path: Path, schema: tuple[str, ...]) -> None:
        if isinstance(node, dict) and node:
            for key, value in node.items():
                walk(value, (*path, key), (*schema, key))
            return
        if isinstance(node, list) and node:
            keys = merge_keys.keys_for(group, kind, schema)
            if keys and keyable(node, keys):
                for item in node:
                    walk(item, (*path, keyed_item(item, keys)), schema)
                return
        if path:
            out.append(path)

    walk(doc, (), ())
    return out


def learn_applier(
    ownership: Ownership,
    declared: list[Path],
    appliers: tuple[str, ...],
    is_controller: Callable[[str], bool],
) -> str | None:
    """The manager owning most of Git's fields; None when no manager owns any.

    Ties go to an Apply entry, then to the manager the configured list names first, then
    to the newest write. A controller's updates are never evidence, but an Apply of Git's
    fields is, whatever the manager is called (a GitOps tool named like a controller).
    """
    pool = [
        (owner, count)
        for owner, count in ownership.coverage(declared)
        if count and (owner.operation == "Apply" or not is_controller(owner.manager))
    ]
    if not pool:
        return None

    def rank(scored: tuple[FieldOwner, int]) -> tuple[int, bool, int, str]:
        owner, count = scored
        listed = next(
            (i for i, p in enumerate(appliers) if fnmatchcase(owner.manager, p)), len(appliers)
        )
        return (count, owner.operation == "Apply", -listed, owner.time or "")

    return max(pool, key=rank)[0].manager


def last_applied_is_appliers(ownership: Ownership, applier: str | None) -> bool:
    """Is ``last-applied-configuration`` the applier's own record of what it applied?

    Without managedFields (objects from old clients, or read from a file) it is the only
    record there is. Written by another manager (a hand client-side ``kubectl
    apply`` beside a server-side applier), it records that hand's fields, not Git's.
    """
    if applier is None or not ownership.entries:
        return True
    writers = ownership.owners(LAST_APPLIED_PATH)
    return not writers or any(w.manager == applier for w in writers)
