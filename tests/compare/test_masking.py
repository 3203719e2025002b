"""Secret values never survive masking, and masks still show what changed."""

from __future__ import annotations

import base64
import contextlib
import json
import re
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from driftui.compare.masking import LAST_APPLIED, SecretMasker, scrub

MASKER = SecretMasker(b"salt-1")


def secret(
    data: dict[str, str] | None = None, string_data: dict[str, str] | None = None
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "annotations": {}},
    }
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
    assert (
        token.startswith("<secret:") and token.endswith(">") and len(token) == len("<secret:>") + 12
    )
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


TOKEN = re.compile(r"<secret:[0-9a-f]{12}>")


def _visible(obj: dict[str, Any]) -> str:
    """Everything a masked object shows, tokens blanked (their hex is not the value)."""
    return TOKEN.sub("<secret:>", json.dumps(obj, ensure_ascii=False) + json.dumps(obj))


@settings(max_examples=300)
@given(raw=st.binary(min_size=6), text=st.text(min_size=6), key=st.text(min_size=1, max_size=5))
def test_no_value_survives(raw: bytes, text: str, key: str) -> None:
    masked = _visible(
        MASKER.mask_object(secret({key: base64.b64encode(raw).decode()}, {key + "s": text}))
    )
    skeleton = _visible(MASKER.mask_object(secret({key: ""}, {key + "s": ""})))
    needles = [
        base64.b64encode(raw).decode(),
        base64.b64encode(text.encode("utf-8", "surrogatepass")).decode(),
        json.dumps(text, ensure_ascii=False)[1:-1],
        json.dumps(text)[1:-1],
    ]
    with contextlib.suppress(UnicodeDecodeError):
        needles.append(raw.decode())
    for needle in needles:
        assume(needle not in skeleton)
        assert needle not in masked


def test_scrub_takes_every_form_of_a_secret_value_out_of_a_message() -> None:
    plain = "hunter2-value"
    encoded = base64.b64encode(plain.encode()).decode()
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"a": encoded},
        "stringData": {"b": "second-secret", "short": "ab"},
    }
    message = (
        f"admission webhook denied: data.a={encoded} ({plain}), "
        f"b={'second-secret'}, b64={base64.b64encode(b'second-secret').decode()}, ab stays"
    )
    scrubbed = scrub(message, secret)
    for leaked in (plain, encoded, "second-secret", base64.b64encode(b"second-secret").decode()):
        assert leaked not in scrubbed
    assert scrubbed.startswith("admission webhook denied: data.a=<secret:redacted>")
    assert scrubbed.endswith("ab stays")  # values under 3 characters are left
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "hunter2-value"}}
    assert scrub(message, configmap) == message
    assert scrub(message, None) == message
