"""Extras: live objects absent from Git that this source's app applied, so a prune may offer them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from driftui.engine.live_side import LiveSide
from driftui.gitops.ignores import skip_object
from driftui.gitops.markers import TrackingMarkers
from driftui.gitops.owners import app_markers, app_owner, is_controlled
from driftui.gitops.prune_guard import object_prune_refusal
from driftui.model import AppOwner, DriftResult, Fidelity, ObjectRef, Status
from driftui.runtime.pacing import give_way


def find_extras(
    live: LiveSide,
    declared: set[ObjectRef],
    apps: set[AppOwner],
    namespaces: set[str],
    tracking: TrackingMarkers,
    candidates: Iterable[ObjectRef] | None = None,
    prune_refused: str = "",
) -> list[DriftResult]:
    """Live objects absent from Git whose whole tracking marker names this source's app.

    Only in the namespaces this source deploys to (and cluster-wide kinds), as
    ``kubectl apply --prune -n`` scopes itself: a scan of one namespace never offers to
    prune the same app's objects in a namespace it was not asked about. ``candidates``: the
    only live objects that may be (those whose markers name one of ``apps``); default all.
    ``prune_refused``: why the app's operator prunes none of them (Flux ``spec.prune:
    false``); an object's own marker (:mod:`~driftui.gitops.prune_guard`) says it for one.
    """
    if not apps:
        return []
    out = []
    objects = live.state.objects
    pairs = objects.items() if candidates is None else _present(objects, candidates)
    for ref, obj in pairs:
        give_way()
        if ref in declared or (ref.namespace and ref.namespace not in namespaces):
            continue
        if is_controlled(obj) or skip_object(obj, Status.EXTRA):
            continue
        claimed = sorted(m for m in app_markers(obj, tracking) if m.app in apps)
        if not claimed:
            continue
        refused = object_prune_refusal(obj) or prune_refused
        reason = f"absent from Git, tracked by {claimed[0]}"
        out.append(
            DriftResult(
                ref,
                str(obj.get("apiVersion", "")),
                Status.EXTRA,
                Fidelity.CLIENT_SIDE,
                reason=f"{reason}; never pruned: {refused}" if refused else reason,
                live=live.masker.mask_object(obj),
                owner=app_owner(obj),
                resource_version=str((obj.get("metadata") or {}).get("resourceVersion", "")),
                marker=claimed[0],
                prune_refused=refused,
            )
        )
    return out


def _present(
    objects: dict[ObjectRef, dict[str, Any]], refs: Iterable[ObjectRef]
) -> Iterator[tuple[ObjectRef, dict[str, Any]]]:
    for ref in dict.fromkeys(refs):
        obj = objects.get(ref)
        if obj is not None:
            yield ref, obj


def tracked_by(
    objects: dict[ObjectRef, dict[str, Any]], tracking: TrackingMarkers
) -> dict[AppOwner, list[ObjectRef]]:
    """Each app's live objects, by the whole markers they carry: read once for many apps'
    extras instead of once per app."""
    out: dict[AppOwner, list[ObjectRef]] = {}
    for ref, obj in objects.items():
        give_way()
        for marker in app_markers(obj, tracking):
            out.setdefault(marker.app, []).append(ref)
    return out
