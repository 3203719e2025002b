"""Capture the demo's live snapshot from a real control plane: ``make demo-capture``.

Re-runnable: it starts its own etcd + kube-apiserver (tests/cluster/harness.py) in a
temporary directory, plays the demo's story against it with real kubectl, writes
``driftui/demo/snapshot.json`` with driftui's own ``snapshot`` command and stops the
servers. Needs the test binaries on PATH (``make testbin``). The story:

1. The demo repository (driftui/demo/commits.yaml) is built as ``driftui demo`` builds it.
2. "Argo CD" syncs it with ``kubectl apply --server-side --field-manager=argocd-controller``,
   adding its tracking annotation as Argo CD does: the CRDs, payments and monitoring at HEAD;
   shop twice, once while the promo banner was declared, then before the last two commits,
   without pruning (so the banner stays, an extra object, and LEGACY_CHECKOUT is still live).
3. Writes of controllers the harness does not run, under their managers' names: the HPA
   scales frontend (scale subresource), Deployments, the HPA and the Certificate get a status;
   the Deployments get ReplicaSets and Pods with the kubelet's status (via /status): frontend
   a stuck rollout (its Pods still run the old image), payments-api a crash-looping Pod past
   its progress deadline (Degraded).
4. Drift by hand: ``kubectl edit`` (frontend image, the database password), ``kubectl scale``,
   ``kubectl set env``, ``kubectl label``, ``kubectl patch`` and ``kubectl delete``.
5. ``driftui snapshot`` with the demo's public key (its Secret values are made up). The
   cluster's random address is replaced by a fixed name, and every time moves by one delta
   so the capture ends a day after the last commit; the server's order and spacing stay.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import git
import yaml

from driftui.demo import DEMO_KEY_PHRASE, SECRET_PLAINTEXTS, SNAPSHOT, TRACKING_ANNOTATION
from driftui.demo.repo import build_repo, read_commits
from driftui.demo.timeshift import delta_to, parse, shifted, stamps
from driftui.live.snapshot import read_snapshot, write_snapshot
from tests.cluster import harness

APPS = {  # Argo CD Application -> its path in the repository
    "platform-crds": "platform/crds",
    "payments": "apps/payments",
    "monitoring": "platform/monitoring",
    "shop": "apps/shop",
}
# (app, the commit id it was synced at), in order
SYNCS = [
    ("platform-crds", "28-payments-worker-process-8"),
    ("shop", "15-shop-add-the-promo-banner-config"),
    ("shop", "26-shop-remove-the-promo-banner-the"),
    ("payments", "28-payments-worker-process-8"),
    ("monitoring", "28-payments-worker-process-8"),
]
HPA_SCALES_AFTER = "15-shop-add-the-promo-banner-config"
CONTEXT, SERVER = "demo-cluster", "https://demo.invalid:6443"
# The editor kubectl edit runs: replaces $DEMO_OLD with $DEMO_NEW in the file it is given.
EDITOR = (
    "import os, sys\n"
    "path = sys.argv[-1]\n"
    "text = open(path).read()\n"
    "assert os.environ['DEMO_OLD'] in text, 'nothing to edit'\n"
    "open(path, 'w').write(text.replace(os.environ['DEMO_OLD'], os.environ['DEMO_NEW']))\n"
)


class Kubectl:
    def __init__(self, info: harness.ClusterInfo, work: Path) -> None:
        editor = work / "editor.py"
        editor.write_text(EDITOR)
        self.env = {**os.environ, "KUBECONFIG": info.kubeconfig("admin")}
        self.env["KUBE_EDITOR"] = f"{sys.executable} {editor}"

    def __call__(self, *args: str, input: str | None = None, **extra: str) -> str:
        done = subprocess.run(
            ["kubectl", *args],
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            input=input,
        )
        if done.returncode:
            raise RuntimeError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def edit(self, target: str, namespace: str, old: str, new: str) -> None:
        self("edit", target, "-n", namespace, DEMO_OLD=old, DEMO_NEW=new)


def declared(repo: git.Repo, sha: str, path: str) -> list[dict[str, Any]]:
    """The objects under ``path`` at commit ``sha``, Namespaces first."""
    docs: list[dict[str, Any]] = []
    for blob in repo.commit(sha).tree[path].traverse():
        if isinstance(blob, git.Blob) and str(blob.path).endswith(".yaml"):
            docs += [d for d in yaml.safe_load_all(blob.data_stream.read()) if d]
    return sorted(docs, key=lambda d: d["kind"] != "Namespace")


def sync(kubectl: Kubectl, repo: git.Repo, sha: str, app: str, work: Path) -> None:
    """What Argo CD's server-side sync sends: the manifests, with its tracking annotation."""
    docs = declared(repo, sha, APPS[app])
    for doc in docs:
        meta = doc["metadata"]
        group = doc["apiVersion"].rpartition("/")[0]
        where = f"{meta.get('namespace', '')}/{meta['name']}"
        tracking = f"{app}:{group}/{doc['kind']}:{where}"
        meta.setdefault("annotations", {})[TRACKING_ANNOTATION] = tracking
    manifest = work / f"{app}.yaml"
    manifest.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=argocd-controller",
            "-f", str(manifest))  # fmt: skip
    if app == "platform-crds":
        kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")


