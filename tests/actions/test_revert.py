"""Guided revert against real repositories, and pushes to real Git servers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.actions.revert import (
    BRANCH_PREFIX,
    apply_revert,
    preview_revert,
)
from driftui.actions.revert_plan import RevertRefused
from driftui.gate import MutationGate, MutationRefused
from driftui.live.snapshot import Snapshot, write_snapshot
from driftui.model import ObjectRef
from tests.gitserver import make_bare, serve_git, serve_git_daemon

WEB = ObjectRef("apps", "Deployment", "shop", "web")
SETTINGS = ObjectRef("", "ConfigMap", "shop", "settings")
ALLOW = MutationGate()


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user config (credential helpers, hooks, signing); a fixed identity."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Rae Verter")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "rae@example.com")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def deployment(image: str, replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }


def configmap(**data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "shop"},
        "data": data,
    }


def write(repo: Path, path: str, *docs: dict[str, Any]) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("---\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs))


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Shop:
    repo: Path
    added: str
    bumped: str
    scaled: str
    settings: str


def make_shop(repo: Path) -> Shop:
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write(repo, "apps/web.yaml", deployment("web:1"))
    write(repo, "apps/settings.yaml", configmap(mode="a"))
    added = commit(repo, "add web and settings")
    write(repo, "apps/web.yaml", deployment("web:2"))
    bumped = commit(repo, "bump web to 2")
    write(repo, "apps/web.yaml", deployment("web:2", replicas=5))
    scaled = commit(repo, "scale web to 5")
    write(repo, "apps/settings.yaml", configmap(mode="b"))
    settings = commit(repo, "settings mode b")
    return Shop(repo, added, bumped, scaled, settings)


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return make_shop(tmp_path / "shop")


def repo_state(repo: Path) -> dict[str, Any]:
    """Everything a refusal must leave exactly as it was."""
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir"))
    files = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    index = git_dir / "index"
    return {
        "HEAD": git(repo, "rev-parse", "HEAD"),
        "symbolic": (git_dir / "HEAD").read_text(),
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "status": git(repo, "--no-optional-locks", "status", "--porcelain"),
        "index": hashlib.sha256(index.read_bytes()).hexdigest() if index.exists() else "",
        "stash": git(repo, "stash", "list"),
        "files": files,
        "worktrees": git(repo, "worktree", "list", "--porcelain"),
    }


def web_image(repo: Path, rev: str = "HEAD") -> str:
    doc = yaml.safe_load(git(repo, "show", f"{rev}:apps/web.yaml"))
    image: str = doc["spec"]["template"]["spec"]["containers"][0]["image"]
    return image


# -- preview -----------------------------------------------------------------------------


def test_preview_lists_each_object_with_before_and_after(shop: Shop) -> None:
    before = repo_state(shop.repo)
    preview = preview_revert(str(shop.repo), shop.bumped)
    assert preview.clean and not preview.empty
    assert preview.sha == shop.bumped and preview.subject == "bump web to 2"
    assert preview.base == shop.settings
    assert preview.files == ("apps/web.yaml",)
    (change,) = preview.objects
    assert change.ref == WEB and change.change == "modified"
    assert change.before is not None and change.after is not None
    assert change.before["spec"]["template"]["spec"]["containers"][0]["image"] == "web:2"
    assert change.after["spec"]["template"]["spec"]["containers"][0]["image"] == "web:1"
    assert change.after["spec"]["replicas"] == 5  # the later scale is kept
    assert repo_state(shop.repo) == before


def test_preview_of_a_commit_that_added_objects_removes_them(shop: Shop) -> None:
    preview = preview_revert(str(shop.repo), "HEAD~3")
    # Both files were edited after they were added: modify/delete conflicts.
    assert preview.conflicts == ("apps/settings.yaml", "apps/web.yaml")
    assert preview.tree == "" and preview.objects == ()
    write(shop.repo, "apps/extra.yaml", configmap(x="1") | {"metadata": {"name": "extra"}})
    added = commit(shop.repo, "add extra")
    preview = preview_revert(str(shop.repo), added)
    (change,) = preview.objects
    assert change.ref == ObjectRef("", "ConfigMap", "", "extra")
    assert change.change == "deleted" and change.after is None


def test_preview_of_a_pure_move_changes_files_but_no_object(shop: Shop) -> None:
    (shop.repo / "apps/config").mkdir()
    git(shop.repo, "mv", "apps/settings.yaml", "apps/config/settings.yaml")
    moved = commit(shop.repo, "move settings")
    preview = preview_revert(str(shop.repo), moved)
    assert set(preview.files) == {"apps/config/settings.yaml", "apps/settings.yaml"}
    assert preview.objects == ()


def object_files(repo: Path) -> set[str]:
    """Every loose object and pack in the repository's object store."""
    store = Path(git(repo, "rev-parse", "--path-format=absolute", "--git-path", "objects"))
    return {p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file()}


