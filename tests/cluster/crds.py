"""CustomResourceDefinitions for tests: one namespaced, single-version CRD shape, and the
Argo CD and Flux kinds with their upstream group, version, kind, plural and scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def namespaced_crd(group: str, kind: str, spec_properties: dict[str, Any]) -> dict[str, Any]:
    """A v1 CRD for ``kind`` whose ``spec`` has ``spec_properties`` (defaults included)."""
    plural = kind.lower() + "s"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower()},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {"type": "object", "properties": spec_properties}
                            },
                        }
                    },
                }
            ],
        },
    }


@dataclass(frozen=True)
class UpstreamKind:
    """A GitOps operator's kind exactly as its upstream CRD names it."""

    group: str
    version: str
    kind: str
    plural: str
    scope: str = "Namespaced"
    # Argo CD's Application CRD has no status subresource: its controller writes status
    # with the object. Flux's kinds have one, and their controllers write through it.
    status_subresource: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    def path(self, namespace: str = "", name: str = "") -> str:
        where = f"/namespaces/{namespace}" if namespace else ""
        return f"/apis/{self.group}/{self.version}{where}/{self.plural}" + (
            f"/{name}" if name else ""
        )


# Upstream: argo-cd manifests/crds/application-crd.yaml; fluxcd kustomize-controller,
# source-controller and helm-controller config/crd/bases. All four are namespaced.
APPLICATION = UpstreamKind(
    "argoproj.io", "v1alpha1", "Application", "applications", status_subresource=False
)
KUSTOMIZATION = UpstreamKind("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations")
GIT_REPOSITORY = UpstreamKind("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories")
HELM_RELEASE = UpstreamKind("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases")
GITOPS_KINDS = (APPLICATION, KUSTOMIZATION, GIT_REPOSITORY, HELM_RELEASE)


def upstream_crd(kind: UpstreamKind) -> dict[str, Any]:
    """The CRD of an operator's kind: upstream names and scope, a schema that keeps every
    field (the operators' schemas are huge; driftui reads, never validates, them)."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{kind.plural}.{kind.group}"},
        "spec": {
            "group": kind.group,
            "names": {"kind": kind.kind, "plural": kind.plural, "singular": kind.kind.lower()},
            "scope": kind.scope,
            "versions": [
                {
                    "name": kind.version,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}} if kind.status_subresource else {},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }
