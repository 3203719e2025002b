"""Secrets encrypted in Git, against the real control plane.

A SOPS-encrypted Secret is compared by key names only, never as drift of every value, and
is never sent to the server in a dry-run. A SealedSecret is compared with the live
SealedSecret, and the Secret its controller produces is neither compared with it nor an extra.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.compare.sops import NOTE
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

pytestmark = pytest.mark.cluster

LABELS = {"app.kubernetes.io/instance": "shop"}  # Argo CD's tracking label: extras are looked for
SOPS_META = {
    "kms": None,
    "age": [{"recipient": "age1qqqq", "enc": "-----BEGIN AGE ENCRYPTED FILE-----\n..."}],
    "lastmodified": "2026-11-30T10:00:00Z",
    "mac": "ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]",
    "encrypted_regex": "^(data|stringData)$",
    "version": "3.9.1",
}
SEALED = "bitnami.com"
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"sealedsecrets.{SEALED}"},
    "spec": {
        "group": SEALED,
        "names": {"kind": "SealedSecret", "plural": "sealedsecrets", "singular": "sealedsecret"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}


def enc(text: str) -> str:
    return (
        f"ENC[AES256_GCM,data:{base64.b64encode(text.encode()).decode()},iv:aXY=,tag:dGFn,type:str]"
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def sops_secret(ns: str, name: str, keys: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": ns, "labels": LABELS},
        "type": "Opaque",
        "data": {k: enc(f"cipher-{k}") for k in keys},
        "sops": SOPS_META,
    }


def sealed_secret(ns: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{SEALED}/v1alpha1",
        "kind": "SealedSecret",
        "metadata": {"name": "db-sealed", "namespace": ns, "labels": LABELS},
        "spec": {
            "encryptedData": {"password": "AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq"},
            "template": {"metadata": {"name": "db-sealed", "namespace": ns, "labels": LABELS}},
        },
    }


def post(cluster: ClusterInfo, path: str, body: dict[str, Any], manager: str) -> dict[str, Any]:
    status, created = harness.request(cluster, "POST", f"{path}?fieldManager={manager}", body)
    assert status == 201, created
    return dict(created)


@pytest.fixture
def sealed_crd(cluster: ClusterInfo) -> Iterator[None]:
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    status, body = harness.request(cluster, "POST", crds, CRD)
    assert status in (201, 409), body
    for _ in range(300):  # discovery serves the group once the CRD is established
        if harness.request(cluster, "GET", f"/apis/{SEALED}/v1alpha1")[0] == 200:
            break
        time.sleep(0.1)
    yield
    harness.request(cluster, "DELETE", f"{crds}/sealedsecrets.{SEALED}")


def test_sops_secrets_compare_by_key_names_and_sealed_secrets_as_themselves(
    cluster: ClusterInfo, namespace: str, sealed_crd: None, tmp_path: Path
) -> None:
    ns = namespace
    repo = tmp_path / "repo"
    repo.mkdir()
    docs = [sops_secret(ns, "db", ["password", "user"]), sops_secret(ns, "api", ["token"])]
    (repo / "secrets.enc.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    (repo / "sealed.yaml").write_text(yaml.safe_dump(sealed_secret(ns), sort_keys=False))
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "secrets"], check=True)

    secrets = f"/api/v1/namespaces/{ns}/secrets"
    meta = {"namespace": ns, "labels": LABELS}
    # Applied by the operator, decrypted: other values than Git's ciphertext, same keys.
    for name, data in (
        ("db", {"password": "hunter2", "user": "dbuser-7731"}),
        ("api", {"token": "t0k"}),
    ):
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, **meta}}
        post(
            cluster,
            secrets,
            {**body, "type": "Opaque", "data": {k: b64(v) for k, v in data.items()}},
            "argocd-controller",
        )
    status, patched = harness.request(
        cluster,
        "PATCH",
        f"{secrets}/db?fieldManager=kubectl-edit",
        {"data": {"extra": b64("added by hand")}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, patched
    sealed = post(
        cluster,
        f"/apis/{SEALED}/v1alpha1/namespaces/{ns}/sealedsecrets",
        sealed_secret(ns),
        "argocd-controller",
    )
    owner = {
        "apiVersion": f"{SEALED}/v1alpha1",
        "kind": "SealedSecret",
        "name": "db-sealed",
        "uid": sealed["metadata"]["uid"],
        "controller": True,
    }
    produced = {"name": "db-sealed", **meta, "ownerReferences": [owner]}
    post(
        cluster,
        secrets,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": produced,
            "data": {"password": b64("s3")},
        },
        "sealed-secrets-controller",
    )

    argv = [sys.executable, "-m", "driftui", "report", "--repo", str(repo), "-n", ns]
    done = subprocess.run(
        [*argv, "--kubeconfig", cluster.kubeconfig("admin")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    objects = {(o["kind"], o["name"]): o for o in json.loads(done.stdout)["objects"]}
    assert set(objects) == {("Secret", "db"), ("Secret", "api"), ("SealedSecret", "db-sealed")}
    db, api = objects[("Secret", "db")], objects[("Secret", "api")]
    assert db["status"] == "drifted" and db["reason"] == NOTE and db["fidelity"] == "client-side"
    assert [(d["path"], d["type"], d["manager"]) for d in db["differences"]] == [
        ("data.extra", "added_outside_git", "kubectl-edit")
    ]
    assert (api["status"], api["reason"], api["differences"]) == ("in_sync", NOTE, [])
    assert objects[("SealedSecret", "db-sealed")]["status"] == "in_sync"
    for secret in ("hunter2", "dbuser-7731", "t0k", "added by hand", "s3"):
        assert secret not in done.stdout and b64(secret) not in done.stdout
    assert "ENC[" not in json.dumps(db["differences"])
