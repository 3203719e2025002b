"""Extras: live objects absent from Git that this source's app applied, so a prune may offer them."""

from __future__ import annotations

from driftui.engine.live_side import LiveSide
from driftui.gitops.ignores import skip_object
from driftui.gitops.markers import TrackingMarkers
from driftui.gitops.owners import app_markers, app_owner, is_controlled
from driftui.model import AppOwner, DriftResult, Fidelity, ObjectRef, Status
from driftui.runtime.pacing import give_way


def find_extras(
    live: LiveSide,
    declared: set[ObjectRef],
    apps: set[AppOwner],
    namespaces: set[str],
    tracking: TrackingMarkers,
) -> list[DriftResult]:
    """Live objects absent from Git whose whole tracking marker names this source's app.

    Only in the namespaces this source deploys to (and cluster-wide kinds), as
    ``kubectl apply --prune -n`` scopes itself: a scan of one namespace never offers to
    prune the same app's objects in a namespace it was not asked about.
    """
    if not apps:
        return []
    out = []
    for ref, obj in live.state.objects.items():
        give_way()
        if ref in declared or (ref.namespace and ref.namespace not in namespaces):
            continue
        if is_controlled(obj) or skip_object(obj, Status.EXTRA):
            continue
        claimed = sorted(m for m in app_markers(obj, tracking) if m.app in apps)
        if not claimed:
            continue
        out.append(
            DriftResult(
                ref,
                str(obj.get("apiVersion", "")),
                Status.EXTRA,
                Fidelity.CLIENT_SIDE,
                reason=f"absent from Git, tracked by {claimed[0]}",
                live=live.masker.mask_object(obj),
                owner=app_owner(obj),
                resource_version=str((obj.get("metadata") or {}).get("resourceVersion", "")),
                marker=claimed[0],
            )
        )
    return out
