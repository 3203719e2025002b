"""Secret values never leave this module in the clear.

Every value is replaced by a keyed HMAC token: equal values give equal tokens (so a
changed key is still visible as a changed mask). The key is never written beside a mask:
screens and previews use a random key that dies with the process (:func:`session_masker`),
and snapshots a key kept outside the file (:mod:`driftui.live.snapshot_key`). So nobody
holding the output can run a dictionary of likely passwords against the tokens.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import secrets
from typing import Any

MASK_PREFIX = "<secret:"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_TOKEN_HEX = 12


def is_masked(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(MASK_PREFIX) and value.endswith(">")


def is_secret(obj: dict[str, Any]) -> bool:
    api_version = str(obj.get("apiVersion", ""))
    return obj.get("kind") == "Secret" and "/" not in api_version


class SecretMasker:
    """Replaces Secret values with ``<secret:1a2b3c4d5e6f>`` tokens."""

    def __init__(self, key: bytes) -> None:
        self._key = bytes(key)

    def token(self, raw: bytes) -> str:
        digest = hmac.new(self._key, raw, hashlib.sha256).hexdigest()
        return f"{MASK_PREFIX}{digest[:_TOKEN_HEX]}>"

    def mask_object(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A masked copy of a core Secret; any other object is returned as it is."""
        if not isinstance(obj, dict) or not is_secret(obj):
            return obj
        out = self._mask_values(obj)
        meta = obj.get("metadata")
        if isinstance(meta, dict):
            meta = dict(meta)
            annotations = meta.get("annotations")
            if isinstance(annotations, dict) and LAST_APPLIED in annotations:
                annotations = dict(annotations)
                annotations[LAST_APPLIED] = self._mask_last_applied(annotations[LAST_APPLIED])
                meta["annotations"] = annotations
            out["metadata"] = meta
        return out

    def _mask_values(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = dict(obj)
        data = obj.get("data")
        if isinstance(data, dict):
            out["data"] = {key: self._mask_encoded(value) for key, value in data.items()}
        elif data is not None:
            out["data"] = self.token(_as_bytes(data))
        string_data = obj.get("stringData")
        if isinstance(string_data, dict):
            out["stringData"] = {key: self._mask_plain(value) for key, value in string_data.items()}
        elif string_data is not None:
            out["stringData"] = self.token(_as_bytes(string_data))
        return out

    def _mask_encoded(self, value: Any) -> Any:
        if value is None or is_masked(value):
            return value
        if isinstance(value, str):
            try:
                raw = base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                raw = value.encode()
            return self.token(raw)
        return self.token(_as_bytes(value))

    def _mask_plain(self, value: Any) -> Any:
        if value is None or is_masked(value):
            return value
        return self.token(_as_bytes(value))

    def _mask_last_applied(self, text: Any) -> str:
        """The annotation re-serialised with its values masked; unreadable ones wholly."""
        if is_masked(text):
            return str(text)
        try:
            applied = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            applied = None
        if not isinstance(applied, dict):
            return self.token(_as_bytes(text))
        masked = self._mask_values(applied)
        inner_meta = masked.get("metadata")
        if isinstance(inner_meta, dict) and isinstance(inner_meta.get("annotations"), dict):
            inner_annotations = dict(inner_meta["annotations"])
            if LAST_APPLIED in inner_annotations:
                inner_annotations[LAST_APPLIED] = self._mask_last_applied(
                    inner_annotations[LAST_APPLIED]
                )
            masked["metadata"] = {**inner_meta, "annotations": inner_annotations}
        return json.dumps(masked, sort_keys=True, separators=(",", ":"))


_SESSION_KEY = secrets.token_bytes(32)


def session_masker() -> SecretMasker:
    """Masks for this process's screens and previews; the key is never stored anywhere."""
    return SecretMasker(_SESSION_KEY)


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value, sort_keys=True).encode()


REDACTED = "<secret:redacted>"
MIN_SCRUBBED = 3  # shorter values would garble ordinary words; no real secret is that short


def scrub(text: str, obj: dict[str, Any] | None) -> str:
    """``text`` (a server's message about ``obj``) with the Secret's values taken out.

    Kubernetes redacts Secret data in its own validation messages, but not every message
    (admission webhooks, conversion errors) is the API server's own. Every form a value
    could be quoted in goes: as stored (base64), decoded, and as plain ``stringData``.
    """
    if not isinstance(obj, dict) or not is_secret(obj):
        return text
    values: set[str] = set()
    for key in ("data", "stringData"):
        section = obj.get(key)
        if not isinstance(section, dict):
            continue
        for value in section.values():
            raw = _as_bytes(value)
            values.add(raw.decode("utf-8", "replace"))
            values.add(base64.b64encode(raw).decode())
            if key == "data":
                with contextlib.suppress(binascii.Error, ValueError):
                    values.add(base64.b64decode(raw, validate=True).decode("utf-8", "replace"))
    for value in sorted(values, key=len, reverse=True):  # longest first: no partial leftovers
        if len(value) >= MIN_SCRUBBED:
            text = text.replace(value, REDACTED)
    return text
