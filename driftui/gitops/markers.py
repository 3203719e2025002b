"""The labels and annotations Argo CD, Flux and Helm stamp on what they apply.

These keys say which app applied an object (:mod:`.owners` reads them) and are context,
never drift, when the comparison meets them. Plain data: nothing here imports driftui.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ARGOCD_TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
ARGOCD_INSTANCE_LABEL = "app.kubernetes.io/instance"
FLUX_NAME_LABEL = "kustomize.toolkit.fluxcd.io/name"
FLUX_NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace"
FLUX_HELM_NAME_LABEL = "helm.toolkit.fluxcd.io/name"
FLUX_HELM_NAMESPACE_LABEL = "helm.toolkit.fluxcd.io/namespace"
HELM_RELEASE_NAME_ANNOTATION = "meta.helm.sh/release-name"
HELM_RELEASE_NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace"


@dataclass(frozen=True)
class TrackingMarkers:
    """Annotations and labels GitOps operators stamp on what they apply.

    Only driftui's defaults and the user's own ``--config`` say which keys count: a
    repository's ``.driftui.yaml`` may not widen what a prune may delete.
    """

    annotations: tuple[str, ...] = (
        ARGOCD_TRACKING_ANNOTATION,
        HELM_RELEASE_NAME_ANNOTATION,
        HELM_RELEASE_NAMESPACE_ANNOTATION,
    )
    labels: tuple[str, ...] = (
        ARGOCD_INSTANCE_LABEL,
        FLUX_NAME_LABEL,
        FLUX_NAMESPACE_LABEL,
        FLUX_HELM_NAME_LABEL,
        FLUX_HELM_NAMESPACE_LABEL,
    )


# Argo CD's application.resourceTrackingMethod (argocd-cm): which of its markers it tracks by
TRACKING_BY_LABEL = "label"
TRACKING_BY_ANNOTATION = "annotation"
TRACKING_BY_BOTH = "annotation+label"  # the label is written too, but only for other tools


def for_tracking_method(markers: TrackingMarkers, method: str) -> TrackingMarkers:
    """``markers`` less the Argo CD marker its tracking method does not track by.

    In ``label`` mode a tracking-id annotation is not Argo CD's; in the annotation modes a
    bare ``app.kubernetes.io/instance`` label (Helm charts set one) is not. Unknown or unset
    (which Argo CD version's default applies cannot be told): both count, as before.
    """
    if method == TRACKING_BY_LABEL:
        kept = tuple(a for a in markers.annotations if a != ARGOCD_TRACKING_ANNOTATION)
        return replace(markers, annotations=kept)
    if method in (TRACKING_BY_ANNOTATION, TRACKING_BY_BOTH):
        return replace(
            markers, labels=tuple(k for k in markers.labels if k != ARGOCD_INSTANCE_LABEL)
        )
    return markers
