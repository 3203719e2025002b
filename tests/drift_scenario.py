"""A realistic drift scenario on the real control plane, built with real kubectl.

Git is applied by ``argocd-controller``; then the cluster is drifted the way operators do
it, each time through the kubectl verb whose field-manager name kubectl itself uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.cluster import harness
from tests.cluster.crds import namespaced_crd
from tests.cluster.harness import ClusterInfo

SECRET_PLAIN = "hunter2-plaintext-secret"
SECRET_CHANGED = "changed-plaintext-secret"
CRD_GROUP = "scenario.driftui.dev"


def app_name(ns: str) -> str:
    """One Argo CD app per scenario, so scenarios in other namespaces are not its extras."""
    return f"app-{ns}"


def tracking(ns: str, kind: str, name: str, group: str = "") -> dict[str, str]:
    return {"argocd.argoproj.io/tracking-id": f"{app_name(ns)}:{group}/{kind}:{ns}/{name}"}


def crd() -> dict[str, Any]:
    return namespaced_crd(
        CRD_GROUP,
        "Widget",
        {"size": {"type": "integer"}, "colour": {"type": "string", "default": "blue"}},
    )


def git_objects(ns: str) -> dict[str, list[dict[str, Any]]]:
    """file name -> documents, exactly as committed to Git."""
    labels = {"app": "web"}
    web = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": ns,
            "annotations": tracking(ns, "Deployment", "web", "apps"),
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.25",
                            "env": [{"name": "MODE", "value": "prod"}],
                            "ports": [{"containerPort": 80}],
                            "resources": {"requests": {"cpu": "0.1", "memory": "64Mi"}},
                        }
                    ]
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": ns, "annotations": tracking(ns, "Service", "web")},
        "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]},
    }
    settings = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "settings",
            "namespace": ns,
            "annotations": tracking(ns, "ConfigMap", "settings"),
        },
        "data": {"greeting": "hello"},
    }
    creds = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "creds",
            "namespace": ns,
            "annotations": tracking(ns, "Secret", "creds"),
        },
        "stringData": {"password": SECRET_PLAIN, "user": "app"},
    }
    api = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": ns},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {
                    "containers": [
                        {"name": "api", "image": "busybox:1.36", "ports": [{"containerPort": 8080}]}
                    ]
                },
            },
        },
    }
    gone = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "gone",
            "namespace": ns,
            "annotations": tracking(ns, "ConfigMap", "gone"),
        },
        "data": {"k": "v"},
    }
    widget = {
        "apiVersion": f"{CRD_GROUP}/v1",
        "kind": "Widget",
        "metadata": {
            "name": "w1",
            "namespace": ns,
            "annotations": tracking(ns, "Widget", "w1", CRD_GROUP),
        },
        "spec": {"size": 3},
    }
    return {
        "apps/web.yaml": [web, service],
        "config/settings.yaml": [settings, gone],
        "config/creds.yaml": [creds],
        "api.yaml": [api],
        "widgets/w1.yaml": [widget],
    }


@dataclass
class Scenario:
    cluster: ClusterInfo
    namespace: str
    repo: Path
    manifests: Path  # the repo's files on disk, for kubectl diff -f

    def kubectl(
        self, *args: str, user: str = "admin", env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return kubectl(self.cluster, *args, user=user, env=env, check=check)


def kubectl(
    cluster: ClusterInfo,
    *args: str,
    user: str = "admin",
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [cluster.kubectl, "--kubeconfig", cluster.kubeconfig(user), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr}")
    return result


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def write_repo(repo: Path, files: dict[str, list[dict[str, Any]]]) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    for name, docs in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Declare the demo app")


def wait_established(cluster: ClusterInfo, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out = kubectl(cluster, "get", "crd", name, "-o", "json", check=False)
        if out.returncode == 0:
            conds = json.loads(out.stdout).get("status", {}).get("conditions", [])
            established = any(c["type"] == "Established" and c["status"] == "True" for c in conds)
            # discovery may still lag the Established condition a moment
            served = kubectl(cluster, "get", f"widgets.{CRD_GROUP}", "-A", check=False)
            if established and served.returncode == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"CRD {name} never became established")


def grant_auditor_reads(cluster: ClusterInfo, namespace: str) -> None:
    """What an auditor is typically given beyond `view`: Secrets in the app's namespace, and
    the CRD's kinds through an aggregate-to-view role (as CRD authors ship them)."""
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    role = {
        "metadata": {"name": "read-secrets", "namespace": namespace},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}],
    }
    binding = {
        "metadata": {"name": "viewer-reads-secrets", "namespace": namespace},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": "read-secrets",
        },
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer"}],
    }
    widgets_view = {
        "metadata": {
            "name": f"{CRD_GROUP}-view",
            "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"},
        },
        "rules": [
            {"apiGroups": [CRD_GROUP], "resources": ["widgets"], "verbs": ["get", "list", "watch"]}
        ],
    }
    for path, body in (
        (f"{rbac}/namespaces/{namespace}/roles", role),
        (f"{rbac}/namespaces/{namespace}/rolebindings", binding),
        (f"{rbac}/clusterroles", widgets_view),
    ):
        status, answer = harness.request(cluster, "POST", path, body)
        assert status in (201, 409), answer
    harness.aggregate_cluster_roles(cluster)


