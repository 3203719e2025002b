"""Engine benchmark (issues 3, 21): 10,000 objects of mixed kinds, 5% drifted, on the real
control plane.

Prints the in-process figures (cold scan, warm rescan, peak RSS: read-only, client-side), then
the whole CLI as users meet it: `driftui report` in a new process, default server-side
fidelity and `--read-only`, each cold (an empty cache directory) and warm (the parsed blobs
and the dry-run-create defaults its cold run kept on disk), their ratios, and each per object against
`kubectl diff --server-side` on a sample, timed in every round beside them and taken the same
way (the best of the rounds). Each run also shows its CPU seconds, the control
plane's, and its requests from the audit log (benchmarks/cli_costs.py): on a loaded machine
wall time mostly measures the load.
Run: .venv/bin/python -m benchmarks.bench_engine [--objects 10000] [--kubectl-sample 200]
     [--cli-runs 3] [--concurrency 16] [--drift label|value|image|cpu]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from benchmarks.cli_costs import Cost, load_line, run_costed
from benchmarks.cold import forget_parsed, own_cache, user_env
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

APPLY = "application/apply-patch+yaml"


def make_object(i: int, ns: str) -> dict[str, Any]:
    """One object; built fresh each time so the YAML has no anchors (as real manifests)."""
    fresh: dict[str, Any] = json.loads(json.dumps(_make_object(i, ns)))
    return fresh


def _make_object(i: int, ns: str) -> dict[str, Any]:
    name = f"obj-{i:05d}"
    labels = {"app": name, "tier": ["web", "api", "db"][i % 3]}
    kind = i % 4
    if kind == 0:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "data": {f"key{j}": f"value-{i}-{j}" for j in range(8)},
        }
    if kind == 1:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]},
        }
    if kind == 2:
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": ns},
            "stringData": {"token": f"t-{i}"},
        }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": f"registry.local/app:{i % 50}",
                            "env": [{"name": "INDEX", "value": str(i)}],
                            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                        }
                    ]
                },
            },
        },
    }


def resource_path(obj: dict[str, Any]) -> str:
    plural = {
        "ConfigMap": "configmaps",
        "Service": "services",
        "Secret": "secrets",
        "Deployment": "deployments",
    }[obj["kind"]]
    base = "/apis/apps/v1" if obj["apiVersion"] == "apps/v1" else "/api/v1"
    return f"{base}/namespaces/{obj['metadata']['namespace']}/{plural}/{obj['metadata']['name']}"


def apply_all(cluster: ClusterInfo, objects: list[dict[str, Any]]) -> None:
    def one(obj: dict[str, Any]) -> None:
        status, body = harness.request(
            cluster,
            "PATCH",
            resource_path(obj) + "?fieldManager=argocd-controller&force=true",
            obj,
            content_type=APPLY,
        )
        assert status in (200, 201), body

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, objects))


MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"  # what kubectl set image sends
_REQUESTS = {"name": "app", "resources": {"requests": {"cpu": "200m"}}}
HAND_EDITS: dict[str, tuple[int, str, dict[str, Any]]] = {
    # name: (which object of every ``every`` is edited: 0 a ConfigMap, 3 a Deployment; how)
    # a label added by hand (the workload): no dry-run can change its verdict
    "label": (0, MERGE, {"metadata": {"labels": {"edited-by-hand": "yes"}}}),
    # a ConfigMap value Git sets, changed by hand: a string the server keeps as sent, so
    # no dry-run can change its verdict either (engine.prediction_needs.kept_as_sent)
    "value": (0, MERGE, {"data": {"key0": "edited-by-hand"}}),
    # `kubectl set image` on a Deployment: a string the server keeps as sent, no dry-run
    "image": (
        3,
        STRATEGIC,
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "edited:1"}]}}}},
    ),
    # `kubectl set resources` on a Deployment: a quantity Git sets, which needs the apply
    "cpu": (3, STRATEGIC, {"spec": {"template": {"spec": {"containers": [_REQUESTS]}}}}),
}


def drift(
    cluster: ClusterInfo, objects: list[dict[str, Any]], every: int, edit: str = "label"
) -> int:
    """One object in every ``every`` edited by hand, as ``HAND_EDITS[edit]`` says."""
    offset, content_type, patch = HAND_EDITS[edit]
    drifted = [o for i, o in enumerate(objects) if i % every == offset]

    def one(obj: dict[str, Any]) -> None:
        status, body = harness.request(
            cluster,
            "PATCH",
            resource_path(obj) + "?fieldManager=kubectl-edit",
            patch,
            content_type=content_type,
        )
        assert status == 200, body

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, drifted))
    return len(drifted)


def write_repo(root: Path, objects: list[dict[str, Any]], per_file: int = 20) -> None:
    root.mkdir(parents=True)
    for start in range(0, len(objects), per_file):
        chunk = objects[start : start + per_file]
        (root / f"part-{start // per_file:04d}.yaml").write_text(
            yaml.safe_dump_all(chunk, sort_keys=False)
        )
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", "-C", str(root), *cmd], check=True, env=env)


def time_cli(
    cluster: ClusterInfo, repo: Path, ns: str, cache: Path, *extra: str
) -> tuple[Cost, str]:
    """One `driftui report` in a new process, as a user runs it, with ``cache`` as its
    cache directory (XDG_CACHE_HOME): what it cost, and its fidelity."""
    argv = [sys.executable, "-m", "driftui", "report", "--repo", str(repo), "-n", ns]
    argv += ["--kubeconfig", cluster.kubeconfig("admin"), "--no-fetch", *extra]
    done, cost = run_costed(cluster, argv, user_env({"XDG_CACHE_HOME": str(cache)}))
    if done.returncode not in (0, 1):
        raise SystemExit(f"driftui report failed ({done.returncode}): {done.stderr[:500]}")
    fidelity = json.loads(done.stdout).get("fidelity", "?") if done.stdout.startswith("{") else "?"
    return cost, str(fidelity)


CLI_MODES = ("default cold", "--read-only cold", "default warm", "--read-only warm")
KUBECTL = "kubectl diff"


def time_kubectl(cluster: ClusterInfo, sample_dir: Path) -> tuple[Cost, int]:
    """`kubectl diff --server-side` of the sample's manifests: what it cost, and how many
    objects it showed changed."""
    done, cost = run_costed(
        cluster,
        [
            cluster.kubectl,
            "--kubeconfig",
            cluster.kubeconfig("admin"),
            "diff",
            "--server-side",
            "--field-manager=argocd-controller",
            "--force-conflicts",
            "-f",
            str(sample_dir),
        ],
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"kubectl diff failed ({done.returncode}): {done.stderr[:500]}")
    return cost, sum(1 for line in done.stdout.splitlines() if line.startswith("diff -u"))


def cli_figures(
    cluster: ClusterInfo,
    repo: Path,
    ns: str,
    sample_dir: Path,
    runs: int,
    concurrency: int,
    work: Path,
) -> tuple[dict[str, Cost], int]:
    """The best (by wall time) of ``runs`` rounds of: the default path and --read-only, each
    with an empty cache directory (cold), then each again on the cache its cold run left
    (warm: the parsed blobs, and the default path's dry-run-create defaults, are kept on
    disk), then kubectl diff of the sample. Each mode is compared with --read-only in the
    same state. kubectl runs in every round, beside driftui's runs, and its figure is taken
    the same way (the best of as many runs): a single run of it, on a machine whose speed
    drifts, moved the ratio by a fifth between benchmark runs. Also: how many objects
    kubectl showed changed."""
    seen: dict[str, list[Cost]] = {mode: [] for mode in (*CLI_MODES, KUBECTL)}
    shown = 0
    print(f"cli: {load_line()}")
    for run in range(1, runs + 1):
        mine, plain = (Path(tempfile.mkdtemp(prefix="cache-", dir=work)) for _ in range(2))
        default = ("--concurrency", str(concurrency))
        rounds = (
            ("default cold", mine, default),
            ("--read-only cold", plain, ("--read-only",)),
            ("default warm", mine, default),
            ("--read-only warm", plain, ("--read-only",)),
        )
        for mode, where, extra in rounds:
            cost, fidelity = time_cli(cluster, repo, ns, where, *extra)
            seen[mode].append(cost)
            print(f"cli run {run}: driftui report {mode} ({fidelity}): {cost.line()}")
        cost, shown = time_kubectl(cluster, sample_dir)
        seen[KUBECTL].append(cost)
        print(f"cli run {run}: kubectl diff of the sample: {cost.line()}")
    print(f"cli: {load_line()}")
    best = {mode: min(costs, key=lambda c: c.wall) for mode, costs in seen.items()}
    for state in ("cold", "warm"):
        ours, read_only = best[f"default {state}"], best[f"--read-only {state}"]
        print(
            f"cli default {state} / --read-only {state}: wall {ours.wall:.2f} /"
            f" {read_only.wall:.2f} s = {ours.wall / read_only.wall:.2f}x; CPU (driftui +"
            f" apiserver/etcd) {ours.total_cpu:.2f} / {read_only.total_cpu:.2f} s ="
            f" {ours.total_cpu / read_only.total_cpu:.2f}x  target <= 1.3x"
        )
    return best, shown


def speed_ups(cli: dict[str, Cost], kubectl: Cost, sampled: int, objects: int) -> None:
    """Each whole-CLI run per object against kubectl diff's: by wall time (the target), and
    by CPU seconds, driftui's or kubectl's own plus the control plane's (what load hides)."""
    per_wall, per_cpu = kubectl.wall / sampled, kubectl.total_cpu / sampled
    for mode, cost in cli.items():
        target = "  target >= 25x" if mode.startswith("default") else ""
        print(
            f"speed-up per object vs kubectl diff, whole CLI, driftui report {mode}:"
            f" {per_wall / (cost.wall / objects):.1f}x by wall"
            f" ({cost.wall / objects * 1e3:.3f} ms/object){target},"
            f" {per_cpu / (cost.total_cpu / objects):.1f}x by CPU"
        )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--kubectl-sample", type=int, default=200)
    parser.add_argument(
        "--cli-runs", type=int, default=3, help="rounds of each CLI mode and of kubectl diff"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="the CLI's --concurrency")
    parser.add_argument(
        "--sequential-too",
        action="store_true",
        help="also time the default CLI with --concurrency 1 (dry-runs one at a time, as before)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where a cold scan spends time"
    )
    parser.add_argument(
        "--drift",
        choices=sorted(HAND_EDITS),
        default="label",
        help="the hand edit of the drifted objects: a label added, a ConfigMap value changed"
        " or a Deployment's image set (no dry-run needed), or a Deployment's CPU request set"
        " (each needs the apply)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftui-bench-"))
    own_cache(work)
    reuse = os.environ.get("DRIFTUI_CLUSTER_DIR")
    cluster = harness.load(reuse) if reuse else harness.up(work / "cluster")
    try:
        ns = f"bench-{int(time.time())}"
        harness.request(cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
        objects = [make_object(i, ns) for i in range(args.objects)]
        t = time.perf_counter()
        apply_all(cluster, objects)
        n_drift = drift(cluster, objects, every=20, edit=args.drift)
        print(
            f"setup: applied {len(objects)} objects, drifted {n_drift} ({n_drift / len(objects):.0%},"
            f" a {args.drift} edited by hand) in {time.perf_counter() - t:.1f}s"
        )
        repo = work / "repo"
        write_repo(repo, objects)
        options = ScanOptions(
            repo=str(repo), kubeconfig=cluster.kubeconfig("admin"), namespace=ns, read_only=True
        )
        scanner = Scanner(options, MutationGate(read_only=True))
        t = time.perf_counter()
        report = scanner.scan()
        cold = time.perf_counter() - t
        t = time.perf_counter()
        report = scanner.scan()
        warm = time.perf_counter() - t
        counts = report.counts()
        print(f"verdicts: {json.dumps(counts)}")
        print(
            f"cold scan:   {cold:.2f} s  ({cold / len(objects) * 1e3:.3f} ms/object)  target <= 5 s"
        )
        print(f"warm rescan: {warm:.2f} s  target <= 2 s")
        print(f"peak RSS:    {rss_mb():.0f} MB  target <= 500 MB")
        if args.profile:
            import cProfile
            import pstats

            forget_parsed()  # cold again: the profile is of a first scan
            profiler = cProfile.Profile()
            profiler.runcall(Scanner(options, MutationGate(read_only=True)).scan)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        n = len(objects)
        sample = objects[: args.kubectl_sample]
        sample_dir = work / "sample"
        write_repo(sample_dir, sample)
        runs = max(1, args.cli_runs)
        cli, shown = cli_figures(cluster, repo, ns, sample_dir, runs, args.concurrency, work)
        kubectl = cli.pop(KUBECTL)
        if args.sequential_too:
            cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
            cost, fidelity = time_cli(cluster, repo, ns, cache, "--concurrency", "1")
            print(f"driftui report --concurrency 1, cold ({fidelity}): {cost.line()}")
        unseen = " (it cannot see labels added outside Git)" if args.drift == "label" else ""
        print(
            f"kubectl diff reported {shown} changed objects in the sample{unseen};"
            " it dry-runs every object"
        )
        print(f"kubectl diff (SAMPLE of {len(sample)} objects, best of {runs}): {kubectl.line()}")
        per_kubectl = kubectl.wall / len(sample)
        print(
            f"speed-up per object vs kubectl diff: cold scan {per_kubectl / (cold / n):.1f}x,"
            f" warm rescan {per_kubectl / (warm / n):.1f}x  target >= 25x"
        )
        speed_ups(cli, kubectl, len(sample), n)
    finally:
        if not reuse:
            harness.down(work / "cluster")


if __name__ == "__main__":
    main()
