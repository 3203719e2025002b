"""A self-contained demo: a GitOps repository with real history and a drifted live snapshot.

``driftui demo`` must work on a fresh machine with no cluster and no network, and show
every kind of drift the engine knows. Everything here is deterministic (fixed names,
fixed dates, a public snapshot key) so that screenshots and snapshot tests are reproducible.

The repository is built with real ``git`` commands; the live objects look like what a
kube-apiserver returns (server defaults, status, ``managedFields`` in FieldsV1 format).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from driftui.compare.masking import SecretMasker
from driftui.live.snapshot import Snapshot, write_snapshot
from driftui.live.snapshot_key import key_from_phrase
from driftui.model import ObjectRef, group_of

Obj = dict[str, Any]

TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
ARGOCD_MANAGER = "argocd-controller"
# The demo's Secrets are made up, so its snapshot key is a public phrase: run
# `DRIFTUI_SNAPSHOT_KEY=driftui-demo driftui diff --live live-snapshot.json` to reuse it.
DEMO_KEY_PHRASE = "driftui-demo"
DEMO_KEY = key_from_phrase(DEMO_KEY_PHRASE, "the demo")
DEMO_CONTEXT = "demo-cluster"
DEMO_SERVER = "https://demo.invalid:6443"

_START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
_STEP = timedelta(hours=19, minutes=7)

_AUTHORS = {
    "alice": ("Alice Moreau", "alice@shop.example"),
    "bob": ("Bob Okafor", "bob@shop.example"),
    "carol": ("Carol Jensen", "carol@shop.example"),
    "dave": ("Dave Kim", "dave@payments.example"),
    "erin": ("Erin Walsh", "erin@shop.example"),
}

# Every plaintext Secret value the demo uses (Git history and the live edit). Tests assert
# that none of them, nor their base64 form, ever appears in the snapshot.
SECRET_PLAINTEXTS: tuple[str, ...] = (
    "payments_app",
    "Initial-Passw0rd-9f3c",
    "Rotated-Passw0rd-7b21",
    "Hand-Edited-Passw0rd-0000",
    "postgres://db.payments.svc:5432/payments",
)


@dataclass(frozen=True)
class DemoFixture:
    repo: Path
    snapshot: Path


# --------------------------------------------------------------------------------------
# Manifests as they are written in Git
# --------------------------------------------------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _namespace(name: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _deployment(
    namespace: str,
    name: str,
    image: str,
    *,
    replicas: int | None = 2,
    port: int = 8080,
    env: dict[str, str] | None = None,
) -> Obj:
    container: Obj = {
        "name": name.split("-")[-1] if name.startswith("payments-") else name,
        "image": image,
        "ports": [{"name": "http", "containerPort": port}],
    }
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env.items()]
    spec: Obj = {}
    if replicas is not None:
        spec["replicas"] = replicas
    spec["selector"] = {"matchLabels": {"app": name}}
    spec["template"] = {
        "metadata": {"labels": {"app": name}},
        "spec": {"containers": [container]},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": spec,
    }


def _service(namespace: str, name: str, port: int = 80, target: int = 8080) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "selector": {"app": name},
            "ports": [{"port": port, "targetPort": target}],
        },
    }


def _configmap(namespace: str, name: str, data: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": dict(data),
    }


def _certificate_crd() -> Obj:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "certificates.cert-manager.io"},
        "spec": {
            "group": "cert-manager.io",
            "names": {
                "kind": "Certificate",
                "listKind": "CertificateList",
                "plural": "certificates",
                "singular": "certificate",
                "shortNames": ["cert", "certs"],
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "required": ["secretName", "issuerRef"],
                                    "properties": {
                                        "secretName": {"type": "string"},
                                        "commonName": {"type": "string"},
                                        "dnsNames": {"type": "array", "items": {"type": "string"}},
                                        "duration": {"type": "string"},
                                        "renewBefore": {"type": "string"},
                                        "issuerRef": {
                                            "type": "object",
                                            "properties": {
                                                "name": {"type": "string"},
                                                "kind": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                                "status": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


def _certificate(dns_names: list[str], renew_before: str) -> Obj:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "payments-tls", "namespace": "payments"},
        "spec": {
            "secretName": "payments-tls",
            "commonName": dns_names[0],
            "dnsNames": list(dns_names),
            "duration": "2160h",
            "renewBefore": renew_before,
            "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"},
        },
    }


def _db_secret(password: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "payments-db", "namespace": "payments"},
        "type": "Opaque",
        "data": {
            "username": _b64(SECRET_PLAINTEXTS[0]),
            "password": _b64(password),
            "url": _b64(SECRET_PLAINTEXTS[4]),
        },
    }


def _hpa() -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "frontend", "namespace": "shop"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend"},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
    }


_PROMETHEUS_CONFIG = """\
global:
  scrape_interval: 30s