def status(kubectl: Kubectl, target: str, namespace: str, manager: str, body: Any) -> None:
    patch = json.dumps({"status": body})
    kubectl("patch", target, "-n", namespace, "--subresource=status", "--type=merge",
            "-p", patch, f"--field-manager={manager}")  # fmt: skip


def generation(kubectl: Kubectl, target: str, namespace: str) -> int:
    return int(kubectl("get", target, "-n", namespace, "-o", "jsonpath={.metadata.generation}"))


def deployment_status(kubectl: Kubectl, name: str, namespace: str, replicas: int) -> None:
    target = f"deployment/{name}"
    body = {
        "observedGeneration": generation(kubectl, target, namespace),
        **{
            k: replicas
            for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")
        },
    }
    status(kubectl, target, namespace, "kube-controller-manager", body)


def controllers(kubectl: Kubectl) -> None:
    """What the Deployment controller, cert-manager and the HPA would write."""
    for namespace, name, replicas in [("shop", "frontend", 4), ("shop", "cart", 5),
                                      ("payments", "payments-api", 2),
                                      ("monitoring", "prometheus", 1)]:  # fmt: skip
        deployment_status(kubectl, name, namespace, replicas)
    hpa = {"currentReplicas": 4, "desiredReplicas": 4}
    status(kubectl, "hpa/frontend", "shop", "kube-controller-manager", hpa)
    target = "certificate/payments-tls"
    cert = {
        "conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                        "message": "Certificate is up to date and has not expired",
                        "observedGeneration": generation(kubectl, target, "payments")}],
        "revision": 1,
    }  # fmt: skip
    status(kubectl, target, "payments", "cert-manager-certificates-readiness", cert)


def digest_of(image: str) -> str:
    """A stable, made-up digest per image: the demo's registry is never contacted."""
    return "sha256:" + hashlib.sha256(image.encode()).hexdigest()


def container_status(container: dict[str, Any], waiting: str = "") -> dict[str, Any]:
    image = container["image"]
    if ":" not in image.rsplit("/", 1)[-1]:
        image += ":latest"
    state: dict[str, Any] = {"running": {}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": WAITING[waiting]}}
    return {
        "name": container["name"],
        "image": image,
        "imageID": f"{image.rsplit(':', 1)[0]}@{digest_of(image)}",
        "ready": not waiting,
        "restartCount": 6 if waiting == "CrashLoopBackOff" else 0,
        "state": state,
    }


WAITING = {
    "CrashLoopBackOff": "back-off 5m0s restarting failed container=api",
    "ContainerCreating": "",
}


def owned(kind: str, owner: dict[str, Any]) -> dict[str, Any]:
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": kind, "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}  # fmt: skip


