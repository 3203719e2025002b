"""Which GitOps app owns an object, and which whole tracking marker says "this app applied me".

Argo CD stamps ``argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<ns>/<name>`` (or,
in label mode, ``app.kubernetes.io/instance: <app>``); Flux stamps the
``kustomize.toolkit.fluxcd.io/name`` and ``.../namespace`` labels (``helm.toolkit...`` for a
HelmRelease); Helm annotates ``meta.helm.sh/release-name`` and ``release-namespace``.

A marker identifies an app only as a whole. Every object Flux applies carries
``kustomize.toolkit.fluxcd.io/namespace: flux-system``, so that label alone would make every
Flux app's objects look like one app's; the name and namespace labels count only together.
"""

from __future__ import annotations

from typing import Any

from driftui.gitops.markers import (
    ARGOCD_INSTANCE_LABEL,
    ARGOCD_TRACKING_ANNOTATION,
    FLUX_HELM_NAME_LABEL,
    FLUX_HELM_NAMESPACE_LABEL,
    FLUX_NAME_LABEL,
    FLUX_NAMESPACE_LABEL,
    HELM_RELEASE_NAME_ANNOTATION,
    HELM_RELEASE_NAMESPACE_ANNOTATION,
    TrackingMarkers,
)
from driftui.model import AppOwner, ObjectRef, TrackingMarker

# (tool, name key, namespace key): markers made of two keys, and only ever read together
_LABEL_PAIRS = (
    ("flux", FLUX_NAME_LABEL, FLUX_NAMESPACE_LABEL),
    ("helmrelease", FLUX_HELM_NAME_LABEL, FLUX_HELM_NAMESPACE_LABEL),
)
_ANNOTATION_PAIRS = (("helm", HELM_RELEASE_NAME_ANNOTATION, HELM_RELEASE_NAMESPACE_ANNOTATION),)
_PAIRED = {key for pairs in (_LABEL_PAIRS, _ANNOTATION_PAIRS) for _, *keys in pairs for key in keys}


def _meta(obj: dict[str, Any], key: str) -> dict[str, str]:
    value = (obj.get("metadata") or {}).get(key) or {}
    return value if isinstance(value, dict) else {}


def app_owner(obj: dict[str, Any]) -> AppOwner | None:
    annotations, labels = _meta(obj, "annotations"), _meta(obj, "labels")
    tracking = annotations.get(ARGOCD_TRACKING_ANNOTATION)
    if isinstance(tracking, str) and ":" in tracking:
        return _argocd_app(tracking.split(":", 1)[0])
    flux_name = labels.get(FLUX_NAME_LABEL)
    if flux_name:
        return AppOwner("flux", labels.get(FLUX_NAMESPACE_LABEL, ""), flux_name)
    instance = labels.get(ARGOCD_INSTANCE_LABEL)
    if isinstance(instance, str) and instance:
        return _argocd_app(instance)
    return None


def _argocd_app(app: str) -> AppOwner:
    """Argo CD's instance name, in the tracking-id and the instance label alike: the app's
    name, or ``<ns>_<app>`` for an app outside the control namespace (names hold no ``_``)."""
    namespace, _, name = app.rpartition("_")  # apps in any namespace: "<ns>_<app>"
    return AppOwner("argocd", namespace, name)


def _tracking_id_app(value: str, obj: dict[str, Any]) -> AppOwner | None:
    """The app of a tracking-id that names this very object, as Argo CD requires.

    A controller that copies annotations onto another object copies the tracking-id too;
    Argo CD does not count such a copy as the app's, and neither does driftui.
    """
    app, _, rest = value.partition(":")
    group_kind, _, namespace_name = rest.partition(":")
    group, _, kind = group_kind.partition("/")
    namespace, _, name = namespace_name.partition("/")
    ref = ObjectRef.of(obj)
    if not app or (group, kind, namespace, name) != (ref.group, ref.kind, ref.namespace, ref.name):
        return None
    return _argocd_app(app)


def app_markers(obj: dict[str, Any], markers: TrackingMarkers) -> list[TrackingMarker]:
    """Every whole marker an object carries, the strongest kind only.

    Strong markers name one app for certain: a tracking-id that matches the object, or a
    name/namespace pair. Where there is one, a bare instance label (which Helm charts set
    to the release name in every namespace) is not counted as well.
    """
    annotations, labels = _meta(obj, "annotations"), _meta(obj, "labels")
    if labels.keys().isdisjoint(markers.labels) and annotations.keys().isdisjoint(
        markers.annotations
    ):  # no marker key at all: most objects of a cluster no app tracks (a scan asks each)
        return []
    strong: list[TrackingMarker] = []
    tracking = annotations.get(ARGOCD_TRACKING_ANNOTATION)
    if ARGOCD_TRACKING_ANNOTATION in markers.annotations and isinstance(tracking, str):
        app = _tracking_id_app(tracking, obj)
        if app is not None:
            strong.append(TrackingMarker(app, f"{ARGOCD_TRACKING_ANNOTATION}={tracking}"))
    for source, keys, pairs in (
        (labels, markers.labels, _LABEL_PAIRS),
        (annotations, markers.annotations, _ANNOTATION_PAIRS),
    ):
        for tool, name_key, namespace_key in pairs:
            name, namespace = source.get(name_key), source.get(namespace_key)
            if name_key in keys and _text(name) and _text(namespace):
                evidence = f"{name_key}={name}, {namespace_key}={namespace}"
                strong.append(TrackingMarker(AppOwner(tool, str(namespace), str(name)), evidence))
    if strong:
        return strong
    return _single_key_markers(annotations, labels, markers)


def _single_key_markers(
    annotations: dict[str, str], labels: dict[str, str], markers: TrackingMarkers
) -> list[TrackingMarker]:
    out = []
    for source, keys in ((annotations, markers.annotations), (labels, markers.labels)):
        for key in keys:
            value = source.get(key)
            if key in _PAIRED or key == ARGOCD_TRACKING_ANNOTATION or not _text(value):
                continue
            app = _argocd_app(str(value)) if key == ARGOCD_INSTANCE_LABEL else None
            out.append(TrackingMarker(app or AppOwner(key, "", str(value)), f"{key}={value}"))
    return out


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def is_controlled(obj: dict[str, Any]) -> bool:
    """Objects made by a controller (ReplicaSets, Pods) copy labels; they are never extras."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return any(isinstance(r, dict) and r.get("controller") for r in refs)
