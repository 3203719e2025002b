"""SOPS-encrypted Secrets: what is compared of them, and that a sync never applies one."""

from __future__ import annotations

from typing import Any

from driftui.actions.sync_plan import SOPS_UNSYNCABLE, plan_sync
from driftui.compare.sops import ENCRYPTED, is_sops_secret, key_names_only
from driftui.model import DriftResult, Fidelity, Manifest, ObjectRef, Status

SOPS = {"mac": "ENC[AES256_GCM,data:bWFj,type:str]", "lastmodified": "2026-11-30T10:00:00Z"}


def secret(**fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, **fields}


def test_only_secrets_with_sops_metadata_are_sops_secrets() -> None:
    assert is_sops_secret(secret(data={"a": "ENC[x]"}, sops=SOPS))
    assert not is_sops_secret(secret(data={"a": "eA=="}))
    assert not is_sops_secret(secret(sops="not a block"))
    assert not is_sops_secret({**secret(sops=SOPS), "apiVersion": "example.com/v1"})


def test_key_names_only_merges_string_data_and_drops_the_sops_block() -> None:
    body = secret(data={"a": "ENC[1]"}, stringData={"b": "ENC[2]", "a": "ENC[3]"}, sops=SOPS)
    assert key_names_only(body) == secret(data={"a": ENCRYPTED, "b": ENCRYPTED})
    live = secret(data={"a": "<secret:1>", "b": "<secret:2>"}, type="Opaque")
    assert key_names_only(live) == secret(data={"a": ENCRYPTED, "b": ENCRYPTED}, type="Opaque")


def test_a_sync_never_applies_a_sops_secret() -> None:
    ref = ObjectRef("", "Secret", "shop", "db")
    body = secret(data={"a": "ENC[1]"}, sops=SOPS)
    manifest = Manifest(ref, "v1", body, "secret.enc.yaml", "0" * 40)
    missing = DriftResult(ref, "v1", Status.MISSING, Fidelity.CLIENT_SIDE)
    plan = plan_sync([missing], {ref: manifest})
    assert plan.items == [] and plan.not_syncable == [(ref, SOPS_UNSYNCABLE)]