scrape_configs:
  - job_name: kubernetes-pods
    kubernetes_sd_configs:
      - role: pod
"""


# --------------------------------------------------------------------------------------
# The repository and its history
# --------------------------------------------------------------------------------------


class _Tree:
    """The work tree as data: path -> documents. Each commit step edits it in place."""

    def __init__(self) -> None:
        self.files: dict[str, list[Obj]] = {}

    def find(self, kind: str, name: str) -> Obj:
        for docs in self.files.values():
            for doc in docs:
                if doc["kind"] == kind and doc["metadata"]["name"] == name:
                    return doc
        raise KeyError(f"{kind}/{name}")

    def container(self, name: str) -> Obj:
        containers: list[Obj] = self.find("Deployment", name)["spec"]["template"]["spec"][
            "containers"
        ]
        return containers[0]

    def render(self, path: str) -> str:
        header = "# Managed by Argo CD: change it through a pull request.\n"
        body = "---\n".join(
            yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
            for doc in self.files[path]
        )
        return header + body

    def objects(self) -> Iterator[Obj]:
        for docs in self.files.values():
            yield from docs


@dataclass(frozen=True)
class _Step:
    author: str
    subject: str
    edit: Callable[[_Tree], None]


def _history() -> list[_Step]:
    """The commits, oldest first; each edits the tree like a person would."""
    steps: list[_Step] = []

    def step(author: str, subject: str) -> Callable[[Callable[[_Tree], None]], None]:
        def register(edit: Callable[[_Tree], None]) -> None:
            steps.append(_Step(author, subject, edit))

        return register

    @step("alice", "Add namespaces for shop, payments and monitoring")
    def _(t: _Tree) -> None:
        t.files["apps/shop/namespace.yaml"] = [_namespace("shop")]
        t.files["apps/payments/namespace.yaml"] = [_namespace("payments")]
        t.files["apps/monitoring/namespace.yaml"] = [_namespace("monitoring")]

    @step("bob", "shop: add frontend Deployment and Service")
    def _(t: _Tree) -> None:
        t.files["apps/shop/frontend.yaml"] = [
            _deployment("shop", "frontend", "ghcr.io/example/shop-frontend:1.4.0", replicas=2),
            _service("shop", "frontend"),
        ]

    @step("bob", "shop: add cart service with its config")
    def _(t: _Tree) -> None:
        cart = _deployment(
            "shop",
            "cart",
            "ghcr.io/example/shop-cart:3.1.1",
            env={"CART_TTL": "30m", "LEGACY_CHECKOUT": "true"},
        )
        cart["spec"]["template"]["spec"]["containers"][0]["envFrom"] = [
            {"configMapRef": {"name": "cart-config"}}
        ]
        t.files["apps/shop/cart.yaml"] = [
            cart,
            _service("shop", "cart"),
            _configmap("shop", "cart-config", {"REDIS_URL": "redis://redis.shop:6379/0"}),
        ]

    @step("carol", "shop: add shared shop-settings ConfigMap")
    def _(t: _Tree) -> None:
        t.files["apps/shop/config.yaml"] = [
            _configmap(
                "shop",
                "shop-settings",
                {"currency": "EUR", "checkout.express": "false", "search.backend": "postgres"},
            )
        ]

    @step("alice", "platform: add the cert-manager Certificate CRD")
    def _(t: _Tree) -> None:
        t.files["platform/crds/certificates.cert-manager.io.yaml"] = [_certificate_crd()]

    @step("dave", "payments: add payments-api with its database credentials")
    def _(t: _Tree) -> None:
        t.files["apps/payments/api.yaml"] = [
            _deployment(
                "payments",
                "payments-api",
                "ghcr.io/example/payments-api:2.2.4",
                env={"DB_POOL_SIZE": "10"},
            ),
            _service("payments", "payments-api"),
        ]
        t.files["apps/payments/db-secret.yaml"] = [_db_secret(SECRET_PLAINTEXTS[1])]

    @step("dave", "payments: request a TLS certificate for payments-api")
    def _(t: _Tree) -> None:
        t.files["apps/payments/certificate.yaml"] = [_certificate(["payments.example.com"], "360h")]

    @step("carol", "monitoring: add Prometheus with a pod scrape config")
    def _(t: _Tree) -> None:
        prometheus = _deployment(
            "monitoring",
            "prometheus",
            "quay.io/prometheus/prometheus:v2.51.2",
            replicas=1,
            port=9090,
        )
        container = prometheus["spec"]["template"]["spec"]["containers"][0]
        container["args"] = ["--config.file=/etc/prometheus/prometheus.yml"]
        container["volumeMounts"] = [{"name": "config", "mountPath": "/etc/prometheus"}]
        prometheus["spec"]["template"]["spec"]["volumes"] = [
            {"name": "config", "configMap": {"name": "prometheus-config"}}
        ]
        t.files["apps/monitoring/prometheus.yaml"] = [
            _configmap("monitoring", "prometheus-config", {"prometheus.yml": _PROMETHEUS_CONFIG}),
            prometheus,
            _service("monitoring", "prometheus", port=9090, target=9090),
        ]

    @step("bob", "frontend: bump image to 1.4.1")
    def _(t: _Tree) -> None:
        t.container("frontend")["image"] = "ghcr.io/example/shop-frontend:1.4.1"

    @step("alice", "cart: scale to 3 replicas for the spring sale")
    def _(t: _Tree) -> None:
        t.find("Deployment", "cart")["spec"]["replicas"] = 3

    @step("dave", "payments-api: add LOG_LEVEL")
    def _(t: _Tree) -> None:
        t.container("payments-api")["env"].append({"name": "LOG_LEVEL", "value": "info"})

    @step("bob", "shop: rename cart.yaml to cart-service.yaml")
    def _(t: _Tree) -> None:
        t.files["apps/shop/cart-service.yaml"] = t.files.pop("apps/shop/cart.yaml")

    @step("bob", "shop: keep cart-config next to the other shop settings")
    def _(t: _Tree) -> None:
        docs = t.files["apps/shop/cart-service.yaml"]
        moved = next(d for d in docs if d["kind"] == "ConfigMap")
        docs.remove(moved)
        t.files["apps/shop/config.yaml"].append(moved)

    @step("carol", "shop: enable express checkout")
    def _(t: _Tree) -> None:
        t.find("ConfigMap", "shop-settings")["data"]["checkout.express"] = "true"

    @step("erin", "shop: add the promo banner config")
    def _(t: _Tree) -> None:
        t.files["apps/shop/promo-banner.yaml"] = [
            _configmap("shop", "promo-banner", {"text": "Spring sale: 20% off", "until": "05-20"})
        ]

    @step("bob", "cart: keep sessions in their own Redis database")
    def _(t: _Tree) -> None:
        data = t.find("ConfigMap", "cart-config")["data"]
        data["REDIS_URL"] = "redis://redis.shop:6379/1"
        data["SESSION_TTL"] = "45m"

    @step("dave", "payments-api: bump image to 2.3.0")
    def _(t: _Tree) -> None:
        t.container("payments-api")["image"] = "ghcr.io/example/payments-api:2.3.0"

    @step("dave", "payments: add payments-worker")
    def _(t: _Tree) -> None:
        t.files["apps/payments/worker.yaml"] = [
            _deployment(
                "payments",
                "payments-worker",
                "ghcr.io/example/payments-api:2.3.0",
                replicas=1,
                env={"WORKER_QUEUE": "settlements", "WORKER_CONCURRENCY": "4"},
            )
        ]

    @step("carol", "frontend: name the Service port and let Prometheus scrape it")
    def _(t: _Tree) -> None:
        service = t.find("Service", "frontend")
        service["metadata"]["annotations"] = {"prometheus.io/scrape": "true"}
        service["spec"]["ports"][0]["name"] = "http"

    @step("alice", "payments: rotate the database password")
    def _(t: _Tree) -> None:
        secret = t.find("Secret", "payments-db")
        secret["data"]["password"] = _b64(SECRET_PLAINTEXTS[2])

    @step("dave", "payments-tls: add api.payments.example.com and renew earlier")
    def _(t: _Tree) -> None:
        spec = t.find("Certificate", "payments-tls")["spec"]
        spec["dnsNames"].append("api.payments.example.com")
        spec["renewBefore"] = "720h"

    @step("bob", "frontend: set resource requests and limits")
    def _(t: _Tree) -> None:
        t.container("frontend")["resources"] = {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"memory": "256Mi"},
        }

    @step("alice", "monitoring: move under platform/")
    def _(t: _Tree) -> None:
        for name in ("namespace.yaml", "prometheus.yaml"):
            t.files[f"platform/monitoring/{name}"] = t.files.pop(f"apps/monitoring/{name}")

    @step("carol", "prometheus: bump to v2.52.0 and keep 30 days")
    def _(t: _Tree) -> None:
        container = t.container("prometheus")
        container["image"] = "quay.io/prometheus/prometheus:v2.52.0"
        container["args"].append("--storage.tsdb.retention.time=30d")

    @step("alice", "frontend: let the HPA manage replicas")
    def _(t: _Tree) -> None:
        del t.find("Deployment", "frontend")["spec"]["replicas"]
        t.files["apps/shop/frontend-hpa.yaml"] = [_hpa()]

    @step("erin", "shop: remove the promo banner, the sale is over")
    def _(t: _Tree) -> None:
        del t.files["apps/shop/promo-banner.yaml"]

    @step("bob", "cart: drop the legacy checkout flag")
    def _(t: _Tree) -> None:
        env = t.container("cart")["env"]
        env[:] = [e for e in env if e["name"] != "LEGACY_CHECKOUT"]

    @step("dave", "payments-worker: process 8 settlements at a time")
    def _(t: _Tree) -> None:
        for item in t.container("payments-worker")["env"]:
            if item["name"] == "WORKER_CONCURRENCY":
                item["value"] = "8"

    return steps


# The "shop" app was last synced before this commit: its change is not live yet.
_UNSYNCED_SUBJECT = "cart: drop the legacy checkout flag"


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class _GitWriter:
    """Runs git with a hermetic environment: no user config, fixed identities and dates."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.base_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("GIT_") and key not in {"HOME", "XDG_CONFIG_HOME"}
        }
        self.base_env.update(
            {
                "HOME": str(repo.parent),
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_TERMINAL_PROMPT": "0",
            }
        )

    def run(self, *args: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(
            ["git", *args],
            cwd=self.repo,
            env={**self.base_env, **(env or {})},
            check=True,
            capture_output=True,
        )

    def commit(self, author: str, subject: str, when: datetime) -> None:
        name, email = _AUTHORS[author]
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        identity = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": stamp,
        }
        self.run("add", "--all", "--", ".")
        self.run("commit", "--quiet", "--no-verify", "-m", subject, env=identity)


