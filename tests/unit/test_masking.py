"""Secret values never survive masking, and masks still show what changed."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from driftui.compare.masking import LAST_APPLIED, SecretMasker

MASKER = SecretMasker(b"salt-1")


def secret(data: dict[str, str] | None = None, string_data: dict[str, str] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "annotations": {}}}
    if data is not None:
        obj["data"] = data
    if string_data is not None:
        obj["stringData"] = string_data
    obj["metadata"]["annotations"][LAST_APPLIED] = json.dumps(
        {k: v for k, v in obj.items() if k != "metadata"} | {"metadata": {"name": "db"}}
    )
    return obj


def test_token_shape_and_equality() -> None:
    token = MASKER.token(b"hunter2")
    assert token.startswith("<secret:") and token.endswith(">") and len(token) == len("<secret:>") + 12
    assert MASKER.token(b"hunter2") == token
    assert MASKER.token(b"hunter3") != token
    assert SecretMasker(b"salt-2").token(b"hunter2") != token


def test_data_and_string_data_of_equal_values_get_equal_masks() -> None:
    masked = MASKER.mask_object(secret({"a": base64.b64encode(b"pw").decode()}, {"b": "pw"}))
    assert masked["data"]["a"] == masked["stringData"]["b"] == MASKER.token(b"pw")
    applied = json.loads(masked["metadata"]["annotations"][LAST_APPLIED])
    assert applied["data"]["a"] == MASKER.token(b"pw")


def test_masking_twice_is_harmless() -> None:
    once = MASKER.mask_object(secret({"a": "cHc="}, {"b": "x"}))
    assert MASKER.mask_object(once) == once


def test_unreadable_last_applied_is_masked_whole() -> None:
    obj = secret({"a": "cHc="})
    obj["metadata"]["annotations"][LAST_APPLIED] = "{not json pw"
    masked = MASKER.mask_object(obj)
    assert masked["metadata"]["annotations"][LAST_APPLIED].startswith("<secret:")
    assert MASKER.mask_object(masked) == masked


def test_other_kinds_are_untouched() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}
    assert MASKER.mask_object(cm) is cm
    crd_secret = {"apiVersion": "example.com/v1", "kind": "Secret", "data": {"a": "b"}}
    assert MASKER.mask_object(crd_secret) is crd_secret


def test_input_is_not_mutated() -> None:
    obj = secret({"a": "cHc="}, {"b": "x"})
    before = json.dumps(obj, sort_keys=True)
    MASKER.mask_object(obj)
    assert json.dumps(obj, sort_keys=True) == before


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(min_size=3), text=st.text(min_size=3), key=st.text(min_size=1, max_size=5))
def test_no_value_survives(raw: bytes, text: str, key: str) -> None:
    encoded = base64.b64encode(raw).decode()
    encoded_text = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()
    masked = MASKER.mask_object(secret({key: encoded}, {key + "s": text}))
    dump = json.dumps(masked, ensure_ascii=False)
    dump_ascii = json.dumps(masked)
    for needle in (encoded, encoded_text, json.dumps(text)[1:-1]):
        assume(needle not in json.dumps({"key": key, "keys": key + "s"}))
        assume(needle not in "<secret:>0123456789abcdef" and needle not in "kubectl.kubernetes.io/last-applied-configuration")
        assert needle not in dump and needle not in dump_ascii
    try:
        plain = raw.decode()
    except UnicodeDecodeError:
        return
    assume(len(plain) >= 3 and plain not in json.dumps({"k": key, "ks": key + "s"}, ensure_ascii=False))
    assume(plain not in '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","annotations":{}},"data":{},"stringData":{}}<secret:0123456789abcdef> ,:kubectl.kubernetes.io/last-applied-configuration')
    assert plain not in dump
