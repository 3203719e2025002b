"""One object live in two clusters: normalised as Git against live, so what each API server
invents for its own copy never differs, and Secrets compare by their masks."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from driftui.compare.across import compare_live
from driftui.compare.masking import SecretMasker

SCALARS = st.one_of(st.text(max_size=8), st.integers(), st.booleans())
TREES = st.recursive(
    SCALARS,
    lambda inner: st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
    max_leaves=12,
)


def config_map(data: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "shop", **meta},
        "data": data,
    }


@given(st.dictionaries(st.text(min_size=1, max_size=6), TREES, max_size=4))
def test_an_object_is_the_same_as_itself(spec: dict[str, Any]) -> None:
    obj = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "x"}, "spec": spec}
    assert compare_live(obj, obj).same


def test_what_each_api_server_invents_is_not_a_difference() -> None:
    a = config_map({"x": "1"}, uid="a-uid", resourceVersion="7", creationTimestamp="then")
    b = config_map({"x": "1"}, uid="b-uid", resourceVersion="99", managedFields=[{"m": 1}])
    b["status"] = {"anything": True}
    assert compare_live(a, b).same


def test_the_paths_that_differ_are_named() -> None:
    a = config_map({"color": "red", "size": "1"}, labels={"tier": "web"})
    b = config_map({"color": "blue", "size": "1"})
    assert compare_live(a, b).paths == (("data", "color"), ("metadata", "labels"))


def test_an_object_absent_from_one_cluster_is_not_the_same() -> None:
    found = compare_live(config_map({}), None)
    assert not found.same and found.right is None and found.left is not None


def secret(value: str) -> dict[str, Any]:
    encoded = base64.b64encode(value.encode()).decode()
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": encoded}}


def test_secrets_masked_with_one_key_compare_by_value_and_never_show_it() -> None:
    masker = SecretMasker(b"k" * 32)
    same = compare_live(
        masker.mask_object(secret("hunter2")), masker.mask_object(secret("hunter2"))
    )
    assert same.same
    changed = compare_live(masker.mask_object(secret("hunter2")), masker.mask_object(secret("pw")))
    assert changed.paths == (("data", "k"),)
    shown = repr(changed.left) + repr(changed.right)
    assert "hunter2" not in shown and base64.b64encode(b"hunter2").decode() not in shown