def create(kubectl: Kubectl, obj: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(
        kubectl("create", "-o", "json", "-f", "-", input=json.dumps(obj))
    )
    return out


def replica_set(
    kubectl: Kubectl, deployment: dict[str, Any], suffix: str, image: str, pods: list[str]
) -> None:
    """What the Deployment controller and the kubelet would make: a ReplicaSet running
    ``image`` in its first container, and one Pod per entry of ``pods`` (a waiting reason,
    or "" for a running Pod), each with the status the kubelet would write."""
    ns, name = deployment["metadata"]["namespace"], deployment["metadata"]["name"]
    template = json.loads(json.dumps(deployment["spec"]["template"]))
    template["spec"]["containers"][0]["image"] = image
    rs = create(kubectl, {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"{name}-{suffix}", "namespace": ns,
                     "labels": template["metadata"]["labels"],
                     "ownerReferences": [owned("Deployment", deployment)]},
        "spec": {"replicas": len(pods), "selector": deployment["spec"]["selector"],
                 "template": template},
    })  # fmt: skip
    ready = sum(1 for w in pods if not w)
    status(kubectl, f"replicaset/{rs['metadata']['name']}", ns, "kube-controller-manager",
           {"replicas": len(pods), "readyReplicas": ready, "availableReplicas": ready,
            "observedGeneration": 1})  # fmt: skip
    for index, waiting in enumerate(pods):
        pod = create(kubectl, {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{name}-{suffix}-{index}", "namespace": ns,
                         "labels": template["metadata"]["labels"],
                         "ownerReferences": [owned("ReplicaSet", rs)]},
            "spec": template["spec"],
        })  # fmt: skip
        containers = pod["spec"]["containers"]
        body = {
            "phase": "Pending" if waiting == "ContainerCreating" else "Running",
            "conditions": [{"type": "Ready", "status": "False" if waiting else "True"}],
            "containerStatuses": [container_status(c, waiting) for c in containers],
        }
        status(kubectl, f"pod/{pod['metadata']['name']}", ns, "kubelet", body)


def get(kubectl: Kubectl, target: str, namespace: str) -> dict[str, Any]:
    got: dict[str, Any] = json.loads(kubectl("get", target, "-n", namespace, "-o", "json"))
    return got


def kubelets(kubectl: Kubectl) -> None:
    """Pods for every Deployment. frontend's hand-edited hotfix is a stuck rollout: three
    Pods still run 1.4.1, the new one waits; payments-api's new Pod crash-loops past its
    progress deadline: Degraded."""
    frontend = get(kubectl, "deployment/frontend", "shop")
    replica_set(kubectl, frontend, "7d9f6c5b4", "ghcr.io/example/shop-frontend:1.4.1", [""] * 3)
    replica_set(kubectl, frontend, "5c8d7f9b6", "ghcr.io/example/shop-frontend:1.4.2-hotfix",
                ["ContainerCreating"])  # fmt: skip
    status(kubectl, "deployment/frontend", "shop", "kube-controller-manager", {
        "observedGeneration": generation(kubectl, "deployment/frontend", "shop"),
        "replicas": 4, "updatedReplicas": 1, "readyReplicas": 3, "availableReplicas": 3,
        "unavailableReplicas": 1,
    })  # fmt: skip
    api = get(kubectl, "deployment/payments-api", "payments")
    image = api["spec"]["template"]["spec"]["containers"][0]["image"]
    replica_set(kubectl, api, "6b7c8d9f5", image, ["", "CrashLoopBackOff"])
    status(kubectl, "deployment/payments-api", "payments", "kube-controller-manager", {
        "observedGeneration": generation(kubectl, "deployment/payments-api", "payments"),
        "replicas": 2, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1,
        "unavailableReplicas": 1,
        "conditions": [{"type": "Progressing", "status": "False",
                        "reason": "ProgressDeadlineExceeded",
                        "message": 'ReplicaSet "payments-api-6b7c8d9f5" has timed out progressing.'}],
    })  # fmt: skip
    for ns, name in (("shop", "cart"), ("monitoring", "prometheus")):
        deployment = get(kubectl, f"deployment/{name}", ns)
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        replicas = deployment["status"].get("replicas", 1)
        replica_set(kubectl, deployment, "5f6d7c8b9", image, [""] * replicas)