_README = """\
# demo-gitops

Desired state for the demo cluster. One Argo CD Application per directory:

| app           | path                 |
|---------------|----------------------|
| shop          | apps/shop            |
| payments      | apps/payments        |
| monitoring    | platform/monitoring  |
| platform-crds | platform/crds        |
"""


@dataclass
class _Built:
    final: dict[ObjectRef, Obj]  # desired state at HEAD
    applied: dict[ObjectRef, Obj]  # what Argo CD last applied (may lag Git)
    created: dict[ObjectRef, datetime]  # first commit that declared the object
    removed: dict[ObjectRef, Obj]  # declared once, gone from Git at HEAD
    synced_at: datetime  # the last Argo CD sync
    last_commit: datetime


def _build_repo(repo: Path) -> _Built:
    repo.mkdir(parents=True, exist_ok=False)
    git = _GitWriter(repo)
    git.run("init", "--quiet", "--initial-branch=main")
    git.run("config", "user.name", "driftui demo")
    git.run("config", "user.email", "demo@driftui.invalid")
    git.run("config", "commit.gpgsign", "false")
    tree = _Tree()
    created: dict[ObjectRef, datetime] = {}
    seen: dict[ObjectRef, Obj] = {}
    applied: dict[ObjectRef, Obj] = {}
    (repo / "README.md").write_text(_README, encoding="utf-8")
    when = _START
    synced_at = _START
    for number, step in enumerate(_history()):
        when = _START + _STEP * number
        if step.subject == _UNSYNCED_SUBJECT:
            applied = {ObjectRef.of(o): copy.deepcopy(o) for o in tree.objects()}
            synced_at = when - timedelta(hours=2)
        step.edit(tree)
        for path in {p.relative_to(repo).as_posix() for p in repo.rglob("*.yaml")}:
            if path not in tree.files:
                (repo / path).unlink()
        for path in tree.files:
            target = repo / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(tree.render(path), encoding="utf-8")
        for obj in tree.objects():
            ref = ObjectRef.of(obj)
            created.setdefault(ref, when)
            seen[ref] = copy.deepcopy(obj)
        git.commit(step.author, step.subject, when)
    final = {ObjectRef.of(o): copy.deepcopy(o) for o in tree.objects()}
    # Apps other than "shop" were synced after the last commit.
    for ref, obj in final.items():
        if ref.namespace != "shop":
            applied[ref] = obj
    removed = {ref: obj for ref, obj in seen.items() if ref not in final}
    return _Built(final, applied, created, removed, synced_at, when)


