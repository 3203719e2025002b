"""The engine against a snapshot: no cluster, real Git. Namespace defaulting and duplicates."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from driftui.engine import Scanner, ScanOptions
from driftui.engine.generations import GenerationCache
from driftui.gate import MutationGate
from driftui.live.snapshot import Snapshot, write_snapshot
from driftui.model import Status


def commit(repo: Path, files: dict[str, list[dict[str, Any]]]) -> None:
    repo.mkdir()
    for name, docs in files.items():
        (repo / name).write_text(yaml.safe_dump_all(docs))
    env = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), *env, "commit", "-qm", "c"], check=True)


def cm(name: str, namespace: str | None = None, **data: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def scan(tmp_path: Path, files: dict[str, list[dict[str, Any]]], live: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    commit(repo, files)
    snap = tmp_path / "live.json"
    write_snapshot(Snapshot(objects=live), snap)
    options = ScanOptions(repo=str(repo), live_snapshot=str(snap), namespace="apps")
    return Scanner(options, MutationGate(read_only=True)).scan()


def test_objects_without_namespace_get_the_default_namespace(tmp_path: Path) -> None:
    live = [
        cm("a", "apps", k="v"),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}},
    ]
    report = scan(tmp_path, {"a.yaml": [cm("a", k="v"), live[1]]}, live)
    refs = {(r.ref.kind, r.ref.namespace, r.ref.name): r.status for r in report.results}
    assert refs == {
        ("ConfigMap", "apps", "a"): Status.IN_SYNC,
        ("Namespace", "", "apps"): Status.IN_SYNC,
    }


def test_an_identity_declared_twice_is_two_errors_even_across_defaulting(tmp_path: Path) -> None:
    files = {
        "one.yaml": [cm("a", k="1")],
        "two.yaml": [cm("a", "apps", k="2")],
        "ok.yaml": [cm("b")],
    }
    report = scan(tmp_path, files, [cm("a", "apps", k="1"), cm("b", "apps")])
    errors = [r for r in report.results if r.status is Status.ERROR]
    assert sorted(r.source_file or "" for r in errors) == ["one.yaml", "two.yaml"]
    assert all("duplicate identity" in r.reason for r in errors)
    assert [r.ref.name for r in report.results if r.status is Status.IN_SYNC] == ["b"]


def test_a_duplicate_within_files_as_written_is_reported_too(tmp_path: Path) -> None:
    files = {"one.yaml": [cm("a", "apps"), cm("a", "apps")]}
    report = scan(tmp_path, files, [cm("a", "apps")])
    assert [r.status for r in report.results] == [Status.ERROR, Status.ERROR]
    assert report.problems == []


def test_rescans_forget_the_verdicts_of_older_resource_versions(tmp_path: Path) -> None:
    """Watch mode rescans forever; each update is a new resourceVersion (a new cache key)."""
    repo = tmp_path / "repo"
    commit(repo, {"all.yaml": [cm(f"c{i}", k="v") for i in range(5)]})
    snap = tmp_path / "live.json"
    options = ScanOptions(repo=str(repo), live_snapshot=str(snap), namespace="apps")
    scanner = Scanner(options, MutationGate(read_only=True))
    for version in range(1, 12):
        live = [cm(f"c{i}", "apps", k="v" if i else f"hand-{version}") for i in range(5)]
        for i, obj in enumerate(live):
            obj["metadata"]["resourceVersion"] = str(version if i == 0 else 1)
        write_snapshot(Snapshot(objects=live), snap)
        report = scanner.scan()
        assert report.results[0].differences[0].live == f"hand-{version}"
    assert len(scanner._verdicts) <= 2 * 5  # this scan's and the one before's, never all eleven
    unchanged = report.results[1]
    assert scanner._last is not None
    # one copy of an unchanged live object, the one its (cached) verdict refers to
    assert scanner._last[0].state.objects[unchanged.ref] is unchanged.live


def test_generation_cache_keeps_what_each_pass_uses() -> None:
    cache: GenerationCache[str, int] = GenerationCache()
    cache.put("used", 1)
    cache.put("dropped", 2)
    cache.next_generation()
    assert cache.get("used") == 1
    cache.next_generation()
    assert cache.get("used") == 1
    assert cache.get("dropped") is None
    assert len(cache) == 1
