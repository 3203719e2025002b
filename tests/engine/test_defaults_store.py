"""The server's defaults of Git's objects, kept on disk: a second run (a new process, as the
CLI is) with Git unchanged sends no dry-run create; a Secret's never reach the disk, nor
anything of a source rendered from a Secret's values; a new mutating webhook makes them be
asked again (issue 21)."""

from __future__ import annotations

import base64
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.engine.defaults_store import KEPT_FOR, DefaultsStore, defaults_root
from driftui.gate import MutationGate
from driftui.model import ScanReport, Status
from driftui.source.recipe import HelmOptions, RenderRecipe
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo
from tests.engine.test_dry_runs import (
    MERGE,
    audit_mark,
    dry_runs_since,
    essence,
    idle_mutating_webhook,
    patch,
)

pytestmark = pytest.mark.cluster

APPLY = "application/apply-patch+yaml"
TOKEN = "s3cr3t-token-value"


def objects(ns: str) -> list[dict[str, Any]]:
    meta = {"namespace": ns, "labels": {"app": "shop"}}
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", **meta}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "credentials", **meta},
            "stringData": {"token": TOKEN},
        },
    ]


@pytest.fixture
def labelled(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A ConfigMap and a Secret applied from Git, each made mutable by hand: drift that
    only the server's defaults could excuse, so a dry-run create is sent for each (a hand
    label would need none: these kinds default no label)."""
    ns = f"defaults-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    for obj in objects(ns):
        patch(cluster, obj, obj, "?fieldManager=argocd-controller&force=true", APPLY)
        edit = {"immutable": False}
        patch(cluster, obj, edit, "?fieldManager=kubectl-edit", MERGE)
    repo = tmp_path / "repo"
    write_repo(repo, {"shop.yaml": objects(ns)})
    yield repo, ns
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def scan(cluster: ClusterInfo, repo: Path, ns: str, cache: Path, **extra: Any) -> ScanReport:
    """One run, as a new CLI process makes it: a new Scanner, nothing remembered in memory."""
    kubeconfig = cluster.kubeconfig("admin")
    opts = ScanOptions(
        repo=str(repo), kubeconfig=kubeconfig, namespace=ns, cache_dir=str(cache), **extra
    )
    report = Scanner(opts, MutationGate()).scan()
    assert [r.status for r in report.results] == [Status.DRIFTED, Status.DRIFTED]
    return report


def kept_text(cache: Path) -> str:
    return "".join(p.read_text() for p in sorted((cache / "defaults").glob("*.json")))


def test_a_second_run_asks_no_defaults_of_unchanged_objects_and_never_keeps_a_secrets(
    cluster: ClusterInfo, labelled: tuple[Path, str], tmp_path: Path
) -> None:
    repo, ns = labelled
    cache = tmp_path / "cache"
    mark = audit_mark(cluster)
    first = scan(cluster, repo, ns, cache)  # no field Git sets differs: no apply is needed
    assert dry_runs_since(cluster, mark, ns) == {"create": 2}
    kept = kept_text(cache)
    assert "settings" in kept and "credentials" not in kept
    assert TOKEN not in kept and base64.b64encode(TOKEN.encode()).decode() not in kept
    assert [p.stat().st_mode & 0o777 for p in (cache / "defaults").iterdir()] == [0o600]

    mark = audit_mark(cluster)
    second = scan(cluster, repo, ns, cache)
    assert essence(second) == essence(first)
    assert dry_runs_since(cluster, mark, ns) == {"create": 1}  # the Secret's


def test_a_source_rendered_from_a_secrets_values_keeps_nothing_on_disk(
    cluster: ClusterInfo, labelled: tuple[Path, str], tmp_path: Path
) -> None:
    repo, ns = labelled
    private = RenderRecipe(at="elsewhere", helm=HelmOptions(private=True))
    scan(cluster, repo, ns, tmp_path / "recipe", recipe=private)
    scan(cluster, repo, ns, tmp_path / "redact", redact=lambda report: report)
    assert not (tmp_path / "recipe" / "defaults").exists()
    assert not (tmp_path / "redact" / "defaults").exists()


def test_a_new_mutating_webhook_has_the_defaults_asked_again(
    cluster: ClusterInfo, labelled: tuple[Path, str], tmp_path: Path
) -> None:
    repo, ns = labelled
    cache = tmp_path / "cache"
    first = scan(cluster, repo, ns, cache)
    with idle_mutating_webhook(cluster):
        mark = audit_mark(cluster)
        again = scan(cluster, repo, ns, cache)
        assert dry_runs_since(cluster, mark, ns) == {"create": 2}
        assert essence(again) == essence(first)


def test_without_a_cache_dir_the_tests_keep_defaults_in_the_sessions_cache() -> None:
    """The suite leaves nothing in the developer's ~/.cache: conftest moves XDG_CACHE_HOME."""
    root = defaults_root(ScanOptions(repo="."))
    assert root == Path(os.environ["XDG_CACHE_HOME"]) / "driftui"
    assert not root.is_relative_to(Path.home() / ".cache")


def test_an_unreadable_store_file_is_no_store_at_all(tmp_path: Path) -> None:
    """A truncated or foreign file (another version's) is read as empty, never an error."""
    for text in ("{", '{"format": 99, "entries": {"k": [0, {}]}}', '{"entries": 3}'):
        path = tmp_path / "defaults.json"
        path.write_text(text)
        store = DefaultsStore(path, "state", {"api/v1": "/openapi/v3/api/v1?hash=1"})
        key = store.key({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})
        assert key is not None and store.get(key) is None


def test_the_files_of_clusters_not_scanned_for_a_week_are_removed(tmp_path: Path) -> None:
    """Each test control plane (each port) leaves a file: one unused for longer than
    entries are kept is removed when another is written."""
    old, recent = tmp_path / "old.json", tmp_path / "recent.json"
    for path, age in ((old, KEPT_FOR + 60), (recent, KEPT_FOR - 60)):
        path.write_text("{}")
        then = time.time() - age
        os.utime(path, (then, then))
    store = DefaultsStore(tmp_path / "current.json", "state", {})
    store.put("key", {"kind": "ConfigMap"})
    store.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current.json", "recent.json"]