# --------------------------------------------------------------------------------------
# What the API server would return
# --------------------------------------------------------------------------------------

_APPS = {"shop": "shop", "payments": "payments", "monitoring": "monitoring"}

# Associative lists by schema path (list indices skipped) for the kinds the demo uses.
_POD = ("spec", "template", "spec")
_LIST_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {
    (*_POD, "containers"): ("name",),
    (*_POD, "containers", "env"): ("name",),
    (*_POD, "containers", "ports"): ("containerPort", "protocol"),
    (*_POD, "containers", "volumeMounts"): ("mountPath",),
    (*_POD, "volumes"): ("name",),
}
_SERVICE_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {("spec", "ports"): ("port", "protocol")}
_KEY_DEFAULTS = {"protocol": "TCP"}
_ATOMIC: set[tuple[str, ...]] = {("spec", "selector")}  # Deployment LabelSelector


def _app_of(ref: ObjectRef) -> str:
    if ref.kind == "CustomResourceDefinition":
        return "platform-crds"
    return _APPS.get(ref.namespace or ref.name, "platform-crds")


def _tracking_id(ref: ObjectRef) -> str:
    return f"{_app_of(ref)}:{ref.group}/{ref.kind}:{ref.namespace}/{ref.name}"


def _list_keys(ref: ObjectRef) -> dict[tuple[str, ...], tuple[str, ...]]:
    if ref.kind == "Deployment":
        return _LIST_KEYS
    if ref.kind == "Service":
        return _SERVICE_KEYS
    return {}


