"""Scope on the command line: the current directory as the default --path, and a revert
preview that shows everything the revert touches, in this scope and elsewhere. Real Git,
the real control plane."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftui.actions.executors import make_previewers
from driftui.actions.registry import REVERT, ActionRequest, confirmation_word
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.source.work_tree import cwd_prefix
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.source.test_render_config import commit, create, driftui, git, make_repo

pytestmark = pytest.mark.cluster


def cm(name: str, **data: str) -> str:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    return json.dumps(body)  # JSON is YAML; no namespace, as most real repos write it


def two_apps(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {
            "guestbook/cm.yaml": cm("guestbook", colour="blue"),
            "shop/cm.yaml": cm("shop", colour="blue"),
            "shop/more.yaml": cm("shop-more", size="1"),
        },
    )


def test_the_current_directory_is_the_default_path(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = two_apps(tmp_path)
    create(
        cluster,
        f"/api/v1/namespaces/{namespace}/configmaps",
        json.loads(cm("guestbook", colour="blue")),
    )
    flags = ["--kubeconfig", cluster.kubeconfig(), "-n", namespace, "report", "--format", "json"]
    inside = driftui(*flags, cwd=repo / "guestbook")
    assert inside.returncode == 0, inside.stdout + inside.stderr
    doc = json.loads(inside.stdout)
    assert doc["source"]["path"] == "guestbook" and doc["source"]["path_from_cwd"] is True
    assert [o["name"] for o in doc["objects"]] == ["guestbook"]

    # --repo naming the work tree from inside it: the same; an explicit --path wins.
    named = driftui("--repo", str(repo), *flags, cwd=repo / "guestbook")
    assert json.loads(named.stdout)["source"]["path"] == "guestbook"
    whole = driftui("--path", "", *flags, cwd=repo / "guestbook")
    assert whole.returncode == 1  # shop's objects are missing from the cluster: drift
    doc = json.loads(whole.stdout)
    assert doc["source"]["path"] == "" and doc["source"]["path_from_cwd"] is False
    assert sorted(o["name"] for o in doc["objects"]) == ["guestbook", "shop", "shop-more"]


def test_cwd_prefix_only_inside_the_work_tree(tmp_path: Path) -> None:
    repo = two_apps(tmp_path)
    assert cwd_prefix(".", str(repo / "shop")) == ""  # "." is the test's own cwd, not repo
    assert cwd_prefix(str(repo), str(repo / "shop")) == "shop"
    assert cwd_prefix(str(repo / "shop"), str(repo / "shop")) == "shop"
    assert cwd_prefix(str(repo), str(repo)) == ""
    assert cwd_prefix(str(repo), str(tmp_path)) == ""
    assert cwd_prefix("https://example.com/x.git", str(repo)) == ""


@pytest.fixture
def reverted(cluster: ClusterInfo, namespace: str, tmp_path: Path) -> tuple[Path, str]:
    """A commit that changed guestbook and shop; live has guestbook as that commit left it."""
    repo = two_apps(tmp_path)
    sha = commit(
        repo,
        {
            "guestbook/cm.yaml": cm("guestbook", colour="green"),
            "shop/cm.yaml": cm("shop", colour="green"),
        },
        "green everywhere",
    )
    body: dict[str, Any] = json.loads(cm("guestbook", colour="green"))
    where = f"/api/v1/namespaces/{namespace}/configmaps/guestbook"
    applied = harness.request(
        cluster,
        "PATCH",
        f"{where}?fieldManager=argocd-controller",
        body,
        content_type="application/apply-patch+yaml",
    )
    assert applied[0] == 201, applied
    edited = harness.request(
        cluster,
        "PATCH",
        f"{where}?fieldManager=kubectl-edit",
        {"data": {"hotfix": "1"}},
        content_type="application/merge-patch+json",
    )
    assert edited[0] == 200, edited
    return repo, sha


def test_revert_preview_fills_namespaces_and_lists_what_lies_elsewhere(
    cluster: ClusterInfo, namespace: str, reverted: tuple[Path, str]
) -> None:
    repo, sha = reverted
    flags = ["--repo", str(repo), "--path", "guestbook", "--kubeconfig", cluster.kubeconfig()]
    flags += ["-n", namespace, "revert", sha, "--dry-run"]
    done = driftui(*flags, "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["files_in_scope"] == ["guestbook/cm.yaml"]
    assert doc["files_elsewhere"] == ["shop/cm.yaml"]
    by_name = {o["object"]: o for o in doc["objects"]}
    assert by_name[f"{namespace}/ConfigMap/guestbook"]["after_sync"] == "drifted"
    assert by_name[f"{namespace}/ConfigMap/guestbook"]["scope"] == "in_scope"
    assert by_name["ConfigMap/shop"]["scope"] == "elsewhere"
    assert by_name["ConfigMap/shop"]["after_sync"] is None

    text = driftui(*flags, cwd=repo).stdout
    lines = text.splitlines()
    assert "in this scope (guestbook): 1 file(s), 1 object(s)" in lines
    assert "elsewhere in the repo: 1 file(s), 1 object(s)" in lines
    assert "  file shop/cm.yaml" in lines
    (guestbook,) = [li for li in lines if li.startswith(f"  modified {namespace}/ConfigMap/")]
    # colour goes back to blue; the hand-added hotfix stays under a server-side apply
    assert "-> a sync would change 1 field(s)" in guestbook
    assert guestbook.endswith("; 1 field(s) added outside Git would stay")
    assert "      added_outside_git data.hotfix: '1' -> None  (stays)" in lines
    assert "  modified ConfigMap/shop  -> not compared with live (outside this scope)" in lines


def test_revert_reaching_elsewhere_needs_its_own_consent(
    cluster: ClusterInfo, namespace: str, reverted: tuple[Path, str]
) -> None:
    repo, sha = reverted
    head = git(repo, "rev-parse", "HEAD")
    flags = ["--repo", str(repo), "--path", "guestbook", "--kubeconfig", cluster.kubeconfig()]
    flags += ["-n", namespace, "revert", sha]
    refused = driftui(*flags, "--yes", cwd=repo)
    assert refused.returncode == 2
    assert "also changes 1 file(s) outside 'guestbook'" in refused.stderr
    assert "--include-elsewhere" in refused.stderr
    assert git(repo, "rev-parse", "HEAD") == head

    # The explorer asks the user to type a word before it reverts other apps' files.
    scanner = Scanner(
        ScanOptions(
            repo=str(repo), path="guestbook", kubeconfig=cluster.kubeconfig(), namespace=namespace
        ),
        MutationGate(read_only=False),
    )
    report = scanner.scan()
    request = ActionRequest(REVERT, tuple(report.results), commit=sha)
    shown = make_previewers(scanner)["revert"](request)
    assert "  file shop/cm.yaml" in shown
    assert confirmation_word(request, shown) == "elsewhere"

    done = driftui(*flags, "--yes", "--include-elsewhere", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert git(repo, "rev-parse", "HEAD") != head
    assert "green" not in (repo / "shop/cm.yaml").read_text()


def test_revert_within_scope_needs_no_extra_consent(
    cluster: ClusterInfo, namespace: str, tmp_path: Path
) -> None:
    repo = two_apps(tmp_path)
    sha = commit(repo, {"guestbook/cm.yaml": cm("guestbook", colour="red")}, "red guestbook")
    flags = ["--repo", str(repo), "--path", "guestbook", "--kubeconfig", cluster.kubeconfig()]
    done = driftui(*flags, "-n", namespace, "revert", sha, "--yes", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "elsewhere" not in done.stdout
