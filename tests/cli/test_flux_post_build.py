"""A Flux Kustomization's ``postBuild``: driftui substitutes as kustomize-controller does, from
inline variables, a ConfigMap and a Secret, against the real control plane (Flux's CRDs, no
controllers) and Git served on 127.0.0.1. The live objects are what kustomize-controller
leaves: a server-side apply of the substituted objects with Flux's labels. A value read from
a Secret renders the objects and never shows: not in JSON, markdown, diff output or errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import harness
from tests.cluster.crds import GIT_REPOSITORY, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import controller_applied, create, flux_status, hand_edited
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import driftui, make_repo

pytestmark = pytest.mark.cluster

SECRET = "s3cr3t-t0ken-from-a-secret"
SUBSTITUTE = "kustomize.toolkit.fluxcd.io/substitute"
SETTINGS = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-${cluster_env}
data:
  colour: ${colour}
  region: ${region:=eu-west-1}
  zone: ${zone:=zone-a}
  token: ${api_token}
  literal: $${not_a_variable}
"""
RAW = """apiVersion: v1
kind: ConfigMap
metadata:
  name: raw
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  colour: ${colour}
"""
PLAIN = """apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  colour: blue
"""
FILES = {"flux/app/settings.yaml": SETTINGS, "flux/app/raw.yaml": RAW, "flux/plain/cm.yaml": PLAIN}
# what kustomize-controller applied: the substituted objects
APPLIED = {
    "settings-prod": {
        "colour": "blue",  # inline beats the ConfigMap's green
        "region": "us-east-1",  # from the ConfigMap, beating the default
        "zone": "zone-a",  # the default
        "token": SECRET,
        "literal": "${not_a_variable}",
    },
    "raw": {"colour": "${colour}"},  # substitution disabled on it
}


@dataclass
class Flux:
    cluster: ClusterInfo
    ns: str
    url: str
    work: Path

    def run(self, *argv: str, user: str = "admin") -> Any:
        flags = ["--kubeconfig", self.cluster.kubeconfig(user), "-n", self.ns]
        return driftui(*argv, *flags, cwd=self.work)

    def post(self, path: str, body: dict[str, Any]) -> None:
        code, out = harness.request(self.cluster, "POST", path, body)
        assert code == 201, out

    def applied(self, name: str, data: dict[str, str], app: str = "app") -> None:
        annotations = {SUBSTITUTE: "disabled"} if name == "raw" else {}
        labels = {
            "kustomize.toolkit.fluxcd.io/name": app,
            "kustomize.toolkit.fluxcd.io/namespace": self.ns,
        }
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": self.ns,
                "labels": labels,
                "annotations": annotations,
            },
            "data": data,
        }
        controller_applied(self.cluster, body, "kustomize-controller")

    def edit(self, name: str, **data: str) -> None:
        hand_edited(self.cluster, self.ns, name, **data)


@pytest.fixture
def flux(cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path) -> Iterator[Flux]:
    work = make_repo(tmp_path / "work", FILES)
    make_bare(tmp_path / "srv", "deploy.git", work)
    with serve_git(tmp_path / "srv") as base:
        w = Flux(cluster, namespace, f"{base}/deploy.git", work)
        create(
            cluster, GIT_REPOSITORY, namespace, "deploy", {"url": w.url, "ref": {"branch": "main"}}
        )
        yield w


def kustomization(w: Flux, name: str = "app", path: str = "./flux/app", **spec: Any) -> None:
    body = {"path": path, "sourceRef": {"kind": "GitRepository", "name": "deploy"}, **spec}
    create(w.cluster, KUSTOMIZATION, w.ns, name, body, status=flux_status("True", "Succeeded"))


POST_BUILD = {
    "substitute": {"cluster_env": "prod", "colour": "blue"},
    "substituteFrom": [
        {"kind": "ConfigMap", "name": "vars"},
        {"kind": "Secret", "name": "secret-vars"},
        {"kind": "ConfigMap", "name": "not-there", "optional": True},
    ],
}


