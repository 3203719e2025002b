"""Desired-state source benchmark: a generated repo of N objects in plain YAML files.

Prints the cold load (fresh process cache: git ls-tree + cat-file + parse), the warm reload
of the same commit (parse cache hit), a reload after one file changed, and the parse rate.
Run: .venv/bin/python -m benchmarks.bench_source [--objects 10000] [--per-file 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from driftui.source.blobs import ParseCache
from driftui.source.git_repo import open_repo
from driftui.source.load import load_from_repo

KINDS = ("ConfigMap", "Service", "Deployment")


def make_object(i: int) -> dict[str, object]:
    kind = KINDS[i % len(KINDS)]
    meta = {"name": f"obj-{i}", "namespace": f"ns-{i % 20}", "labels": {"app": f"app-{i % 50}"}}
    if kind == "ConfigMap":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "data": {"k": "v" * 200}}
    if kind == "Service":
        spec: dict[str, Any] = {
            "selector": {"app": "x"},
            "ports": [{"port": 80, "targetPort": 8080}],
        }
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}
    container: dict[str, Any] = {
        "name": "web",
        "image": f"nginx:1.{i % 30}",
        "env": [{"name": f"E{j}", "value": str(j)} for j in range(5)],
        "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}},
    }
    spec = {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "x"}},
        "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [container]}},
    }
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@b",
        "GIT_COMMITTER_NAME": "b",
    }
    env["GIT_COMMITTER_EMAIL"] = "b@b"
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def build_repo(root: Path, objects: int, per_file: int) -> int:
    root.mkdir()
    git(root, "init", "-q")
    size = 0
    for start in range(0, objects, per_file):
        docs = [make_object(i) for i in range(start, min(start + per_file, objects))]
        path = root / f"apps/team-{start % 7}/file-{start:06d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump_all(docs)
        size += len(text)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generated")
    return size


def timed(label: str, fn: object) -> float:
    start = time.perf_counter()
    result = fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    print(f"{label:<34} {elapsed:7.3f} s   ({len(result.manifests)} objects)")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo_dir = Path(tmp) / "repo"
        size = build_repo(repo_dir, args.objects, args.per_file)
        print(
            f"repo: {args.objects} objects in {args.objects // args.per_file} files, "
            f"{size / 1e6:.1f} MB of YAML"
        )
        repo = open_repo(str(repo_dir))
        cache = ParseCache()

        def load() -> object:
            return load_from_repo(repo, cache_dir=tmp, parse_cache=cache)

        cold = timed("cold load (parse everything)", load)
        warm = timed("warm reload (same commit)", load)
        first = repo_dir / "apps/team-0/file-000000.yaml"
        first.write_text(first.read_text().replace("v" * 200, "w" * 200))
        git(repo_dir, "commit", "-qam", "one change")
        timed("reload after a one-file commit", load)
        print(f"parse rate (cold)                  {size / 1e6 / cold:7.2f} MB/s")
        print(f"warm / cold                        {warm / cold:7.2%}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS                           {rss:7.0f} MB")


if __name__ == "__main__":
    main()