def build(cluster: ClusterInfo, namespace: str, workdir: Path) -> Scenario:
    files = git_objects(namespace)
    repo = workdir / "repo"
    write_repo(repo, files)
    scenario = Scenario(cluster, namespace, repo, repo)

    status, body = harness.request(
        cluster, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd()
    )
    assert status in (201, 409), body
    wait_established(cluster, f"widgets.{CRD_GROUP}")

    grant_auditor_reads(cluster, namespace)
    # The GitOps operator applies Git, except: api is made by `kubectl create`, and
    # settings is applied in an older revision that still had a key Git has since removed.
    applied = workdir / "applied"
    applied.mkdir()
    for name, docs in files.items():
        if name == "api.yaml":
            continue
        docs = json.loads(json.dumps(docs))
        for doc in docs:
            if doc["metadata"]["name"] == "settings":
                doc["data"]["legacy"] = "yes"
        (applied / name.replace("/", "_")).write_text(yaml.safe_dump_all(docs, sort_keys=False))
    scenario.kubectl(
        "apply", "--server-side", "--field-manager=argocd-controller", "-f", str(applied)
    )
    scenario.kubectl("create", "-f", str(repo / "api.yaml"))

    ns = namespace
    # an edit of a Git field (the image) with kubectl edit
    scenario.kubectl(
        "-n", ns, "edit", "deployment/web", env={"KUBE_EDITOR": "sed -i s/nginx:1.25/nginx:1.26/"}
    )
    scenario.kubectl("-n", ns, "scale", "deployment/web", "--replicas=5")
    scenario.kubectl("-n", ns, "set", "env", "deployment/web", "DEBUG=1")
    scenario.kubectl("-n", ns, "label", "configmap/settings", "team=payments")
    scenario.kubectl("-n", ns, "delete", "configmap/gone")
    scenario.kubectl("-n", ns, "create", "configmap", "stray", "--from-literal=x=1")
    scenario.kubectl(
        "-n",
        ns,
        "annotate",
        "configmap/stray",
        f"argocd.argoproj.io/tracking-id={app_name(ns)}:/ConfigMap:{ns}/stray",
    )
    scenario.kubectl(
        "-n",
        ns,
        "patch",
        "secret/creds",
        "--type=merge",
        "-p",
        json.dumps({"stringData": {"password": SECRET_CHANGED}}),
    )
    scenario.kubectl(
        "-n", ns, "patch", f"widgets.{CRD_GROUP}/w1", "--type=merge", "-p", '{"spec":{"size":5}}'
    )
    # a controller writes a field Git does not set: context, never drift
    status, body = harness.request(
        cluster,
        "PATCH",
        f"/api/v1/namespaces/{ns}/services/web?fieldManager=kube-controller-manager",
        {"metadata": {"annotations": {"controller.example.com/seen": "true"}}},
        content_type="application/merge-patch+json",
    )
    assert status == 200, body
    return scenario


def oracle_objects(scenario: Scenario, manager: str = "argocd-controller") -> set[str]:
    """Objects `kubectl diff --server-side` says would change, as "Kind/name"."""
    result = scenario.kubectl(
        "diff",
        "--server-side",
        f"--field-manager={manager}",
        "--force-conflicts",
        "-R",
        "-f",
        str(scenario.manifests),
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    names = set()
    for line in result.stdout.splitlines():
        if line.startswith("diff -u -N"):
            # .../LIVE-123/apps.v1.Deployment.ns.web -> Deployment/web
            parts = line.split()[-1].rsplit("/", 1)[-1].split(".")
            ns_index = parts.index(scenario.namespace)
            names.add(f"{parts[ns_index - 1]}/{'.'.join(parts[ns_index + 1 :])}")
    return names