def test_a_read_only_dry_run_writes_no_object_to_the_repository(shop: Shop) -> None:
    """`revert --read-only --dry-run` computes the merge in scratch: the store is untouched."""
    before, state = object_files(shop.repo), repo_state(shop.repo)
    snapshot = str(empty_snapshot(shop.repo.parent))
    argv = ["revert", shop.bumped, "--repo", str(shop.repo), "--read-only", "--dry-run"]
    scratch = shop.repo.parent / "tmp"  # its own TMPDIR: other processes' previews are not ours
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "driftui", *argv, "--live", snapshot],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert done.returncode == 0, done.stderr
    assert "modified" in done.stdout and "Deployment" in done.stdout  # it really previewed
    assert object_files(shop.repo) == before
    assert repo_state(shop.repo) == state
    assert not list(scratch.glob("driftui-preview-*"))


def test_a_conflicting_preview_writes_no_object_either(shop: Shop) -> None:
    write(shop.repo, "apps/web.yaml", deployment("web:3", replicas=5))
    commit(shop.repo, "bump web to 3")
    before = object_files(shop.repo)
    preview = preview_revert(str(shop.repo), shop.bumped)
    assert preview.conflicts == ("apps/web.yaml",)
    assert object_files(shop.repo) == before


def empty_snapshot(directory: Path) -> Path:
    path = directory / "empty-snapshot.json"
    write_snapshot(Snapshot(objects=[], context="none", server="https://127.0.0.1:1"), path)
    return path


def test_preview_path_scope_splits_objects_in_scope_and_elsewhere(shop: Shop) -> None:
    write(shop.repo, "apps/web.yaml", deployment("web:3", replicas=5))
    write(shop.repo, "apps/settings.yaml", configmap(mode="c"))
    both = commit(shop.repo, "web 3 and mode c")
    assert {c.ref for c in preview_revert(str(shop.repo), both).objects} == {WEB, SETTINGS}
    scoped = preview_revert(str(shop.repo), both, path="apps/settings.yaml")
    # The revert changes both files: the one outside the scope is listed, marked elsewhere.
    assert [c.ref for c in scoped.objects_in_scope] == [SETTINGS]
    assert [c.ref for c in scoped.objects_elsewhere] == [WEB]
    assert scoped.files_in_scope == ("apps/settings.yaml",)
    assert scoped.files_elsewhere == ("apps/web.yaml",)


# -- apply: happy paths ----------------------------------------------------------------


def test_revert_on_the_current_branch(shop: Shop) -> None:
    outcome = apply_revert(str(shop.repo), shop.bumped, gate=ALLOW)
    assert git(shop.repo, "rev-parse", "HEAD") == outcome.commit
    assert git(shop.repo, "rev-parse", "HEAD~1") == shop.settings
    assert outcome.branch == "main" and not outcome.new_branch and not outcome.pushed
    message = git(shop.repo, "log", "-1", "--format=%B")
    assert message == f'Revert "bump web to 2"\n\nThis reverts commit {shop.bumped}.'
    assert git(shop.repo, "log", "-1", "--format=%an <%ae>") == "Rae Verter <rae@example.com>"
    assert web_image(shop.repo) == "web:1"
    assert yaml.safe_load((shop.repo / "apps/web.yaml").read_text())["spec"]["replicas"] == 5
    assert git(shop.repo, "status", "--porcelain") == ""
    assert shop.bumped[:12] in outcome.summary()


