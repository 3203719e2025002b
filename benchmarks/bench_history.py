"""Per-object history and revert preview on a generated repository.

    .venv/bin/python benchmarks/bench_history.py [--commits 5000] [--files 1000] [--keep DIR]

Builds (with ``git fast-import``) a repository of N commits over M multi-document manifest
files, with renames and objects moving between files, then prints how long one object's
history takes cold (empty caches) and warm, and how long a revert preview takes.
Targets (issue 5): history <= 2 s cold and <= 0.3 s warm; revert preview <= 2 s.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cold import forget_parsed
from driftui.actions.revert import preview_revert
from driftui.history import HISTORY_CACHE, object_history
from driftui.model import ObjectRef

T = TypeVar("T")
NAMESPACES = ("shop", "payments", "search", "monitoring", "identity")


def manifest(index: int, image: int, replicas: int, setting: int) -> str:
    ns = NAMESPACES[index % len(NAMESPACES)]
    name = f"svc-{index:04d}"
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: app
        image: registry.example.com/{name}:1.{image}.0
        ports:
        - containerPort: 8080
        env:
        - name: LOG_LEVEL
          value: info
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {ns}
data:
  setting: "{setting}"
"""


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def generate(repo: Path, commits: int, files: int, seed: int = 5) -> None:
    """A linear history: one commit adding every file, then one edit per commit."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    state = {i: [0, 2, 0] for i in range(files)}
    paths = {i: f"apps/{NAMESPACES[i % len(NAMESPACES)]}/svc-{i:04d}.yaml" for i in range(files)}
    stream: list[bytes] = []
    when = 1_700_000_000

    def header(mark: int, message: str) -> None:
        stream.append(b"commit refs/heads/main\nmark :%d\n" % mark)
        who = b"Bench Mark <bench@example.com> %d +0000\n" % (when + mark * 60)
        stream.append(b"author " + who + b"committer " + who)
        stream.append(_data(message))
        if mark > 1:
            stream.append(b"from :%d\n" % (mark - 1))

    header(1, "initial import")
    for i in range(files):
        stream.append(f"M 100644 inline {paths[i]}\n".encode() + _data(manifest(i, *state[i])))
    for mark in range(2, commits + 1):
        i = rng.randrange(files)
        if mark % 250 == 0:  # now and then a file is renamed
            old = paths[i]
            paths[i] = old.replace(".yaml", f"-r{mark}.yaml")
            header(mark, f"rename {old}")
            stream.append(f"R {old} {paths[i]}\n".encode())
            continue
        what = rng.choice(("image", "replicas", "setting"))
        state[i][("image", "replicas", "setting").index(what)] += 1
        header(mark, f"svc-{i:04d}: bump {what}")
        stream.append(f"M 100644 inline {paths[i]}\n".encode() + _data(manifest(i, *state[i])))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def busiest_object(repo: Path) -> tuple[ObjectRef, str]:
    """The Deployment with the most edits among renamed files: the hardest history."""
    out = subprocess.run(
        ["git", "log", "--format=%s"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    counts: dict[str, int] = {}
    renamed: set[str] = set()
    for subject in out.splitlines():
        if subject.startswith("svc-") and ": bump" in subject:
            name = subject.split(":")[0]
            counts[name] = counts.get(name, 0) + 1
        elif subject.startswith("rename "):
            renamed.add(subject.rsplit("/", 1)[1].split(".")[0])
    name = max(sorted(renamed & set(counts)), key=counts.__getitem__)
    ns = NAMESPACES[int(name.split("-")[1]) % len(NAMESPACES)]
    return ObjectRef("apps", "Deployment", ns, name), name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--keep", help="build the repository here and keep it")
    args = parser.parse_args()

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="driftui-bench-"))
    repo = base / "repo"
    if not (repo / ".git").exists():
        elapsed, _ = timed(lambda: generate(repo, args.commits, args.files))
        print(f"generated {args.commits} commits over {args.files} files in {elapsed:.2f} s")
    target, name = busiest_object(repo)
    quiet = ObjectRef("", "Service", target.namespace, name)

    HISTORY_CACHE.clear()
    forget_parsed()
    cold, history = timed(lambda: object_history(str(repo), "HEAD", target))
    warm, again = timed(lambda: object_history(str(repo), "HEAD", target))
    assert again == history
    HISTORY_CACHE.clear()
    reparse, _ = timed(lambda: object_history(str(repo), "HEAD", target))
    HISTORY_CACHE.clear()
    forget_parsed()
    quiet_cold, quiet_history = timed(lambda: object_history(str(repo), "HEAD", quiet))
    latest = history[0].sha
    preview_time, preview = timed(lambda: preview_revert(str(repo), latest))
    middle = history[len(history) // 2].sha
    old_preview_time, old_preview = timed(lambda: preview_revert(str(repo), middle))

    print(f"object {target}: {len(history)} history entries")
    print(f"  history cold (empty caches)          {cold:6.3f} s   target <= 2 s")
    print(f"  history warm (result cache)          {warm:6.3f} s   target <= 0.3 s")
    print(f"  history warm (parse cache only)      {reparse:6.3f} s")
    print(f"object {quiet}: {len(quiet_history)} entries (file edits never touch it)")
    print(f"  history cold                         {quiet_cold:6.3f} s")
    for sha, elapsed, result in (
        (latest, preview_time, preview),
        (middle, old_preview_time, old_preview),
    ):
        state = "clean" if result.clean else f"conflicts in {', '.join(result.conflicts)}"
        print(f"revert preview of {sha[:12]} ({state}, {len(result.objects)} objects changed)")
        print(f"  preview                              {elapsed:6.3f} s   target <= 2 s")
    if not args.keep:
        print(f"(repository left in {base}; pass --keep DIR to reuse one)")


if __name__ == "__main__":
    main()
