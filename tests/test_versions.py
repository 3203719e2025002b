"""One object's two versions, field by field (deepdiff), keyed list items by merge key."""

from __future__ import annotations

import copy
from typing import Any

from driftui.compare.ignore import IgnoreRule, parse_pointer
from driftui.compare.merge_keys import MergeKeys
from driftui.live.snapshot import Snapshot
from driftui.versions import FieldChange, compare_audits, field_changes


def deployment(env: list[dict[str, str]], replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "1"},
        "spec": {
            "replicas": replicas,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "side", "image": "side:1"},
                        {"name": "web", "image": "web:1", "env": env},
                    ]
                }
            },
        },
        "status": {"readyReplicas": 1},
    }


def test_keyed_items_are_named_by_their_keys_and_order_is_not_a_change() -> None:
    old = deployment([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    new = copy.deepcopy(old)
    containers = new["spec"]["template"]["spec"]["containers"]
    containers.reverse()  # same containers, other order: no change
    web = containers[0]
    web["image"] = "web:2"
    web["env"] = [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
    new["spec"]["replicas"] = 3
    new["metadata"]["resourceVersion"] = "2"  # server bookkeeping: not a change
    new["status"] = {"readyReplicas": 3}  # status: not a change
    web_path = "spec.template.spec.containers[name=web]"
    assert field_changes(old, new, MergeKeys.builtin()) == (
        FieldChange("spec.replicas", "changed", 2, 3),
        FieldChange(f"{web_path}.env[name=A]", "removed", {"name": "A", "value": "1"}, None),
        FieldChange(f"{web_path}.env[name=B].value", "changed", "2", "3"),
        FieldChange(f"{web_path}.env[name=C]", "added", None, {"name": "C", "value": "4"}),
        FieldChange(f"{web_path}.image", "changed", "web:1", "web:2"),
    )


def test_ignore_rules_drop_fields_by_pointer() -> None:
    old, new = deployment([]), deployment([], replicas=5)
    rule = IgnoreRule(kind="Deployment", json_pointers=(parse_pointer("/spec/replicas"),))
    assert field_changes(old, new, MergeKeys.builtin(), (rule,)) == ()
    other = IgnoreRule(kind="StatefulSet", json_pointers=(parse_pointer("/spec/replicas"),))
    assert len(field_changes(old, new, MergeKeys.builtin(), (other,))) == 1


def test_objects_added_removed_and_changed() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "a"}}
    old = Snapshot(objects=[dict(cm, metadata={"name": "kept", "namespace": "a"}, data={"k": "1"}),
                            dict(cm, metadata={"name": "gone", "namespace": "a"})])  # fmt: skip
    new = Snapshot(objects=[dict(cm, metadata={"name": "kept", "namespace": "a"}, data={"k": "2"}),
                            dict(cm, metadata={"name": "fresh", "namespace": "a"})])  # fmt: skip
    changes = [(str(c.ref), c.change, [f.path for f in c.fields]) for c in compare_audits(old, new)]
    assert changes == [
        ("a/ConfigMap/fresh", "added", []),
        ("a/ConfigMap/gone", "removed", []),
        ("a/ConfigMap/kept", "changed", ["data.k"]),
    ]