def test_revert_of_a_merge_commit_uses_the_mainline_parent(tmp_path: Path) -> None:
    shop = make_shop(tmp_path / "shop")
    git(shop.repo, "checkout", "-q", "-b", "feature")
    write(shop.repo, "apps/web.yaml", deployment("web:9", replicas=5))
    commit(shop.repo, "feature: web 9")
    git(shop.repo, "checkout", "-q", "main")
    write(shop.repo, "apps/settings.yaml", configmap(mode="z"))
    commit(shop.repo, "main: mode z")
    git(shop.repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = git(shop.repo, "rev-parse", "HEAD")

    preview = preview_revert(str(shop.repo), merge)
    assert preview.mainline == 1 and [c.ref for c in preview.objects] == [WEB]
    other_side = preview_revert(str(shop.repo), merge, mainline=2)
    assert [c.ref for c in other_side.objects] == [SETTINGS]
    with pytest.raises(RevertRefused, match="between 1 and 2"):
        preview_revert(str(shop.repo), merge, mainline=3)

    outcome = apply_revert(str(shop.repo), merge, gate=ALLOW)
    assert web_image(shop.repo) == "web:2"
    assert yaml.safe_load((shop.repo / "apps/settings.yaml").read_text())["data"] == {"mode": "z"}
    first_parent = git(shop.repo, "rev-parse", f"{merge}^1")
    assert f"reversing\nchanges made to {first_parent}." in git(
        shop.repo, "log", "-1", "--format=%B", outcome.commit
    )


def test_mainline_on_a_plain_commit_is_refused(shop: Shop) -> None:
    before = repo_state(shop.repo)
    with pytest.raises(RevertRefused, match="not a merge"):
        apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, mainline=2)
    assert repo_state(shop.repo) == before


def test_branch_mode_creates_a_branch_and_leaves_the_checkout_alone(shop: Shop) -> None:
    before = repo_state(shop.repo)
    outcome = apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, branch=True)
    assert outcome.branch == f"{BRANCH_PREFIX}{shop.bumped[:7]}" and outcome.new_branch
    assert git(shop.repo, "rev-parse", f"refs/heads/{outcome.branch}") == outcome.commit
    assert git(shop.repo, "rev-parse", f"{outcome.commit}~1") == shop.settings
    assert web_image(shop.repo, outcome.branch) == "web:1"
    after = repo_state(shop.repo)
    assert after["refs"] != before["refs"]
    assert {k: v for k, v in after.items() if k != "refs"} == {
        k: v for k, v in before.items() if k != "refs"
    }
    with pytest.raises(RevertRefused, match="already exists"):
        apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, branch=True)


# -- apply: refusals leave everything as it was -------------------------------------------


def test_conflict_is_refused_listing_files_and_leaves_the_repo_byte_identical(shop: Shop) -> None:
    write(shop.repo, "apps/web.yaml", deployment("web:3", replicas=5))
    commit(shop.repo, "bump web to 3")
    (shop.repo / "notes.txt").write_text("untracked notes\n")
    git(shop.repo, "stash", "list")
    before = repo_state(shop.repo)
    preview = preview_revert(str(shop.repo), shop.bumped)
    assert preview.conflicts == ("apps/web.yaml",) and not preview.clean
    with pytest.raises(RevertRefused, match="conflicts") as refused:
        apply_revert(str(shop.repo), shop.bumped, gate=ALLOW)
    assert "apps/web.yaml" in str(refused.value)
    assert repo_state(shop.repo) == before
    with pytest.raises(RevertRefused, match="conflicts"):
        apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, branch=True)
    assert repo_state(shop.repo) == before


