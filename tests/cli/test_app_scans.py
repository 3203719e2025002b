"""One scan of many apps (``--all-apps``, ``--app`` repeated): the cluster read once for all,
each repository fetched once, each app judged with its own rules, reports that name each
object's app, and actions that use the app's own source. Real control plane (its audit log
counts the requests driftui sent), Git served over HTTP on 127.0.0.1 (its request log
counts fetches)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.actions.executors import make_executors
from driftui.actions.registry import SYNC, ActionRequest
from driftui.cli import main
from driftui.engine import Scanner, ScanOptions
from driftui.engine.app_scan import AppScanner
from driftui.gate import MutationGate
from driftui.gitops.discovery import discover_apps
from driftui.model import AppRef, Status
from tests.cli.test_app_sources import (
    REPO_FILES,
    World,
    argo_app,
    argo_applied,
    cm,
    statuses,
)
from tests.cluster import harness
from tests.cluster.crds import APPLICATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import grant, read_rule
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import commit, git, make_repo

pytestmark = pytest.mark.cluster


def audit_mark(cluster: ClusterInfo) -> int:
    return len(cluster.audit_log.read_text().splitlines())


def audit_events(cluster: ClusterInfo, since: int) -> list[dict[str, Any]]:
    return [json.loads(line) for line in cluster.audit_log.read_text().splitlines()[since:]]


def live_colour(w: World, name: str) -> str:
    code, body = harness.request(w.cluster, "GET", f"/api/v1/namespaces/{w.ns}/configmaps/{name}")
    assert code == 200, body
    return str(body["data"]["colour"])


def by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in doc["objects"]}


@pytest.fixture
def logged(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[tuple[World, list[str]]]:
    """A world whose git server logs every request; ``other.git`` is a second repository."""
    work = make_repo(tmp_path / "work", REPO_FILES)
    make_bare(tmp_path / "srv", "deploy.git", work)
    make_bare(tmp_path / "srv", "other.git", work)
    log: list[str] = []
    with serve_git(tmp_path / "srv", log=log) as base:
        yield World(cluster, namespace, f"{base}/deploy.git", work), log


@pytest.fixture
def w(logged: tuple[World, list[str]]) -> World:
    return logged[0]


# -- --all-apps and the report -----------------------------------------------------------


def test_all_apps_names_each_objects_app_and_counts_each_app(w: World) -> None:
    argo_app(w, "left", "left")
    argo_app(w, "right", "right")
    argo_applied(w, "left", "left-settings", colour="red")
    argo_applied(w, "right", "right-settings")

    done = w.run("report", "--format", "json", "--all-apps")
    diff = w.run("diff", "--all-apps")

    assert done.returncode == 1, done.stderr
    assert diff.returncode == 1, diff.stderr
    lines = diff.stdout.splitlines()
    assert lines[:2] == [f"### application/{w.ns}/left", f"--- git/{w.ns}/ConfigMap/left-settings"]
    doc = json.loads(done.stdout)
    objects = by_name(doc)
    assert objects["left-settings"]["app"] == {
        "kind": "Application",
        "namespace": w.ns,
        "name": "left",
    }
    assert objects["right-settings"]["app"]["name"] == "right"
    apps = {a["name"]: a for a in doc["summary"]["apps"]}
    assert set(apps) == {"left", "right"}
    left = apps["left"]
    assert (left["kind"], left["namespace"], left["problem"]) == ("Application", w.ns, None)
    assert (left["source"]["repo"], left["source"]["ref"], left["source"]["path"]) == (
        w.url,
        "main",
        "left",
    )
    assert (left["drifted"], left["in_sync"], apps["right"]["in_sync"]) == (1, 0, 1)


def test_apps_scan_shows_driftuis_counts_beside_the_operators_status(w: World) -> None:
    argo_app(w, "left", "left")
    argo_app(w, "right", "right")
    argo_applied(w, "left", "left-settings", colour="red")
    argo_applied(w, "right", "right-settings")

    listed = w.run("apps", "--scan", "--format", "json")
    table = w.run("apps", "--scan")

    assert listed.returncode == 0, listed.stderr
    apps = {a["name"]: a for a in json.loads(listed.stdout)["apps"]}
    assert apps["left"]["sync"] == "Synced"  # the operator says so; driftui disagrees:
    assert apps["left"]["driftui"] == {
        "in_sync": 0,
        "drifted": 1,
        "missing": 0,
        "extra": 0,
        "error": 0,
        "problem": None,
    }
    assert apps["right"]["driftui"]["in_sync"] == 1
    header, *rows = table.stdout.splitlines()
    assert header.split()[-5:] == ["IN-SYNC", "DRIFTED", "MISSING", "EXTRA", "ERROR"]
    left_row = next(r.split() for r in rows if r.split()[2] == "left")
    assert left_row[-5:] == ["0", "1", "0", "0", "0"]


def test_all_apps_lists_each_kind_once_for_every_app(w: World) -> None:
    for name in ("web", "left", "right"):  # three apps, all ConfigMaps in one namespace
        argo_app(w, name, name)
    argo_applied(w, "left", "left-settings", colour="red")
    mark = audit_mark(w.cluster)

    done = w.run(
        "report", "--format", "json", *[f"--app={w.ns}/{n}" for n in ("web", "left", "right")]
    )

    assert done.returncode == 1, done.stderr
    assert statuses(json.loads(done.stdout)) == {
        "web-settings": "missing",
        "left-settings": "drifted",
        "right-settings": "missing",
    }
    lists = [
        e
        for e in audit_events(w.cluster, mark)
        if e["verb"] == "list"
        and (e.get("objectRef") or {}).get("resource") == "configmaps"
        and (e.get("objectRef") or {}).get("namespace") == w.ns
        and e["user"]["username"] == "admin"
    ]
    assert len(lists) == 1, [e["requestURI"] for e in lists]  # one per app before


def test_each_repository_is_fetched_once_and_an_unreachable_one_asked_once(
    logged: tuple[World, list[str]],
) -> None:
    w, log = logged
    base = w.url.rsplit("/", 1)[0]
    argo_app(w, "web", "web")
    argo_app(w, "left", "left")
    argo_app(w, "other", "right", url=f"{base}/other.git")
    argo_app(w, "lost-1", "web", url=f"{base}/missing.git")
    argo_app(w, "lost-2", "left", url=f"{base}/missing.git")

    done = w.run("report", "--format", "json", "--all-apps")

    assert done.returncode == 2, done.stderr  # the lost apps are errors
    doc = json.loads(done.stdout)
    assert statuses(doc) == {
        "web-settings": "missing",
        "left-settings": "missing",
        "right-settings": "missing",
    }
    problems = {p["path"]: p["message"] for p in doc["problems"]}
    assert set(problems) == {f"application/{w.ns}/lost-1", f"application/{w.ns}/lost-2"}
    assert all("missing.git" in m for m in problems.values())
    asked = [line for line in log if "/info/refs?service=git-upload-pack" in line]
    for repo in ("deploy", "other", "missing"):
        assert sum(f"/{repo}.git/" in line for line in asked) == 1, asked


def test_an_apps_ignore_rules_apply_to_its_objects_even_without_its_marker(
    w: World,
) -> None:
    ignore = [{"kind": "ConfigMap", "jsonPointers": ["/data/colour"]}]
    argo_app(w, "left", "left", ignoreDifferences=ignore)
    argo_app(w, "right", "right")
    for name in ("left-settings", "right-settings"):  # applied by hand: no tracking marker
        body = json.loads(cm(name, w.ns, colour="red"))
        path = f"/api/v1/namespaces/{w.ns}/configmaps?fieldManager=kubectl-client-side-apply"
        code, out = harness.request(w.cluster, "POST", path, body)
        assert code == 201, out

    done, doc = w.report(f"{w.ns}/left", f"{w.ns}/right")

    assert done.returncode == 1, done.stderr
    assert statuses(doc) == {"left-settings": "in_sync", "right-settings": "drifted"}


# -- repository access -------------------------------------------------------------------


def test_apps_scan_without_reading_any_secret(w: World) -> None:
    """Argo CD keeps repository credentials in Secrets beside its Applications; driftui
    uses the user's own Git access and never reads them, so a user who may not read
    Secrets there scans every app all the same."""
    argo_app(w, "left", "left")
    argo_applied(w, "left", "left-settings", colour="red")
    credentials = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "repo-deploy",
            "labels": {"argocd.argoproj.io/secret-type": "repository"},
        },
        "stringData": {"url": w.url, "username": "git", "password": "never-read"},
    }
    code, out = harness.request(
        w.cluster, "POST", f"/api/v1/namespaces/{w.ns}/secrets", credentials
    )
    assert code == 201, out
    cm_read = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}
    grant(w.cluster, "viewer", w.ns, [read_rule(APPLICATION), cm_read])  # no Secrets
    mark = audit_mark(w.cluster)

    done = w.run("report", "--format", "json", "--all-apps", user="viewer")

    assert done.returncode == 1, done.stderr
    assert statuses(json.loads(done.stdout)) == {"left-settings": "drifted"}
    touched = [
        e["requestURI"]
        for e in audit_events(w.cluster, mark)
        if e["user"]["username"] == "viewer"
        and (e.get("objectRef") or {}).get("resource") == "secrets"
    ]
    assert touched == []
    assert "never-read" not in done.stdout + done.stderr


# -- the other faces ---------------------------------------------------------------------


def test_snapshot_of_all_apps_holds_every_apps_objects(w: World, tmp_path: Path) -> None:
    argo_app(w, "left", "left")
    argo_app(w, "right", "right")
    argo_applied(w, "left", "left-settings")
    argo_applied(w, "right", "right-settings")
    out = tmp_path / "snap.json"

    done = w.run("snapshot", "--all-apps", "-o", str(out))

    assert done.returncode == 0, done.stderr
    names = {o["metadata"]["name"] for o in json.loads(out.read_text())["objects"]}
    assert names == {"left-settings", "right-settings"}


def test_the_explorer_is_handed_the_scan_of_the_apps(w: World) -> None:
    argo_app(w, "left", "left")
    argo_applied(w, "left", "left-settings", colour="red")
    handed: list[Scanner] = []

    def explorer(_args: Any, scanner: Scanner, _gate: MutationGate) -> int:
        handed.append(scanner)
        return 0

    argv = ["tui", "--all-apps", "--kubeconfig", w.cluster.kubeconfig(), "-n", w.ns]
    assert main(argv, explorer=explorer) == 0

    [scanner] = handed
    report = scanner.scan()
    [result] = report.results
    assert (result.ref.name, result.status) == ("left-settings", Status.DRIFTED)
    assert result.app == AppRef("Application", w.ns, "left")


# -- actions use the app's own source ----------------------------------------------------


def _unpushed_green(w: World) -> None:
    """A local commit that --repo . would read, and that no app deploys."""
    commit(w.work, {"left/settings.yaml": cm("left-settings", colour="green")})


def test_sync_of_an_app_applies_that_apps_source(w: World) -> None:
    argo_app(w, "left", "left")
    argo_applied(w, "left", "left-settings", colour="red")
    _unpushed_green(w)

    done = w.run("sync", f"--app={w.ns}/left", "--direct", "--force-conflicts", "--yes")

    assert done.returncode == 0, done.stdout + done.stderr
    assert live_colour(w, "left-settings") == "blue"  # the app's revision, not the work tree's


def test_history_of_an_apps_object_reads_that_apps_repository(w: World) -> None:
    argo_app(w, "left", "left")
    argo_applied(w, "left", "left-settings")
    pushed = git(w.work, "rev-parse", "HEAD")
    _unpushed_green(w)

    done = w.run("history", "ConfigMap/left-settings", f"--app={w.ns}/left", "--format", "json")

    assert done.returncode == 0, done.stderr
    assert [c["sha"] for c in json.loads(done.stdout)["commits"]] == [pushed]


def test_an_explorer_sync_of_an_apps_object_uses_that_apps_source(w: World) -> None:
    argo_app(w, "left", "left")
    argo_app(w, "right", "right")
    argo_applied(w, "left", "left-settings", colour="red")
    argo_applied(w, "right", "right-settings", colour="red")
    gate = MutationGate()
    # --repo is this test's own checkout of driftui: nothing an app deploys
    base = Scanner(ScanOptions(repo=".", kubeconfig=w.cluster.kubeconfig(), namespace=w.ns), gate)
    apps = [a for a in discover_apps(base.client()).apps if a.namespace == w.ns]
    scanner = AppScanner(base, apps)
    report = scanner.scan()
    left = next(r for r in report.results if r.ref.name == "left-settings")

    outcome = make_executors(scanner, gate)["force-sync"](  # kubectl-edit owns the colour
        ActionRequest(SYNC, (left,), source_commit=report.source.commit)
    )

    assert outcome.ok, outcome.details
    assert live_colour(w, "left-settings") == "blue"
    assert live_colour(w, "right-settings") == "red"  # only what was asked


def test_reconcile_of_an_app_asks_that_app_even_for_objects_without_its_marker(
    w: World,
) -> None:
    argo_app(w, "left", "left")
    body = json.loads(cm("left-settings", w.ns, colour="red"))  # applied by hand: no marker
    code, out = harness.request(w.cluster, "POST", f"/api/v1/namespaces/{w.ns}/configmaps", body)
    assert code == 201, out

    done = w.run("reconcile", f"--app={w.ns}/left", "--refresh", "--yes")

    assert done.returncode == 0, done.stdout + done.stderr
    path = f"/apis/argoproj.io/v1alpha1/namespaces/{w.ns}/applications/left"
    code, app = harness.request(w.cluster, "GET", path)
    assert code == 200, app
    assert app["metadata"]["annotations"]["argocd.argoproj.io/refresh"] == "normal"


def test_revert_of_an_apps_commit_is_scoped_to_that_apps_path(w: World) -> None:
    argo_app(w, "left", "left")
    argo_applied(w, "left", "left-settings")
    changed = {
        "left/settings.yaml": cm("left-settings", colour="green"),
        "right/settings.yaml": cm("right-settings", colour="green"),
    }
    sha = commit(w.work, changed)  # the app's repository mapped to this checkout

    done = w.run(
        "revert",
        sha,
        f"--app={w.ns}/left",
        f"--repo-map={w.url}={w.work}",
        "--dry-run",
        "--format",
        "json",
    )

    assert done.returncode == 0, done.stderr
    preview = json.loads(done.stdout)
    assert preview["path"] == "left"  # the app's path, not the work tree's root
    assert preview["files_in_scope"] == ["left/settings.yaml"]
    assert preview["files_elsewhere"] == ["right/settings.yaml"]
    effect = next(o for o in preview["objects"] if o["object"].endswith("left-settings"))
    assert effect["after_sync"] == "in_sync"  # blue again, as the cluster has it
