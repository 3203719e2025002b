"""Secrets encrypted in Git with SOPS: compared by key names only.

A SOPS file carries a top-level ``sops:`` block (its keys, MAC and dates) and values like
``ENC[AES256_GCM,data:…,type:str]``. driftui holds no decryption key, and compares no
ciphertext with plaintext: every value on both sides becomes one marker, so a key that
Git has and the cluster lacks (or the other way round) is drift, and a value is never
reported as changed. The ``sops:`` block is the file's own bookkeeping, not a field.
Such an object is never sent to the server either (a dry-run would apply the ciphertext).
"""

from __future__ import annotations

from typing import Any

from driftui.compare.masking import is_secret

ENCRYPTED = "<encrypted in Git>"
NOTE = "encrypted in Git (SOPS): compared by key names only"


def is_sops_secret(body: dict[str, Any]) -> bool:
    """A core Secret whose file SOPS encrypted (it has SOPS's metadata block)."""
    meta = body.get("sops")
    return is_secret(body) and isinstance(meta, dict) and ("mac" in meta or "lastmodified" in meta)


def key_names_only(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with ``data`` and ``stringData`` merged into ``data``, every value the marker,
    and no ``sops:`` block. What is compared of a SOPS Secret, on both sides."""
    out = {k: v for k, v in obj.items() if k not in ("sops", "stringData")}
    keys: list[str] = []
    for field in ("data", "stringData"):
        values = obj.get(field)
        if isinstance(values, dict):
            keys += [str(k) for k in values if str(k) not in keys]
    if keys or "data" in obj or "stringData" in obj:
        out["data"] = dict.fromkeys(keys, ENCRYPTED)
    return out