def test_dirty_work_tree_is_refused_and_branch_mode_works_around_it(shop: Shop) -> None:
    (shop.repo / "apps/settings.yaml").write_text("# half-finished edit\n")
    git(shop.repo, "stash", "list")
    write(shop.repo, "apps/staged.yaml", configmap(s="1") | {"metadata": {"name": "staged"}})
    git(shop.repo, "add", "apps/staged.yaml")
    before = repo_state(shop.repo)
    with pytest.raises(RevertRefused, match="uncommitted changes") as refused:
        apply_revert(str(shop.repo), shop.bumped, gate=ALLOW)
    assert "--branch" in str(refused.value)
    assert repo_state(shop.repo) == before

    outcome = apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, branch=True)
    assert web_image(shop.repo, outcome.branch) == "web:1"
    after = repo_state(shop.repo)
    assert after["files"] == before["files"] and after["index"] == before["index"]
    assert after["HEAD"] == before["HEAD"] and after["status"] == before["status"]


def test_detached_head_needs_branch_mode(shop: Shop) -> None:
    git(shop.repo, "checkout", "-q", "--detach", "HEAD")
    before = repo_state(shop.repo)
    with pytest.raises(RevertRefused, match="detached"):
        apply_revert(str(shop.repo), shop.bumped, gate=ALLOW)
    assert repo_state(shop.repo) == before
    outcome = apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, branch=True)
    assert git(shop.repo, "rev-parse", f"{outcome.commit}~1") == before["HEAD"]


def test_read_only_gate_refuses_before_anything_is_written(shop: Shop) -> None:
    before = repo_state(shop.repo)
    objects = set(git(shop.repo, "count-objects", "-v").splitlines())
    gate = MutationGate(read_only=True)
    with pytest.raises(MutationRefused, match="read-only"):
        apply_revert(str(shop.repo), shop.bumped, gate=gate)
    with pytest.raises(MutationRefused):
        apply_revert(str(shop.repo), shop.bumped, gate=gate, branch=True, push=True)
    assert gate.refused == ["revert repository: read-only mode"] * 2
    assert repo_state(shop.repo) == before
    assert set(git(shop.repo, "count-objects", "-v").splitlines()) == objects


def test_push_permission_is_checked_before_the_commit(shop: Shop) -> None:
    class NoPush(MutationGate):
        def why_not(
            self, verb: str, group: str = "", resource: str = "", namespace: str = ""
        ) -> str:
            return "no push permission" if verb == "push" else ""

    before = repo_state(shop.repo)
    with pytest.raises(MutationRefused, match="push"):
        apply_revert(str(shop.repo), shop.bumped, gate=NoPush(), push=True)
    assert repo_state(shop.repo) == before


@pytest.mark.parametrize("sha", ["-h", "--all", "no-such-commit", ""])
def test_bad_commit_names_are_refused(shop: Shop, sha: str) -> None:
    before = repo_state(shop.repo)
    with pytest.raises(RevertRefused):
        apply_revert(str(shop.repo), sha, gate=ALLOW)
    with pytest.raises(RevertRefused):
        preview_revert(str(shop.repo), sha)
    assert repo_state(shop.repo) == before


def test_nothing_to_revert_is_refused(shop: Shop) -> None:
    apply_revert(str(shop.repo), shop.scaled, gate=ALLOW)
    before = repo_state(shop.repo)
    with pytest.raises(RevertRefused, match="nothing to revert"):
        apply_revert(str(shop.repo), shop.scaled, gate=ALLOW)
    assert repo_state(shop.repo) == before


