"""In-sync verdicts shared by the clusters of one many-cluster scan.

One repository promoted to many clusters meets, in each of them, mostly the same live
objects: the same blob against the same fields, differing only in bookkeeping (uid,
resourceVersion, timestamps, the namespace). Comparing each again was most of a
many-cluster scan's cost. Here a verdict of "in sync" found in one cluster is reused in the
next whose object matches it in everything a comparison reads.

What a comparison reads is all of the live object except ``status`` (normalisation drops
it) and the metadata bookkeeping below. managedFields stay, with each entry's ``time``
replaced by its rank among the object's times: a comparison uses times only to order an
object's own managers, and an in-sync verdict carries no "when". Of a field whose every
value is the server's default (``compare.defaults.any_value_defaults``: a Service's
clusterIP, which differs in every cluster) and that Git does not set, only its presence
counts: the comparison takes it for a default whatever it holds. Drifted verdicts, which
name who changed what when, are never shared. The namespace counts only when an ignore
rule selects by namespace. The fingerprint is a keyed hash (the key lives in this object
only), since Secrets' values are part of what it covers.
"""

from __future__ import annotations

import hashlib
import marshal
import secrets
from typing import Any

from driftui.compare.defaults import any_value_defaults
from driftui.compare.options import CompareOptions
from driftui.model import DriftResult, Fidelity, Manifest, Path, Status
from driftui.runtime.records import replaced

_BLANK = ("value never read",)  # no JSON value decodes to a tuple
_BOOKKEEPING = frozenset(
    {"uid", "resourceVersion", "generation", "creationTimestamp", "namespace", "selfLink"}
)


def _ranked(entries: Any) -> Any:
    """managedFields with each ``time`` replaced by its rank among the object's times."""
    if not isinstance(entries, list):
        return entries
    if len(entries) == 1 and isinstance(entries[0], dict):  # most objects: one manager
        return [{**entries[0], "time": 0}]
    times = sorted({str(e.get("time") or "") for e in entries if isinstance(e, dict)})
    rank = {t: i for i, t in enumerate(times)}
    return [
        {**e, "time": rank[str(e.get("time") or "")]} if isinstance(e, dict) else e for e in entries
    ]


def _comparable(live_raw: dict[str, Any], free: tuple[Path, ...] = ()) -> dict[str, Any]:
    """``live_raw`` without what no comparison reads (see the module docstring); the
    values at ``free`` (paths Git does not set, whose every value is a default) blanked."""
    # Copies, then what no comparison reads taken out: the order stays the object's own,
    # and a C-level copy is quicker than a comprehension that skips as it goes.
    out = dict(live_raw)
    out.pop("status", None)
    meta = live_raw.get("metadata")
    if isinstance(meta, dict):
        kept = dict(meta)
        for name in _BOOKKEEPING:
            kept.pop(name, None)
        if "managedFields" in kept:
            kept["managedFields"] = _ranked(kept["managedFields"])
        out["metadata"] = kept
    for path in free:
        out = _blanked(out, path)
    return out


def _blanked(obj: dict[str, Any], path: Path) -> dict[str, Any]:
    """``obj`` with the value at ``path`` (if there) replaced by :data:`_BLANK`; what it
    shares with ``obj`` is not copied, and ``obj`` is not changed."""
    head, rest = path[0], path[1:]
    if head not in obj:
        return obj
    if not rest:
        return {**obj, head: _BLANK}
    sub = obj[head]
    return {**obj, head: _blanked(sub, rest)} if isinstance(sub, dict) else obj


def _sets(body: Any, path: Path) -> bool:
    """Does Git's object set ``path``?"""
    for seg in path:
        if not isinstance(body, dict) or seg not in body:
            return False
        body = body[seg]
    return True


def _value_free(manifest: Manifest) -> tuple[Path, ...]:
    """The paths whose every value is the server's default (a Service's clusterIP) that Git's
    object does not set: whether the live object has them counts, what they hold never."""
    ref = manifest.ref
    paths = any_value_defaults(ref.group, ref.kind)
    if not paths:  # most kinds: none
        return ()
    return tuple(p for p in paths if not _sets(manifest.body, p))


class SharedVerdicts:
    """Verdicts of "in sync", keyed by everything that decides them; safe across threads."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)
        self._kept: dict[bytes, DriftResult] = {}
        # per CompareOptions: the text that stands for it in keys, whether a rule selects by
        # namespace, and the object itself (so that its id() is not reused while this lives)
        self._options: dict[int, tuple[str, bool, CompareOptions]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def key(
        self,
        manifest: Manifest,
        live_raw: dict[str, Any],
        fidelity: Fidelity,
        options: CompareOptions,
    ) -> bytes | None:
        """The fingerprint of this comparison; None when it cannot be taken."""
        ref = manifest.ref
        said, by_namespace = self._said(options)
        material = [
            ref.group,
            ref.kind,
            ref.name,
            ref.namespace if by_namespace else None,
            manifest.blob_sha,
            manifest.api_version,
            fidelity.value,
            said,
            _comparable(live_raw, _value_free(manifest)),
        ]
        # marshal (version 2: no back-references, which depend on reference counts) is a
        # faithful encoding, ten times faster than JSON: equal bytes are equal content, in
        # the order the server sent it. Content that is equal but ordered or encoded
        # otherwise only misses, and is compared as usual.
        try:
            data = marshal.dumps(material, 2)
        except ValueError:  # a value marshal cannot hold: compare as usual
            return None
        return hashlib.blake2b(data, digest_size=20, key=self._secret).digest()

    def _said(self, options: CompareOptions) -> tuple[str, bool]:
        """What stands for ``options`` in keys, and whether an ignore rule selects by
        namespace; worked out once per options object."""
        known = self._options.get(id(options))
        if known is None or known[2] is not options:
            parts = (options.appliers, options.controllers, options.ignore, options.tracking)
            by_namespace = any(rule.namespace is not None for rule in options.ignore)
            said = f"{id(options.merge_keys)}:{parts!r}"
            known = self._options[id(options)] = (said, by_namespace, options)
        return known[0], known[1]

    def get(self, key: bytes) -> DriftResult | None:
        return self._kept.get(key)

    def put(self, key: bytes, result: DriftResult) -> None:
        """Keep ``result`` if it may be shared: in sync, with no difference to attribute."""
        if result.status is Status.IN_SYNC and not result.differences:
            self._kept.setdefault(key, result)


def adopted(
    kept: DriftResult,
    manifest: Manifest,
    live_obj: dict[str, Any],
    version: str,
    fidelity: Fidelity,
) -> DriftResult:
    """A kept verdict as this cluster's: its object, its live version and masked body."""
    desired = kept.desired
    ns = manifest.ref.namespace
    if desired is not None and kept.ref.namespace != ns:
        meta = desired.get("metadata")
        if isinstance(meta, dict) and "namespace" in meta:
            desired = {**desired, "metadata": {**meta, "namespace": ns}}
    return replaced(
        kept,
        ref=manifest.ref,
        source_file=manifest.source_file,
        source_line=manifest.line,
        blob_sha=manifest.blob_sha,
        origin=manifest.origin,
        desired=desired,
        live=live_obj,
        resource_version=version,
        fidelity=fidelity,
    )
