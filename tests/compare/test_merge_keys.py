"""Merge keys from the built-in table and from OpenAPI v3 documents."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from driftui.compare.merge_keys import Keys, MergeKeys, key_text

POD = ("spec", "template", "spec")


def test_builtin_pod_template_lists() -> None:
    keys = MergeKeys.builtin()
    assert keys.keys_for("apps", "Deployment", (*POD, "containers")) == ("name",)
    assert keys.keys_for("apps", "Deployment", (*POD, "initContainers")) == ("name",)
    assert keys.keys_for("apps", "Deployment", (*POD, "containers", "ports")) == (
        "containerPort",
        "protocol",
    )
    assert keys.keys_for("apps", "StatefulSet", (*POD, "containers", "env")) == ("name",)
    assert keys.keys_for("apps", "DaemonSet", (*POD, "volumes")) == ("name",)
    assert keys.keys_for("", "Pod", ("spec", "containers", "volumeMounts")) == ("mountPath",)
    assert keys.keys_for("", "Pod", ("spec", "imagePullSecrets")) == ("name",)
    cron = ("spec", "jobTemplate", "spec", "template", "spec", "containers")
    assert keys.keys_for("batch", "CronJob", cron) == ("name",)
    assert keys.keys_for("", "Service", ("spec", "ports")) == ("port", "protocol")


def test_atomic_lists_have_no_keys() -> None:
    keys = MergeKeys.builtin()
    assert keys.keys_for("apps", "Deployment", (*POD, "tolerations")) is None
    assert keys.keys_for("apps", "Deployment", (*POD, "containers", "args")) is None
    assert keys.keys_for("example.com", "Widget", ("spec", "items")) is None
    assert keys.keys_for("example.com", "Widget", ("metadata", "ownerReferences")) == ("uid",)


def _ref(name: str) -> dict[str, Any]:
    return {"allOf": [{"$ref": f"#/components/schemas/{name}"}], "default": {}}


APPS_V1: dict[str, Any] = {
    "components": {
        "schemas": {
            "io.k8s.api.apps.v1.Deployment": {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"},
                    "spec": _ref("io.k8s.api.apps.v1.DeploymentSpec"),
                },
                "x-kubernetes-group-version-kind": [
                    {"group": "apps", "kind": "Deployment", "version": "v1"}
                ],
            },
            "io.k8s.api.apps.v1.DeploymentSpec": {
                "type": "object",
                "properties": {"template": _ref("io.k8s.api.core.v1.PodTemplateSpec")},
            },
            "io.k8s.api.core.v1.PodTemplateSpec": {
                "type": "object",
                "properties": {"spec": _ref("io.k8s.api.core.v1.PodSpec")},
            },
            "io.k8s.api.core.v1.PodSpec": {
                "type": "object",
                "properties": {
                    "containers": {
                        "type": "array",
                        "items": _ref("io.k8s.api.core.v1.Container"),
                        "x-kubernetes-list-map-keys": ["name"],
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-patch-merge-key": "name",
                        "x-kubernetes-patch-strategy": "merge",
                    },
                    "tolerations": {
                        "type": "array",
                        "items": _ref("io.k8s.api.core.v1.Toleration"),
                        "x-kubernetes-list-type": "atomic",
                    },
                },
            },
            "io.k8s.api.core.v1.Container": {
                "type": "object",
                "properties": {
                    "ports": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/io.k8s.api.core.v1.ContainerPort"},
                        "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-patch-merge-key": "containerPort",
                    },
                    "volumeMounts": {
                        "type": "array",
                        "items": _ref("io.k8s.api.core.v1.VolumeMount"),
                        "x-kubernetes-patch-merge-key": "mountPath",
                        "x-kubernetes-patch-strategy": "merge",
                    },
                },
            },
            "io.k8s.api.core.v1.ContainerPort": {"type": "object", "properties": {}},
            "io.k8s.api.core.v1.VolumeMount": {"type": "object", "properties": {}},
            "io.k8s.api.core.v1.Toleration": {"type": "object", "properties": {}},
        }
    }
}

# JSONSchemaProps refers to itself; the walk must terminate.
APIEXT_V1: dict[str, Any] = {
    "components": {
        "schemas": {
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition": {
                "type": "object",
                "properties": {"spec": _ref("Spec")},
                "x-kubernetes-group-version-kind": [
                    {
                        "group": "apiextensions.k8s.io",
                        "kind": "CustomResourceDefinition",
                        "version": "v1",
                    }
                ],
            },
            "Spec": {"properties": {"schema": _ref("Props")}},
            "Props": {
                "properties": {
                    "not": _ref("Props"),
                    "allOf": {"type": "array", "items": _ref("Props")},
                    "items": _ref("Props"),
                    "x-kubernetes-list-map-keys": {
                        "type": "array",
                        "items": {"type": "string"},
                        "x-kubernetes-list-type": "atomic",
                    },
                }
            },
        }
    }
}


def test_openapi_v3_list_keys() -> None:
    keys = MergeKeys.from_openapi_v3({"apis/apps/v1": APPS_V1})
    assert keys.keys_for("apps", "Deployment", (*POD, "containers")) == ("name",)
    assert keys.keys_for("apps", "Deployment", (*POD, "containers", "ports")) == (
        "containerPort",
        "protocol",
    )
    assert keys.keys_for("apps", "Deployment", (*POD, "containers", "volumeMounts")) == (
        "mountPath",
    )
    assert keys.keys_for("apps", "Deployment", (*POD, "tolerations")) is None
    # a kind the documents do not describe falls back to the built-in table
    assert keys.keys_for("", "Service", ("spec", "ports")) == ("port", "protocol")


def test_recursive_schemas_terminate() -> None:
    keys = MergeKeys.from_openapi_v3({"apis/apiextensions.k8s.io/v1": APIEXT_V1})
    assert keys.knows("apiextensions.k8s.io", "CustomResourceDefinition")
    assert keys.keys_for("apiextensions.k8s.io", "CustomResourceDefinition", ("spec",)) is None


def test_malformed_documents_are_skipped() -> None:
    keys = MergeKeys.from_openapi_v3({"a": {}, "b": {"components": {"schemas": {"x": 3}}}})
    assert keys.keys_for("apps", "Deployment", (*POD, "containers")) == ("name",)


def test_key_text() -> None:
    assert [key_text(v) for v in ("web", 80, True, None)] == ["web", "80", "true", "null"]


def _service_doc(ports: dict[str, Any]) -> dict[str, Any]:
    return {
        "components": {
            "schemas": {
                "io.k8s.api.core.v1.Service": {
                    "type": "object",
                    "properties": {"spec": {"type": "object", "properties": {"ports": ports}}},
                    "x-kubernetes-group-version-kind": [
                        {"group": "", "kind": "Service", "version": "v1"}
                    ],
                }
            }
        }
    }


WIDGETS: dict[str, Any] = {
    "apis/example.com/v1": {
        "components": {
            "schemas": {
                "com.example.v1.Widget": {
                    "type": "object",
                    "x-kubernetes-group-version-kind": [
                        {"group": "example.com", "kind": "Widget", "version": "v1"}
                    ],
                }
            }
        }
    }
}
ATOMIC_PORTS = {"type": "array", "items": {"type": "object"}, "x-kubernetes-list-type": "atomic"}
KEYED_PORTS = {"type": "array", "items": {"type": "object"}, "x-kubernetes-list-map-keys": ["x"]}


def test_a_described_kind_is_its_documents_answer_even_before_it_is_walked() -> None:
    """Kinds are walked when first asked about: until then the document still decides
    (never the built-in table, which keys Service ports), and the first document that
    describes a kind wins, as when every kind was walked up front."""
    keys = MergeKeys.from_openapi_v3({"api/v1": _service_doc(ATOMIC_PORTS), **WIDGETS})
    assert keys.knows("example.com", "Widget")  # no built-in table knows it
    assert keys.knows("", "Service")
    assert keys.keys_for("", "Service", ("spec", "ports")) is None
    both = {"api/v1": _service_doc(KEYED_PORTS), "later": _service_doc(ATOMIC_PORTS)}
    assert MergeKeys.from_openapi_v3(both).keys_for("", "Service", ("spec", "ports")) == ("x",)


def test_threads_asking_first_all_get_the_walked_answer() -> None:
    """Clusters scanned at once share one MergeKeys: a kind's first lookups may race."""

    def ask(keys: MergeKeys) -> Keys | None:
        return keys.keys_for("apps", "Deployment", (*POD, "containers"))

    for _ in range(20):
        keys = MergeKeys.from_openapi_v3({"apis/apps/v1": APPS_V1})
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, [keys] * 64))
        assert answers == [("name",)] * 64