def test_commit_outside_the_branch_history_is_refused(shop: Shop) -> None:
    git(shop.repo, "checkout", "-q", "-b", "other")
    write(shop.repo, "apps/web.yaml", deployment("web:7", replicas=5))
    elsewhere = commit(shop.repo, "other branch")
    git(shop.repo, "checkout", "-q", "main")
    before = repo_state(shop.repo)
    with pytest.raises(RevertRefused, match="not in the history"):
        apply_revert(str(shop.repo), elsewhere, gate=ALLOW)
    assert repo_state(shop.repo) == before


# -- push to real servers on 127.0.0.1 ------------------------------------------------------


@dataclass
class Remote:
    server_root: Path
    url: str
    clone: Path


@pytest.fixture
def daemon_remote(tmp_path: Path) -> Iterator[Remote]:
    shop = make_shop(tmp_path / "origin-src")
    root = tmp_path / "served"
    root.mkdir()
    make_bare(root, "shop.git", shop.repo)
    with serve_git_daemon(root) as base:
        url = f"{base}/shop.git"
        clone = tmp_path / "clone"
        subprocess.run(["git", "clone", "-q", url, str(clone)], check=True, capture_output=True)
        yield Remote(root, url, clone)


def remote_ref(url: str, ref: str) -> str:
    out = subprocess.run(
        ["git", "ls-remote", url, ref], check=True, capture_output=True, text=True
    ).stdout
    return out.split()[0] if out else ""


def test_push_to_a_git_daemon_updates_the_upstream_branch(daemon_remote: Remote) -> None:
    bumped = git(daemon_remote.clone, "rev-parse", "HEAD~2")
    outcome = apply_revert(str(daemon_remote.clone), bumped, gate=ALLOW, push=True)
    assert outcome.pushed and not outcome.push_error
    assert outcome.remote == "origin" and outcome.remote_branch == "main"
    assert remote_ref(daemon_remote.url, "refs/heads/main") == outcome.commit
    assert "open a pull request from main" in outcome.summary()


def test_branch_push_publishes_the_revert_branch(daemon_remote: Remote) -> None:
    bumped = git(daemon_remote.clone, "rev-parse", "HEAD~2")
    main_before = remote_ref(daemon_remote.url, "refs/heads/main")
    outcome = apply_revert(str(daemon_remote.clone), bumped, gate=ALLOW, branch=True, push=True)
    assert outcome.pushed and outcome.remote_branch == outcome.branch
    assert remote_ref(daemon_remote.url, f"refs/heads/{outcome.branch}") == outcome.commit
    assert remote_ref(daemon_remote.url, "refs/heads/main") == main_before


