"""A scan of many apps as the explorer's watch uses it: one LIST shared by every app, and a
watch event judged again by the app whose source declares the object (its own rules), the
rest of the report kept. Real control plane, Git over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.engine import Scanner, ScanOptions
from driftui.engine.app_scan import AppScanner
from driftui.gate import MutationGate
from driftui.gitops.discovery import discover_apps
from driftui.model import AppRef, ObjectRef, Status
from tests.cli.test_app_sources import REPO_FILES, World, argo_app, argo_applied
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import make_repo

pytestmark = pytest.mark.cluster


@pytest.fixture
def w(cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path) -> Iterator[World]:
    work = make_repo(tmp_path / "work", REPO_FILES)
    make_bare(tmp_path / "srv", "deploy.git", work)
    with serve_git(tmp_path / "srv") as base:
        yield World(cluster, namespace, f"{base}/deploy.git", work)


def app_scanner(w: World) -> AppScanner:
    options = ScanOptions(repo=str(w.work), kubeconfig=w.cluster.kubeconfig(), namespace=w.ns)
    base = Scanner(options, MutationGate(read_only=True))
    apps = [a for a in discover_apps(base.client()).apps if a.namespace == w.ns]
    return AppScanner(base, apps)


def test_a_watch_event_is_judged_again_by_its_own_app(w: World) -> None:
    ignore = [{"kind": "ConfigMap", "jsonPointers": ["/data/colour"]}]
    argo_app(w, "left", "left", ignoreDifferences=ignore)
    argo_app(w, "right", "right")
    argo_applied(w, "left", "left-settings")
    argo_applied(w, "right", "right-settings")
    scanner = app_scanner(w)
    report = scanner.scan()
    assert {r.ref.name: r.status for r in report.results} == {
        "left-settings": Status.IN_SYNC,
        "right-settings": Status.IN_SYNC,
    }
    live = scanner.live_objects()
    assert {ref.name for ref in live} >= {"left-settings", "right-settings"}
    changes = {}
    for name in ("left-settings", "right-settings"):  # both edited by hand
        path = f"/api/v1/namespaces/{w.ns}/configmaps/{name}"
        edit = {"data": {"colour": "red"}}
        code, body = harness.request(
            w.cluster, "PATCH", path, edit, content_type="application/merge-patch+json"
        )
        assert code == 200, body
        changes[ObjectRef("", "ConfigMap", w.ns, name)] = body

    again = scanner.rejudge(report, changes)

    verdicts = {r.ref.name: (r.status, r.app) for r in again.results}
    assert verdicts == {
        # left's own ignoreDifferences hide its colour; right has none
        "left-settings": (Status.IN_SYNC, AppRef("Application", w.ns, "left")),
        "right-settings": (Status.DRIFTED, AppRef("Application", w.ns, "right")),
    }
    assert again.apps == report.apps
