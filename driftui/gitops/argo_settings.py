"""Argo CD's own settings that change what its apps own: ``argocd-cm``, read when readable.

``application.resourceTrackingMethod`` says whether Argo CD tracks its objects by the
``app.kubernetes.io/instance`` label, by the ``argocd.argoproj.io/tracking-id`` annotation,
or by the annotation with the label beside it. The ConfigMap lives in the namespace of the
Argo CD control plane: the Application's own namespace, else ``argocd``. One the user cannot
read, or that is not there, leaves driftui's default (both markers count); never an error.
"""

from __future__ import annotations

from driftui.gitops.app_specs import APPLICATION, App
from driftui.gitops.apps import DEFAULT_ARGOCD_NAMESPACE
from driftui.live.client import ClusterClient, object_path
from driftui.live.errors import ApiError

ARGOCD_CM = "argocd-cm"
TRACKING_METHOD_KEY = "application.resourceTrackingMethod"


class ArgoSettings:
    """``argocd-cm`` as the user may read it, each namespace asked once: the apps of one
    Argo CD share its settings, and a scan of fifty apps must not GET them fifty times."""

    def __init__(self, client: ClusterClient) -> None:
        self._client = client
        self._data: dict[str, dict[str, object] | None] = {}  # None: absent or forbidden

    def tracking_method(self, app: App) -> str:
        """The tracking method of the Argo CD that runs ``app``; "" when unknown or not
        Argo's."""
        if app.kind != APPLICATION:
            return ""
        for namespace in dict.fromkeys((app.namespace, DEFAULT_ARGOCD_NAMESPACE)):
            data = self._read(namespace)
            if data is not None:
                return str(data.get(TRACKING_METHOD_KEY) or "").strip()
        return ""

    def _read(self, namespace: str) -> dict[str, object] | None:
        if namespace not in self._data:
            try:
                path = object_path("", "v1", "configmaps", namespace, ARGOCD_CM)
                self._data[namespace] = self._client.get(path).get("data") or {}
            except ApiError:
                self._data[namespace] = None  # perhaps the other namespace
        return self._data[namespace]
