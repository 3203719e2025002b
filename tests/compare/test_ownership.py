"""managedFields (FieldsV1) read into an index of owners."""

from __future__ import annotations

from typing import Any

from driftui.compare.merge_keys import MergeKeys
from driftui.compare.ownership import FieldOwner, Ownership
from driftui.model import KeyedItem

WEB = KeyedItem((("name", "web"),))
PORT = KeyedItem((("containerPort", "80"), ("protocol", "TCP")))
CONTAINERS = ("spec", "template", "spec", "containers")

LIVE = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "managedFields": [
            {
                "manager": "argocd-controller",
                "operation": "Apply",
                "time": "t0",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {"f:finalizers": {'v:"a/b"': {}}},
                    "f:spec": {
                        "f:replicas": {},
                        "f:template": {
                            "f:spec": {
                                "f:tolerations": {},
                                "f:containers": {
                                    'k:{"name":"web"}': {
                                        ".": {},
                                        "f:image": {},
                                        "f:ports": {
                                            'k:{"protocol":"TCP","containerPort":80}': {
                                                ".": {},
                                                "f:containerPort": {},
                                            }
                                        },
                                    }
                                },
                            }
                        },
                    },
                },
            },
            {
                "manager": "kubectl-edit",
                "operation": "Update",
                "time": "t1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:spec": {
                        "f:template": {
                            "f:spec": {"f:containers": {'k:{"name":"web"}': {"f:args": {}}}}
                        }
                    }
                },
            },
            {
                "manager": "kube-controller-manager",
                "operation": "Update",
                "subresource": "status",
                "time": "t2",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": {"f:conditions": {"i:0": {"f:type": {}}}}},
            },
        ]
    },
}

ARGO = FieldOwner("argocd-controller", "Apply", "t0")
EDIT = FieldOwner("kubectl-edit", "Update", "t1")


def test_owners_of_exact_and_atomic_fields() -> None:
    index = Ownership.of(LIVE)
    assert index.owners(("spec", "replicas")) == [ARGO]
    assert index.owners((*CONTAINERS, WEB, "image")) == [ARGO]
    assert index.owners((*CONTAINERS, WEB, "args")) == [EDIT]
    # inside an atomic list the list's owner owns everything
    assert index.owners(("spec", "template", "spec", "tolerations", 0, "key")) == [ARGO]
    assert index.owners(("spec", "template")) == []
    assert index.owners(("spec", "paused")) == []


def test_owners_under_and_key_order() -> None:
    index = Ownership.of(LIVE)
    assert index.owners_under((*CONTAINERS, WEB)) == [ARGO, EDIT]
    assert index.owners((*CONTAINERS, WEB, "ports", PORT)) == [ARGO]
    reversed_keys = KeyedItem((("protocol", "TCP"), ("containerPort", "80")))
    assert index.owners((*CONTAINERS, WEB, "ports", reversed_keys)) == [ARGO]
    status = index.owners_under(("status", "conditions", 0))
    assert [o.subresource for o in status] == ["status"]


def test_applied_fields_in_merge_key_order() -> None:
    index = Ownership.of(LIVE, MergeKeys.builtin())
    applied = index.applied_fields("argocd-controller")
    assert (*CONTAINERS, WEB, "ports", PORT) in applied
    assert (*CONTAINERS, WEB, "image") in applied
    assert ("metadata", "finalizers", KeyedItem((("", "a/b"),))) in applied
    assert index.applied_fields("kubectl-edit") == set()
    assert index.applied_under("argocd-controller", (*CONTAINERS, WEB))
    assert not index.applied_under("argocd-controller", ("spec", "paused"))


def test_garbage_is_tolerated() -> None:
    junk: list[Any] = [
        {"manager": "x", "fieldsV1": {"k:{bad": {}, "z:?": {}, "f:a": "nope"}},
        "junk",
    ]
    index = Ownership(junk)
    assert index.owners(("a",)) == [FieldOwner("x", "", None)]