def _fields_v1(
    value: Any, keys: dict[tuple[str, ...], tuple[str, ...]], update: bool, at: tuple[str, ...] = ()
) -> Obj:
    """The FieldsV1 set for ``value``: ``f:`` map fields, ``k:`` keyed list items, ``.`` self.

    Update operations also own the maps they created (``.``); Apply owns only list items.
    """
    out: Obj = {}
    if not isinstance(value, dict) or at in _ATOMIC:
        return out
    for name in sorted(value):
        _fields_v1_entry(out, name, value[name], keys, update, at)
    if update and at and at[-1] in ("labels", "annotations", "data"):
        out["."] = {}
    return dict(sorted(out.items()))


def _fields_v1_entry(
    out: Obj,
    name: str,
    child: Any,
    keys: dict[tuple[str, ...], tuple[str, ...]],
    update: bool,
    at: tuple[str, ...],
) -> None:
    path = (*at, name)
    if isinstance(child, list) and path in keys:
        items: Obj = {}
        for item in child:
            key_fields = {k: item.get(k, _KEY_DEFAULTS.get(k)) for k in sorted(keys[path])}
            key = "k:" + json.dumps(key_fields, separators=(",", ":"))
            items[key] = {".": {}, **_fields_v1(item, keys, update, path)}
        out[f"f:{name}"] = dict(sorted(items.items()))
    elif isinstance(child, dict) and child and path not in _ATOMIC:
        out[f"f:{name}"] = _fields_v1(child, keys, update, path)
    else:
        out[f"f:{name}"] = {}


def _managed(
    manager: str, operation: str, when: str, fields: Obj, api_version: str, subresource: str = ""
) -> Obj:
    entry: Obj = {
        "apiVersion": api_version,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
        "manager": manager,
        "operation": operation,
    }
    if subresource:
        entry["subresource"] = subresource
    entry["time"] = when
    return entry


def _drop(fields: Obj, *path: str) -> None:
    """Remove one owned field (and empty parents) from a FieldsV1 set."""
    node = fields
    parents: list[tuple[Obj, str]] = []
    for seg in path[:-1]:
        if seg not in node:
            return
        parents.append((node, seg))
        node = node[seg]
    node.pop(path[-1], None)
    for parent, seg in reversed(parents):
        if parent[seg] in ({}, {".": {}}):
            del parent[seg]
        else:
            break


def _image_pull_policy(image: str) -> str:
    return "Always" if image.endswith(":latest") or ":" not in image else "IfNotPresent"


def _default_deployment(obj: Obj) -> None:
    spec = obj["spec"]
    spec.setdefault("replicas", 1)
    spec.setdefault("progressDeadlineSeconds", 600)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault(
        "strategy",
        {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
    )
    template = spec["template"]
    template["metadata"].setdefault("creationTimestamp", None)
    pod = template["spec"]
    for container in pod["containers"]:
        container.setdefault("imagePullPolicy", _image_pull_policy(container["image"]))
        container.setdefault("resources", {})
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        for port in container.get("ports", []):
            port.setdefault("protocol", "TCP")
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            volume["configMap"].setdefault("defaultMode", 420)
    pod.setdefault("dnsPolicy", "ClusterFirst")
    pod.setdefault("restartPolicy", "Always")
    pod.setdefault("schedulerName", "default-scheduler")
    pod.setdefault("securityContext", {})
    pod.setdefault("terminationGracePeriodSeconds", 30)


def _deployment_status(obj: Obj, when: str, ready: bool = True) -> Obj:
    replicas = obj["spec"]["replicas"]
    return {
        "availableReplicas": replicas,
        "conditions": [
            {
                "lastTransitionTime": when,
                "lastUpdateTime": when,
                "message": "Deployment has minimum availability.",
                "reason": "MinimumReplicasAvailable",
                "status": "True",
                "type": "Available",
            },
            {
                "lastTransitionTime": when,
                "lastUpdateTime": when,
                "message": f'ReplicaSet "{obj["metadata"]["name"]}-7d9f8c6b5" has successfully'
                " progressed.",
                "reason": "NewReplicaSetAvailable",
                "status": "True",
                "type": "Progressing",
            },
        ],
        "observedGeneration": obj["metadata"]["generation"],
        "readyReplicas": replicas if ready else 0,
        "replicas": replicas,
        "updatedReplicas": replicas,
    }


def _default_service(obj: Obj, index: int) -> None:
    spec = obj["spec"]
    ip = f"10.96.{index // 200 + 1}.{index % 200 + 10}"
    spec.setdefault("clusterIP", ip)
    spec.setdefault("clusterIPs", [ip])
    spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("type", "ClusterIP")
    for port in spec["ports"]:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port["port"])
    obj["status"] = {"loadBalancer": {}}


