"""Many-apps benchmark (issue 20): 50 Argo CD Applications of 200 objects each, all from one
repository, scanned with ``--all-apps``, against one ``--repo`` scan of the same 10,000
objects. Both are the whole CLI (``driftui report`` in a new process), run once each, side
by side, on the real control plane; the repository is served by a real git server on
127.0.0.1 and each run fetches it. The issue's target: the apps' scan takes at most 1.5x.

Each app is a plain directory (``apps/app-NN``, read at its top level as Argo CD does) with
its destination namespace; its live objects carry its Argo CD tracking annotation and were
applied by ``argocd-controller``; 5% of them drifted by hand.

Run: .venv/bin/python -m benchmarks.bench_apps [--apps 50] [--objects 200] [--read-only]

Measured (50 x 200, default server-side fidelity, 500 drifted; the 2-core machine shared with
seven other sessions, load average 24-25): --repo 113.65 s, --all-apps 109.43 s, 0.96x.
With --read-only (client-side, load 15-17): --repo 79.42 s, --all-apps 87.54 s, 1.10x.
Before the apps' dry-runs shared one pool (each app waiting out its own) and each app opened
the repository anew: --repo 67.71 s, --all-apps 106.55 s, 1.57x (load 14-22).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.bench_engine import apply_all, drift, make_object
from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.gitops import install_gitops_crds
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import argo_status, create
from tests.gitserver import make_bare, serve_git


def app_objects(apps: int, per_app: int, ns: str) -> dict[str, list[dict[str, Any]]]:
    """Each app's objects, tracked by it (Argo CD's annotation), named apart."""
    out: dict[str, list[dict[str, Any]]] = {}
    for a in range(apps):
        name = f"app-{a:02d}"
        objects = []
        for i in range(per_app):
            obj = make_object(a * per_app + i, ns)
            ref = f"{obj['kind']}:{ns}/{obj['metadata']['name']}"
            group = "apps" if obj["apiVersion"] == "apps/v1" else ""
            annotation = {"argocd.argoproj.io/tracking-id": f"{ns}_{name}:{group}/{ref}"}
            obj["metadata"].setdefault("annotations", {}).update(annotation)
            objects.append(obj)
        out[name] = objects
    return out


def git_side(work: Path, apps: dict[str, list[dict[str, Any]]]) -> Path:
    """One repository: ``apps/<app>/part-*.yaml``, Git's objects without Argo's annotation."""
    root = work / "work"
    for name, objects in apps.items():
        folder = root / "apps" / name
        folder.mkdir(parents=True)
        plain = [_without_tracking(o) for o in objects]
        for start in range(0, len(plain), 20):
            text = yaml.safe_dump_all(plain[start : start + 20], sort_keys=False)
            (folder / f"part-{start // 20:04d}.yaml").write_text(text)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", "-C", str(root), *cmd], check=True, env=env)
    return root


def _without_tracking(obj: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(obj))
    body["metadata"].pop("annotations", None)
    return body


def applications(cluster: ClusterInfo, ns: str, url: str, names: list[str]) -> None:
    for name in names:
        spec = {
            "project": "default",
            "source": {"repoURL": url, "targetRevision": "main", "path": f"apps/{name}"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
        }
        create(cluster, APPLICATION, ns, name, spec, status=argo_status("Synced", "Healthy"))


def run_cli(cluster: ClusterInfo, ns: str, cache: Path, *argv: str) -> tuple[float, dict[str, Any]]:
    """One ``driftui report`` in a new process: (seconds, its JSON)."""
    cmd = [sys.executable, "-m", "driftui", "report", "--format", "json", "-n", ns]
    cmd += ["--kubeconfig", cluster.kubeconfig("admin"), *argv]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise SystemExit(
            f"driftui {' '.join(argv)} failed ({done.returncode}): {done.stderr[:800]}"
        )
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=50)
    parser.add_argument("--objects", type=int, default=200, help="objects per app")
    parser.add_argument("--read-only", action="store_true", help="both scans client-side")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftui-bench-apps-"))
    reuse = os.environ.get("DRIFTUI_CLUSTER_DIR")
    cluster = harness.load(reuse) if reuse else harness.up(work / "cluster")
    try:
        install_gitops_crds(cluster)
        ns = f"bench-apps-{int(time.time())}"
        harness.request(cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
        apps = app_objects(args.apps, args.objects, ns)
        everything = [o for objects in apps.values() for o in objects]
        t = time.perf_counter()
        apply_all(cluster, everything)
        drifted = drift(cluster, everything, every=20)
        source = git_side(work, apps)
        make_bare(work / "srv", "deploy.git", source)
        print(
            f"setup: {args.apps} apps x {args.objects} objects = {len(everything)},"
            f" drifted {drifted}, in {time.perf_counter() - t:.0f}s"
        )
        with serve_git(work / "srv") as base:
            url = f"{base}/deploy.git"
            applications(cluster, ns, url, list(apps))
            flags = ("--read-only",) if args.read_only else ()
            cache = work / "cache"
            run_cli(cluster, ns, cache, "--repo", url, "--path", "apps/app-00", *flags)  # clone
            load = os.getloadavg()
            single, one = run_cli(cluster, ns, cache, "--repo", url, "--path", "apps", *flags)
            many, all_apps = run_cli(cluster, ns, cache, "--all-apps", *flags)
            after = os.getloadavg()
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(
            f"--repo {url} --path apps:  {single:.2f} s  {_counts(one)}  fidelity {one['fidelity']}"
        )
        print(
            f"--all-apps ({len(all_apps['summary']['apps'])} apps): {many:.2f} s"
            f"  {_counts(all_apps)}  fidelity {all_apps['fidelity']}"
            f"  problems {len(all_apps['problems'])}"
        )
        print(f"ratio: {many / single:.2f}x one --repo scan  target <= 1.5x")
        print(f"load average after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    finally:
        if not reuse:
            harness.down(work / "cluster")


def _counts(doc: dict[str, Any]) -> str:
    summary = doc["summary"]
    return json.dumps({k: summary[k] for k in ("in_sync", "drifted", "missing", "extra", "error")})


if __name__ == "__main__":
    main()
