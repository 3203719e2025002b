"""Normalisation: bookkeeping dropped, equivalent spellings made equal, inputs untouched."""

from __future__ import annotations

import base64
import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.compare.merge_keys import MergeKeys
from driftui.compare.normalise import normalise

KEYS = MergeKeys.builtin()


def test_drops_bookkeeping_and_status() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "uid": "u",
            "resourceVersion": "1",
            "generation": 3,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "selfLink": "/x",
            "managedFields": [{"manager": "m"}],
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
                "deployment.kubernetes.io/revision": "4",
            },
            "labels": {},
        },
        "spec": {"replicas": 2, "paused": None},
        "status": {"replicas": 2},
    }
    assert normalise(obj, KEYS) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 2},
    }


def test_other_annotations_are_kept() -> None:
    obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"annotations": {"a": "b"}}}
    assert normalise(obj, KEYS)["metadata"] == {"annotations": {"a": "b"}}


def test_secret_string_data_folds_into_data() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"a": base64.b64encode(b"old").decode(), "b": "Yg=="},
        "stringData": {"a": "new", "c": "<secret:0123456789ab>"},
    }
    assert normalise(secret, KEYS)["data"] == {
        "a": base64.b64encode(b"new").decode(),
        "b": "Yg==",
        "c": "<secret:0123456789ab>",
    }
    assert "stringData" not in normalise(secret, KEYS)


def test_quantities_and_protocols() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "spec": {
            "containers": [
                {
                    "name": "a",
                    "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}],
                    "resources": {
                        "limits": {"cpu": 0.5, "memory": "1024Mi"},
                        "requests": {"cpu": "1"},
                    },
                }
            ],
            "volumes": [{"name": "t", "emptyDir": {"sizeLimit": "1024Ki"}}],
        },
    }
    container = normalise(pod, KEYS)["spec"]["containers"][0]
    assert container["ports"] == [
        {"containerPort": 80, "protocol": "TCP"},
        {"containerPort": 53, "protocol": "UDP"},
    ]
    assert container["resources"] == {
        "limits": {"cpu": "500m", "memory": "1Gi"},
        "requests": {"cpu": "1"},
    }
    assert normalise(pod, KEYS)["spec"]["volumes"][0]["emptyDir"] == {"sizeLimit": "1Mi"}


def test_service_ports_and_quota() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80}]}}
    assert normalise(svc, KEYS)["spec"]["ports"] == [{"port": 80, "protocol": "TCP"}]
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "spec": {"hard": {"requests.cpu": "0.5"}}}
    assert normalise(quota, KEYS)["spec"]["hard"] == {"requests.cpu": "500m"}
    limit_range = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "spec": {
            "limits": [
                {"type": "Container", "default": {"cpu": "0.2"}, "max": {"memory": "2048Mi"}}
            ]
        },
    }
    assert normalise(limit_range, KEYS)["spec"]["limits"] == [
        {"type": "Container", "default": {"cpu": "200m"}, "max": {"memory": "2Gi"}}
    ]


keys = st.sampled_from(
    [
        "metadata",
        "spec",
        "status",
        "data",
        "stringData",
        "limits",
        "requests",
        "ports",
        "containers",
        "protocol",
        "annotations",
        "labels",
        "uid",
        "cpu",
        "name",
        "x",
    ]
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3000), st.sampled_from(["100m", "1Gi", "0.1", "a"])
)
values = st.recursive(
    scalars,
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(keys, c, max_size=4)),
    max_leaves=20,
)
objects = st.builds(
    lambda kind, body: {"apiVersion": "v1", "kind": kind, **body},
    st.sampled_from(["Secret", "Service", "Pod", "LimitRange", "Widget"]),
    st.dictionaries(keys, values, max_size=5),
)


@settings(max_examples=200)
@given(obj=objects)
def test_idempotent_and_never_mutates(obj: dict[str, Any]) -> None:
    before = copy.deepcopy(obj)
    once = normalise(obj, KEYS)
    assert obj == before
    assert normalise(once, KEYS) == once


def test_null_configmap_and_secret_data_values_read_as_empty() -> None:
    """The server stores null as "" (tests/compare/test_empty_values.py asks it)."""
    from driftui.compare.normalise import null_data_as_empty

    secret: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"k": None, "v": "eA=="},
    }
    assert null_data_as_empty(secret)["data"] == {"k": "", "v": "eA=="}
    assert secret["data"]["k"] is None  # the input is not modified
    config = {"apiVersion": "v1", "kind": "ConfigMap", "binaryData": {"b": None}}
    assert null_data_as_empty(config)["binaryData"] == {"b": ""}
    custom = {"apiVersion": "example.com/v1", "kind": "Secret", "data": {"k": None}}
    assert null_data_as_empty(custom) is custom
