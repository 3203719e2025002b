"""Is a kind namespaced? Discovery knows; offline we fall back to a built-in table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from driftui.live.discovery import Discovery
from driftui.model import group_of

CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
    }
)


class ScopeLookup:
    """Answers from discovery when connected, else from snapshot evidence and the table."""

    def __init__(
        self, discovery: Discovery | None = None, evidence: Iterable[dict[str, Any]] = ()
    ) -> None:
        self._discovery = discovery
        self._seen: dict[tuple[str, str], bool] = {}
        for obj in evidence:
            key = (group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", "")))
            namespaced = bool((obj.get("metadata") or {}).get("namespace"))
            self._seen[key] = self._seen.get(key, False) or namespaced

    def is_namespaced(self, group: str, kind: str) -> bool | None:
        """None when the kind is unknown to a connected server."""
        if self._discovery is not None:
            return self._discovery.is_namespaced(group, kind)
        if (group, kind) in self._seen:
            return self._seen[(group, kind)]
        return (group, kind) not in CLUSTER_SCOPED