def with_variables(w: Flux) -> None:
    base = f"/api/v1/namespaces/{w.ns}"
    w.post(
        f"{base}/configmaps",
        {"metadata": {"name": "vars"}, "data": {"region": "us-east-1", "colour": "green"}},
    )
    token = base64.b64encode(f"{SECRET}\n".encode()).decode()  # Flux drops newlines
    w.post(f"{base}/secrets", {"metadata": {"name": "secret-vars"}, "data": {"api_token": token}})
    kustomization(w, postBuild=POST_BUILD)


def statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {o["name"]: o["status"] for o in doc["objects"]}


def test_post_build_substitutes_inline_configmap_and_secret_variables(flux: Flux) -> None:
    w = flux
    with_variables(w)
    for name, data in APPLIED.items():
        w.applied(name, data)

    done = w.run("report", "--format", "json", f"--app=kustomization/{w.ns}/app")

    assert done.returncode == 0, done.stderr + done.stdout
    doc = json.loads(done.stdout)
    assert statuses(doc) == {"settings-prod": "in_sync", "raw": "in_sync"}
    assert doc["problems"] == []
    assert SECRET not in done.stdout + done.stderr


def test_a_secret_value_shows_nowhere_even_where_it_drifted(flux: Flux) -> None:
    w = flux
    with_variables(w)
    for name, data in APPLIED.items():
        w.applied(name, data)
    w.edit("settings-prod", token="changed-by-hand")  # Git (via the Secret) vs live: drift

    app = f"--app=kustomization/{w.ns}/app"
    outputs = [
        w.run("report", "--format", fmt, app) for fmt in ("json", "markdown", "junit", "sarif")
    ]
    outputs.append(w.run("diff", app))

    json_doc = json.loads(outputs[0].stdout)
    assert statuses(json_doc)["settings-prod"] == "drifted"
    [diff] = [d for o in json_doc["objects"] for d in o.get("differences", [])]
    assert diff["path"] in ("data.token", ["data", "token"]) or "token" in json.dumps(diff)
    assert "***" in json.dumps(diff)  # masked, yet the drift itself is reported
    for done in outputs:
        assert done.returncode == 1, done.stderr
        assert SECRET not in done.stdout + done.stderr
    for done in (outputs[0], outputs[-1]):  # the live side is not a Secret's: shown
        assert "changed-by-hand" in done.stdout


def test_a_secret_the_user_cannot_read_is_an_error_on_that_app_alone(flux: Flux) -> None:
    w = flux
    with_variables(w)
    kustomization(w, "plain", "./flux/plain")
    w.applied("plain", {"colour": "blue"}, app="plain")
    for name, data in APPLIED.items():
        w.applied(name, data)

    # `viewer` has the view ClusterRole: ConfigMaps and Flux's kinds, never Secrets
    done = w.run(
        "report",
        "--format",
        "json",
        f"--app=kustomization/{w.ns}/app",
        f"--app=kustomization/{w.ns}/plain",
        user="viewer",
    )

    assert done.returncode == 2
    doc = json.loads(done.stdout)
    assert statuses(doc) == {"plain": "in_sync"}  # the other app still scanned
    [problem] = doc["problems"]
    assert problem["path"] == f"kustomization/{w.ns}/app"
    assert "substitute from 'Secret/secret-vars'" in problem["message"]
    assert "forbidden" in problem["message"]
    assert SECRET not in done.stdout + done.stderr


def test_a_malformed_expression_is_one_error_naming_the_object(flux: Flux) -> None:
    w = flux
    kustomization(w, "broken", "./flux/broken", postBuild={"substitute": {"colour": "blue"}})
    from tests.source.test_render_config import commit

    commit(w.work, {"flux/broken/cm.yaml": PLAIN.replace("blue", "${colour")})
    make_bare(w.work.parent / "srv", "deploy.git", w.work)

    done = w.run("report", "--format", "json", f"--app=kustomization/{w.ns}/broken")

    assert done.returncode == 2
    [problem] = json.loads(done.stdout)["problems"]
    assert "ConfigMap" in problem["message"] and "plain" in problem["message"]
    assert "missing closing brace" in problem["message"]