def test_rejected_push_keeps_the_local_commit(daemon_remote: Remote, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(
        ["git", "clone", "-q", daemon_remote.url, str(other)], check=True, capture_output=True
    )
    write(other, "apps/settings.yaml", configmap(mode="someone else"))
    commit(other, "someone else pushed first")
    git(other, "push", "-q", "origin", "main")
    theirs = remote_ref(daemon_remote.url, "refs/heads/main")

    bumped = git(daemon_remote.clone, "rev-parse", "HEAD~2")
    outcome = apply_revert(str(daemon_remote.clone), bumped, gate=ALLOW, push=True)
    assert not outcome.pushed and "non-fast-forward" in outcome.push_error
    assert git(daemon_remote.clone, "rev-parse", "HEAD") == outcome.commit
    assert remote_ref(daemon_remote.url, "refs/heads/main") == theirs
    assert "local commit" in outcome.summary()


def test_missing_credentials_keep_the_local_commit(tmp_path: Path) -> None:
    shop = make_shop(tmp_path / "src")
    root = tmp_path / "served"
    root.mkdir()
    make_bare(root, "shop.git", shop.repo)
    with serve_git(root, auth=("alice", "s3cret")) as base:
        url = f"{base}/shop.git"
        clone = tmp_path / "clone"
        authed = url.replace("http://", "http://alice:s3cret@")
        subprocess.run(["git", "clone", "-q", authed, str(clone)], check=True, capture_output=True)
        git(clone, "remote", "set-url", "origin", url)  # credentials gone, as on a new laptop
        bumped = git(clone, "rev-parse", "HEAD~2")
        outcome = apply_revert(str(clone), bumped, gate=ALLOW, push=True)
    assert not outcome.pushed
    assert "credentials" in outcome.push_error
    assert "s3cret" not in outcome.summary()
    assert git(clone, "rev-parse", "HEAD") == outcome.commit


def test_a_revert_interrupted_before_the_branch_moves_leaves_the_repo_as_it_was(shop: Shop) -> None:
    """The branch moves last, in one step; when that step cannot happen (here: another git
    holds the branch's lock, as a crashed or concurrent git would) nothing else has changed."""
    before = repo_state(shop.repo)
    git_dir = Path(git(shop.repo, "rev-parse", "--absolute-git-dir"))
    lock = git_dir / "refs" / "heads" / "main.lock"
    lock.write_text("")
    try:
        with pytest.raises(RevertRefused, match="could not move main to the revert commit"):
            apply_revert(str(shop.repo), shop.scaled, gate=ALLOW)
    finally:
        lock.unlink()
    assert repo_state(shop.repo) == before
    outcome = apply_revert(str(shop.repo), shop.scaled, gate=ALLOW)  # and it can then go ahead
    assert git(shop.repo, "rev-parse", "HEAD") == outcome.commit
    assert git(shop.repo, "status", "--porcelain") == ""


def test_a_revert_interrupted_while_updating_the_work_tree_puts_the_branch_back(shop: Shop) -> None:
    before = repo_state(shop.repo)
    git_dir = Path(git(shop.repo, "rev-parse", "--absolute-git-dir"))
    lock = git_dir / "index.lock"  # another git holds the index: the work tree cannot follow
    lock.write_text("")
    try:
        with pytest.raises(
            RevertRefused, match="could not update the work tree, main is unchanged"
        ):
            apply_revert(str(shop.repo), shop.scaled, gate=ALLOW)
    finally:
        lock.unlink()
    assert repo_state(shop.repo) == before


def test_a_push_the_remote_declines_says_why_in_one_line(tmp_path: Path) -> None:
    """git exits 1 and GitPython reports the ref through PushInfo (REMOTE_REJECTED): the
    hook's reason is the error, and the local commit stays."""
    shop = make_shop(tmp_path / "src")
    root = tmp_path / "served"
    root.mkdir()
    bare = make_bare(root, "shop.git", shop.repo)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'changes need review' >&2\nexit 1\n")
    hook.chmod(0o755)
    with serve_git(root) as base:
        url = f"{base}/shop.git"
        clone = tmp_path / "clone"
        subprocess.run(["git", "clone", "-q", url, str(clone)], check=True, capture_output=True)
        bumped = git(clone, "rev-parse", "HEAD~2")
        outcome = apply_revert(str(clone), bumped, gate=ALLOW, push=True)
        assert remote_ref(url, "refs/heads/main") == git(clone, "rev-parse", "HEAD~1")
    assert not outcome.pushed
    assert outcome.push_error == "the remote rejected the push: pre-receive hook declined"
    assert git(clone, "rev-parse", "HEAD") == outcome.commit


def test_a_push_transport_that_runs_commands_is_refused(shop: Shop, tmp_path: Path) -> None:
    """``ext::`` runs a command. Even where git's own config allows it, GitPython's refusal
    stops the push before git starts: the command never runs, the local commit stays."""
    marker = tmp_path / "ran"
    git(shop.repo, "config", "protocol.ext.allow", "always")
    remote = f"ext::sh -c touch% {marker}"
    outcome = apply_revert(str(shop.repo), shop.bumped, gate=ALLOW, push=True, remote=remote)
    assert not marker.exists()
    assert not outcome.pushed
    assert outcome.push_error == (
        "push failed: refused: a transport that runs commands (such as ext::) is not allowed"
    )
    assert git(shop.repo, "rev-parse", "HEAD") == outcome.commit