@dataclass
class _Live:
    """Live objects under construction, with their managedFields entries."""

    masker: SecretMasker
    objects: dict[ObjectRef, Obj] = field(default_factory=dict)
    resource_version: int = 61000

    def next_rv(self) -> str:
        self.resource_version += 137
        return str(self.resource_version)

    def managed(self, ref: ObjectRef) -> list[Obj]:
        fields: list[Obj] = self.objects[ref]["metadata"]["managedFields"]
        return fields

    def argocd_fields(self, ref: ObjectRef) -> Obj:
        for entry in self.managed(ref):
            if entry["manager"] == ARGOCD_MANAGER:
                fields: Obj = entry["fieldsV1"]
                return fields
        raise KeyError(ref)

    def add(self, ref: ObjectRef, entry: Obj) -> None:
        self.managed(ref).append(entry)
        self.objects[ref]["metadata"]["resourceVersion"] = self.next_rv()


_GENERATED_KINDS = {
    "Deployment",
    "Certificate",
    "CustomResourceDefinition",
    "HorizontalPodAutoscaler",
}


def _uid(ref: ObjectRef) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://driftui.invalid/demo/{ref}"))


def _mask_secret_data(obj: Obj, masker: SecretMasker) -> None:
    data = obj.get("data") or {}
    obj["data"] = {k: masker.token(base64.b64decode(v)) for k, v in data.items()}


def _live_object(
    ref: ObjectRef, desired: Obj, created: datetime, synced: str, index: int, masker: SecretMasker
) -> Obj:
    obj = copy.deepcopy(desired)
    meta = obj["metadata"]
    meta.setdefault("annotations", {})[TRACKING_ANNOTATION] = _tracking_id(ref)
    applied_fields = _fields_v1(obj, _list_keys(ref), update=False)
    # The server never records identity fields as owned.
    for identity in ("f:apiVersion", "f:kind"):
        applied_fields.pop(identity, None)
    for identity in ("f:name", "f:namespace"):
        applied_fields["f:metadata"].pop(identity, None)
    meta["creationTimestamp"] = _stamp(created + timedelta(minutes=12))
    if ref.kind in _GENERATED_KINDS:
        meta["generation"] = 1 + index % 4
    meta["resourceVersion"] = "0"
    meta["uid"] = _uid(ref)
    meta["managedFields"] = [
        _managed(ARGOCD_MANAGER, "Apply", synced, applied_fields, obj["apiVersion"])
    ]
    controller_time = _stamp(
        datetime.fromisoformat(synced.replace("Z", "+00:00")) + timedelta(seconds=9)
    )
    if ref.kind == "Deployment":
        _default_deployment(obj)
        meta["annotations"]["deployment.kubernetes.io/revision"] = str(meta["generation"])
        obj["status"] = _deployment_status(obj, controller_time)
        meta["managedFields"].append(
            _managed(
                "kube-controller-manager",
                "Update",
                controller_time,
                {"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}},
                "apps/v1",
            )
        )
        meta["managedFields"].append(
            _managed(
                "kube-controller-manager",
                "Update",
                controller_time,
                {"f:status": _fields_v1(obj["status"], {}, update=True)},
                "apps/v1",
                subresource="status",
            )
        )
    elif ref.kind == "Service":
        _default_service(obj, index)
    elif ref.kind == "Namespace":
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = ref.name
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
    elif ref.kind == "Secret":
        _mask_secret_data(obj, masker)
    elif ref.kind == "CustomResourceDefinition":
        obj["spec"].setdefault("conversion", {"strategy": "None"})
        obj["status"] = {
            "acceptedNames": obj["spec"]["names"],
            "conditions": [
                {
                    "lastTransitionTime": controller_time,
                    "message": "no conflicts found",
                    "reason": "NoConflicts",
                    "status": "True",
                    "type": "NamesAccepted",
                },
                {
                    "lastTransitionTime": controller_time,
                    "message": "the initial names have been accepted",
                    "reason": "InitialNamesAccepted",
                    "status": "True",
                    "type": "Established",
                },
            ],
            "storedVersions": ["v1"],
        }
        meta["managedFields"].append(
            _managed(
                "kube-apiserver",
                "Update",
                controller_time,
                {"f:status": _fields_v1(obj["status"], {}, update=True)},
                "apiextensions.k8s.io/v1",
                subresource="status",
            )
        )
    elif ref.kind == "Certificate":
        obj["status"] = {
            "conditions": [
                {
                    "lastTransitionTime": controller_time,
                    "message": "Certificate is up to date and has not expired",
                    "observedGeneration": meta.get("generation", 1),
                    "reason": "Ready",
                    "status": "True",
                    "type": "Ready",
                }
            ],
            "notAfter": "2024-08-18T10:04:11Z",
            "notBefore": "2024-05-20T10:04:11Z",
            "renewalTime": "2024-07-19T10:04:11Z",
            "revision": 2,
        }
        meta["managedFields"].append(
            _managed(
                "cert-manager-certificates-readiness",
                "Update",
                controller_time,
                {"f:status": _fields_v1(obj["status"], {}, update=True)},
                "cert-manager.io/v1",
                subresource="status",
            )
        )
    elif ref.kind == "HorizontalPodAutoscaler":
        obj["status"] = {
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "current": {"averageUtilization": 83, "averageValue": "83m"},
                    },
                }
            ],
            "currentReplicas": 4,
            "desiredReplicas": 4,
            "lastScaleTime": controller_time,
        }
        meta["managedFields"].append(
            _managed(
                "kube-controller-manager",
                "Update",
                controller_time,
                {"f:status": _fields_v1(obj["status"], {}, update=True)},
                "autoscaling/v2",
                subresource="status",
            )
        )
    meta["resourceVersion"] = str(48213 + 137 * index)
    return obj


