"""CustomResourceDefinitions for tests: one namespaced, single-version CRD shape."""

from __future__ import annotations

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
