"""Which GitOps app owns an object, and which tracking markers say "this source applied me".

Argo CD stamps ``argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<ns>/<name>`` (or,
in label mode, ``app.kubernetes.io/instance: <app>``); Flux stamps
``kustomize.toolkit.fluxcd.io/name`` and ``.../namespace`` labels.
"""

from __future__ import annotations

from typing import Any

from driftui.config import (
    ARGOCD_INSTANCE_LABEL,
    ARGOCD_TRACKING_ANNOTATION,
    FLUX_NAME_LABEL,
    FLUX_NAMESPACE_LABEL,
    TrackingMarkers,
)
from driftui.model import AppOwner


def _meta(obj: dict[str, Any], key: str) -> dict[str, str]:
    value = (obj.get("metadata") or {}).get(key) or {}
    return value if isinstance(value, dict) else {}


def app_owner(obj: dict[str, Any]) -> AppOwner | None:
    annotations, labels = _meta(obj, "annotations"), _meta(obj, "labels")
    tracking = annotations.get(ARGOCD_TRACKING_ANNOTATION)
    if isinstance(tracking, str) and ":" in tracking:
        app = tracking.split(":", 1)[0]
        namespace, _, name = app.rpartition("_")  # apps in any namespace: "<ns>_<app>"
        return AppOwner("argocd", namespace, name)
    flux_name = labels.get(FLUX_NAME_LABEL)
    if flux_name:
        return AppOwner("flux", labels.get(FLUX_NAMESPACE_LABEL, ""), flux_name)
    instance = labels.get(ARGOCD_INSTANCE_LABEL)
    if instance:
        return AppOwner("argocd", "", instance)
    return None


def tracking_values(obj: dict[str, Any], markers: TrackingMarkers) -> set[str]:
    """The marker values an object carries, as ``key=value`` (tracking-id: only its app)."""
    out: set[str] = set()
    annotations, labels = _meta(obj, "annotations"), _meta(obj, "labels")
    for key in markers.annotations:
        value = annotations.get(key)
        if isinstance(value, str) and value:
            app = value.split(":", 1)[0] if key == ARGOCD_TRACKING_ANNOTATION else value
            out.add(f"{key}={app}")
    for key in markers.labels:
        value = labels.get(key)
        if isinstance(value, str) and value:
            out.add(f"{key}={value}")
    return out


def is_controlled(obj: dict[str, Any]) -> bool:
    """Objects made by a controller (ReplicaSets, Pods) copy labels; they are never extras."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return any(isinstance(r, dict) and r.get("controller") for r in refs)