def _kube_root_ca(namespace: str, created: datetime, index: int) -> Obj:
    when = _stamp(created + timedelta(minutes=12))
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "kube-root-ca.crt",
            "namespace": namespace,
            "annotations": {
                "kubernetes.io/description": "Contains a CA bundle that can be used to verify"
                " the kube-apiserver when using internal endpoints such as the internal service"
                " IP or kubernetes.default.svc. No other usage is guaranteed across"
                " distributions of Kubernetes clusters."
            },
            "creationTimestamp": when,
            "resourceVersion": str(30011 + index),
            "uid": _uid(ObjectRef("", "ConfigMap", namespace, "kube-root-ca.crt")),
            "managedFields": [
                _managed(
                    "kube-controller-manager",
                    "Update",
                    when,
                    {
                        "f:data": {".": {}, "f:ca.crt": {}},
                        "f:metadata": {
                            "f:annotations": {".": {}, "f:kubernetes.io/description": {}}
                        },
                    },
                    "v1",
                )
            ],
        },
        "data": {
            "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIdemoCAcertificate"
            "\n-----END CERTIFICATE-----\n"
        },
    }


def _container_key(name: str) -> str:
    return "k:" + json.dumps({"name": name}, separators=(",", ":"))


_CONTAINER_PATH = ("f:spec", "f:template", "f:spec", "f:containers")


