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


@pytest.fixture
def cpu_edited(cluster: ClusterInfo, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A Deployment and a Secret applied from Git, then a value Git sets changed by hand
    in each (`kubectl set resources`, a quantity; the Secret's token): each needs the
    dry-run apply."""
    ns = f"applies-{uuid.uuid4().hex[:8]}"
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    labels = {"app": "shop"}
    container = cpu_request("100m")
    template = {"metadata": {"labels": labels}, "spec": {"containers": [container]}}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "shop", "namespace": ns},
        "spec": {"selector": {"matchLabels": labels}, "template": template},
    }
    secret = objects(ns)[1]
    for obj in (deployment, secret):
        patch(cluster, obj, obj, "?fieldManager=argocd-controller&force=true", APPLY)
    set_cpu(cluster, deployment, "200m")
    patch(
        cluster, secret, {"stringData": {"token": "by-hand"}}, "?fieldManager=kubectl-edit", MERGE
    )
    repo = tmp_path / "repo"
    write_repo(repo, {"shop.yaml": [deployment, secret]})
    yield repo, ns
    harness.request(cluster, "DELETE", f"/api/v1/namespaces/{ns}")


def cpu_request(cpu: str) -> dict[str, Any]:
    return {"name": "app", "image": "shop:1", "resources": {"requests": {"cpu": cpu}}}


def set_cpu(cluster: ClusterInfo, deployment: dict[str, Any], cpu: str) -> None:
    edit = {"spec": {"template": {"spec": {"containers": [cpu_request(cpu)]}}}}
    patch(cluster, deployment, edit, "?fieldManager=kubectl-set", MERGE)


def test_a_second_run_asks_no_apply_of_an_unchanged_object_and_never_keeps_a_secrets(
    cluster: ClusterInfo, cpu_edited: tuple[Path, str], tmp_path: Path
) -> None:
    """The apply's answer is kept by the live version it was applied to: the same drift
    in the next run costs no request; a new hand edit (a new resourceVersion) asks again."""
    repo, ns = cpu_edited
    cache = tmp_path / "cache"
    mark = audit_mark(cluster)
    first = scan(cluster, repo, ns, cache)
    assert dry_runs_since(cluster, mark, ns) == {"patch": 2}
    kept = kept_text(cache)
    assert '"cpu":"100m"' in kept  # the apply's answer: Git's request
    assert "credentials" not in kept and "by-hand" not in kept and TOKEN not in kept

    mark = audit_mark(cluster)
    second = scan(cluster, repo, ns, cache)
    unmasked = [e for e in essence(second) if e[0] != first.results[0].ref]  # each run its key
    assert first.results[0].ref.kind == "Secret" and len(unmasked) == 2
    assert unmasked == [e for e in essence(first) if e[0] != first.results[0].ref]
    assert {r.fidelity.value for r in second.results} == {"server-side"}
    assert dry_runs_since(cluster, mark, ns) == {"patch": 1}  # the Secret's, never kept

    deployment = {"apiVersion": "apps/v1", "kind": "Deployment"}
    set_cpu(cluster, {**deployment, "metadata": {"name": "shop", "namespace": ns}}, "300m")
    mark = audit_mark(cluster)
    third = scan(cluster, repo, ns, cache)
    assert dry_runs_since(cluster, mark, ns) == {"patch": 2}
    shown = {d.live for r in third.results if r.ref.kind == "Deployment" for d in r.differences}
    assert "300m" in shown
