"""The labels and annotations Argo CD, Flux and Helm stamp on what they apply.

These keys say which app applied an object (:mod:`.owners` reads them) and are context,
never drift, when the comparison meets them. Plain data: nothing here imports driftui.
"""

from __future__ import annotations

from dataclasses import dataclass

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