def autoscale(kubectl: Kubectl) -> None:
    """The HPA scales frontend while Argo CD still owns its replicas: when Git stops
    declaring them, the server keeps the value the HPA owns (a field nobody owned would
    be reset, and a scale write to it is not recorded as ownership)."""
    kubectl("patch", "deployment/frontend", "-n", "shop", "--subresource=scale", "--type=merge",
            "-p", '{"spec":{"replicas":4}}', "--field-manager=kube-controller-manager")  # fmt: skip


def drift(kubectl: Kubectl) -> None:
    """The hand edits driftui should find, each with the kubectl command that makes it."""
    kubectl.edit("deployment/frontend", "shop", "shop-frontend:1.4.1", "shop-frontend:1.4.2-hotfix")
    kubectl("scale", "deployment/cart", "-n", "shop", "--replicas=5")
    kubectl("set", "env", "deployment/payments-api", "-n", "payments", "DEBUG_SQL=true")
    kubectl("label", "service/cart", "-n", "shop", "team=checkout")
    kubectl("delete", "deployment/payments-worker", "-n", "payments")
    rotated, edited = (base64.b64encode(p.encode()).decode() for p in SECRET_PLAINTEXTS[2:4])
    kubectl.edit("secret/payments-db", "payments", rotated, edited)
    kubectl("patch", "certificate/payments-tls", "-n", "payments", "--type=merge",
            "-p", '{"spec":{"renewBefore":"240h"}}')  # fmt: skip


def snapshot(kubectl: Kubectl, repo: Path, out: Path) -> None:
    env = {**kubectl.env, "DRIFTUI_SNAPSHOT_KEY": DEMO_KEY_PHRASE}
    env["XDG_CONFIG_HOME"] = str(out.parent / "config")
    argv = [sys.executable, "-m", "driftui", "snapshot", "--repo", str(repo), "--no-fetch"]
    subprocess.run([*argv, "-o", str(out)], env=env, cwd=repo, check=True)


def rebase(raw: Path, last_commit: datetime, out: Path) -> None:
    """Fixed names for the random cluster, and the capture moved to after the last commit."""
    taken = read_snapshot(raw)
    newest = max(parse(s) for s in stamps(taken.objects))
    delta = delta_to(newest, last_commit + timedelta(days=1))
    taken = replace(
        taken,
        context=CONTEXT,
        server=SERVER,
        objects=shifted(taken.objects, delta),
        taken_at=shifted(taken.taken_at, delta),
    )
    write_snapshot(taken, out)


def capture(work: Path, out: Path = SNAPSHOT) -> None:
    """Play the story on a control plane of its own in ``work`` and write the snapshot."""
    commits = read_commits()
    repo_dir = work / "demo-gitops"
    build_repo(repo_dir, commits)
    repo = git.Repo(repo_dir)
    shas = {
        c.id: sha.hexsha for c, sha in zip(commits, repo.iter_commits(reverse=True), strict=True)
    }
    info = harness.up(work / "cluster")
    try:
        kubectl = Kubectl(info, work)
        for app, commit_id in SYNCS:
            sync(kubectl, repo, shas[commit_id], app, work)
            if commit_id == HPA_SCALES_AFTER:
                autoscale(kubectl)
        drift(kubectl)
        controllers(kubectl)
        kubelets(kubectl)
        snapshot(kubectl, repo_dir, work / "snapshot.json")
    finally:
        harness.down(work / "cluster")
    rebase(work / "snapshot.json", commits[-1].date, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="driftui-demo-capture-") as tmp:
        capture(Path(tmp))