def _apply_drift(live: _Live, built: _Built) -> None:
    """Hand edits and controllers acting after the last sync, each with its managedFields."""
    base = built.last_commit + timedelta(days=1)

    def at(hours: float) -> str:
        return _stamp(base + timedelta(hours=hours))

    def container(ref: ObjectRef) -> Obj:
        first: Obj = live.objects[ref]["spec"]["template"]["spec"]["containers"][0]
        return first

    # kubectl-edit changed the frontend image (a hotfix nobody committed).
    frontend = ObjectRef("apps", "Deployment", "shop", "frontend")
    name = container(frontend)["name"]
    container(frontend)["image"] = "ghcr.io/example/shop-frontend:1.4.2-hotfix"
    _drop(live.argocd_fields(frontend), *_CONTAINER_PATH, _container_key(name), "f:image")
    live.add(
        frontend,
        _managed(
            "kubectl-edit",
            "Update",
            at(1.5),
            {
                "f:spec": {
                    "f:template": {
                        "f:spec": {"f:containers": {_container_key(name): {"f:image": {}}}}
                    }
                }
            },
            "apps/v1",
        ),
    )
    # The HPA owns frontend's replicas through the scale subresource: context, not drift.
    live.objects[frontend]["spec"]["replicas"] = 4
    live.add(
        frontend,
        _managed(
            "kube-controller-manager",
            "Update",
            at(3.25),
            {"f:spec": {"f:replicas": {}}},
            "apps/v1",
            subresource="scale",
        ),
    )

    # kubectl scale changed cart's replicas.
    cart = ObjectRef("apps", "Deployment", "shop", "cart")
    live.objects[cart]["spec"]["replicas"] = 5
    _drop(live.argocd_fields(cart), "f:spec", "f:replicas")
    live.add(
        cart,
        _managed(
            "kubectl",
            "Update",
            at(2),
            {"f:spec": {"f:replicas": {}}},
            "apps/v1",
            subresource="scale",
        ),
    )

    # kubectl-edit added an env var to payments-api.
    api = ObjectRef("apps", "Deployment", "payments", "payments-api")
    api_container = container(api)
    api_container["env"].append({"name": "DEBUG_SQL", "value": "true"})
    live.add(
        api,
        _managed(
            "kubectl-edit",
            "Update",
            at(5),
            {
                "f:spec": {
                    "f:template": {
                        "f:spec": {
                            "f:containers": {
                                _container_key(api_container["name"]): {
                                    "f:env": {
                                        'k:{"name":"DEBUG_SQL"}': {
                                            ".": {},
                                            "f:name": {},
                                            "f:value": {},
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "apps/v1",
        ),
    )

    # kubectl-label added a label to the cart Service.
    cart_service = ObjectRef("", "Service", "shop", "cart")
    live.objects[cart_service]["metadata"]["labels"]["team"] = "checkout"
    live.add(
        cart_service,
        _managed(
            "kubectl-label",
            "Update",
            at(6),
            {"f:metadata": {"f:labels": {"f:team": {}}}},
            "v1",
        ),
    )

    # Somebody deleted payments-worker: it is declared in Git but missing live.
    del live.objects[ObjectRef("apps", "Deployment", "payments", "payments-worker")]

    # kubectl-edit changed the database password in the cluster.
    secret = ObjectRef("", "Secret", "payments", "payments-db")
    live.objects[secret]["data"]["password"] = live.masker.token(SECRET_PLAINTEXTS[3].encode())
    _drop(live.argocd_fields(secret), "f:data", "f:password")
    live.add(
        secret,
        _managed(
            "kubectl-edit",
            "Update",
            at(7.5),
            {"f:data": {"f:password": {}}},
            "v1",
        ),
    )

    # kubectl-patch shortened the certificate's renewal window.
    cert = ObjectRef("cert-manager.io", "Certificate", "payments", "payments-tls")
    live.objects[cert]["spec"]["renewBefore"] = "240h"
    _drop(live.argocd_fields(cert), "f:spec", "f:renewBefore")
    live.add(
        cert,
        _managed(
            "kubectl-patch",
            "Update",
            at(9),
            {"f:spec": {"f:renewBefore": {}}},
            "cert-manager.io/v1",
        ),
    )


def _rescale_status(obj: Obj) -> None:
    """A scaled Deployment's status follows its new replica count."""
    replicas = obj["spec"]["replicas"]
    for key in ("availableReplicas", "readyReplicas", "replicas", "updatedReplicas"):
        obj["status"][key] = replicas


def _live_objects(built: _Built, masker: SecretMasker) -> list[Obj]:
    live = _Live(masker)
    synced = _stamp(built.synced_at)
    synced_late = _stamp(built.last_commit + timedelta(minutes=15))
    declared = sorted(set(built.applied) | set(built.removed))
    for index, ref in enumerate(declared):
        desired = built.applied.get(ref) or built.removed[ref]
        when = synced if ref.namespace == "shop" else synced_late
        live.objects[ref] = _live_object(ref, desired, built.created[ref], when, index, masker)
    _apply_drift(live, built)
    for ref, obj in live.objects.items():
        if ref.kind == "Deployment":
            _rescale_status(obj)
    out = list(live.objects.values())
    namespaces = sorted(ref.name for ref in built.final if ref.kind == "Namespace")
    for index, namespace in enumerate(namespaces):
        created = built.created[ObjectRef("", "Namespace", "", namespace)]
        out.append(_kube_root_ca(namespace, created, index))
    out.sort(
        key=lambda o: (
            o["metadata"].get("namespace", ""),
            group_of(o["apiVersion"]),
            o["kind"],
            o["metadata"]["name"],
        )
    )
    return out


def build_demo(workdir: Path) -> DemoFixture:
    """Create ``workdir/demo-gitops`` (a Git repo) and ``workdir/live-snapshot.json``."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    repo = workdir / "demo-gitops"
    built = _build_repo(repo)
    masker = SecretMasker(DEMO_KEY.secret)
    snapshot = Snapshot(
        key_id=DEMO_KEY.id,
        objects=_live_objects(built, masker),
        context=DEMO_CONTEXT,
        server=DEMO_SERVER,
        taken_at=_stamp(built.last_commit + timedelta(days=2)),
    )
    snapshot_path = workdir / "live-snapshot.json"
    write_snapshot(snapshot, snapshot_path)
    return DemoFixture(repo=repo, snapshot=snapshot_path)
