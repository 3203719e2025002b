"""`driftui history` and `driftui revert` end to end, on the demo repository and its snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from driftui.demo import DEMO_KEY_PHRASE, DemoFixture, build_demo
from driftui.live.snapshot_key import KEY_ENV


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFixture:
    return build_demo(tmp_path_factory.mktemp("demo"))


def driftui(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI, with the demo snapshot's public key phrase (its Secrets are made up)."""
    return subprocess.run(
        [sys.executable, "-m", "driftui", *argv],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        env={**os.environ, KEY_ENV: DEMO_KEY_PHRASE},
    )


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_history_lists_only_the_commits_that_changed_the_object(demo: DemoFixture) -> None:
    result = driftui(
        "history", "deployment/cart", "-n", "shop", "--repo", str(demo.repo), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["object"] == "shop/Deployment.apps/cart"
    subjects = [c["subject"] for c in doc["commits"]]
    assert subjects[-1].startswith("shop: add cart")
    assert all("cart" in s for s in subjects)
    touching_file = git(demo.repo, "log", "--format=%s", "--", "apps/shop").splitlines()
    assert len(touching_file) > len(subjects)  # commits that touched the files but not cart


def test_history_of_an_undeclared_object_is_a_usage_error(demo: DemoFixture) -> None:
    result = driftui("history", "deployment/nope", "--repo", str(demo.repo))
    assert result.returncode == 2
    assert "deployment/nope is not declared at HEAD" in result.stderr
    bad = driftui("history", "not-a-ref", "--repo", str(demo.repo))
    assert bad.returncode == 2 and "KIND/NAME" in bad.stderr


def test_revert_dry_run_previews_drift_and_changes_nothing(demo: DemoFixture) -> None:
    sha = git(demo.repo, "log", "--format=%H", "-1", "--grep=legacy checkout")
    head = git(demo.repo, "rev-parse", "HEAD")
    result = driftui(
        "revert",
        sha,
        "--repo",
        str(demo.repo),
        "--live",
        str(demo.snapshot),
        "--dry-run",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    (obj,) = preview["objects"]
    assert obj["object"] == "shop/Deployment.apps/cart" and obj["change"] == "modified"
    assert obj["after_sync"] == "drifted" and obj["owner"] == "argocd:shop"
    assert git(demo.repo, "rev-parse", "HEAD") == head


def test_revert_refuses_without_a_terminal_then_commits_with_yes(demo: DemoFixture) -> None:
    sha = git(demo.repo, "log", "--format=%H", "-1", "--grep=legacy checkout")
    head = git(demo.repo, "rev-parse", "HEAD")
    refused = driftui("revert", sha, "--repo", str(demo.repo), stdin="")
    assert refused.returncode == 2 and "pass --yes" in refused.stderr
    assert git(demo.repo, "rev-parse", "HEAD") == head
    read_only = driftui("revert", sha, "--repo", str(demo.repo), "--yes", "--read-only")
    assert read_only.returncode == 2 and "read-only mode" in read_only.stderr
    assert git(demo.repo, "rev-parse", "HEAD") == head
    done = driftui("revert", sha, "--repo", str(demo.repo), "--yes", "--branch")
    assert done.returncode == 0, done.stderr
    assert git(demo.repo, "rev-parse", "HEAD") == head  # --branch leaves the checkout alone
    branch = git(demo.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/driftui/")
    assert branch.startswith("driftui/revert-") and sha.startswith(
        branch.removeprefix("driftui/revert-")
    )
    assert f"new branch {branch}" in done.stdout
    assert git(demo.repo, "log", "-1", "--format=%s", branch).startswith('Revert "cart:')


def test_diff_blame_names_the_commit_that_last_set_each_git_value(demo: DemoFixture) -> None:
    result = driftui("diff", "--blame", "--repo", str(demo.repo), "--live", str(demo.snapshot))
    assert result.returncode == 1, result.stderr
    scaled = git(demo.repo, "log", "-1", "--format=%H", "--grep=scale to 3 replicas")
    dropped = git(demo.repo, "log", "-1", "--format=%H", "--grep=legacy checkout")
    lines = result.stdout.splitlines()
    # the server records no time for a write through the scale subresource: none is shown
    assert (
        f"# changed spec.replicas by kubectl; Git value from {scaled[:12]} by Alice Moreau" in lines
    )
    removed = next(line for line in lines if "env[name=LEGACY_CHECKOUT]" in line)
    assert removed.endswith(f"Git value from {dropped[:12]} by Bob Okafor")
    hand_added = next(line for line in lines if "env[name=DEBUG_SQL]" in line)
    assert "Git value from" not in hand_added  # nothing in Git to blame


def test_a_revert_committed_but_not_pushed_exits_3_and_says_so(tmp_path: Path) -> None:
    """Partly done is not "drift" (1) nor "nothing changed" (2): the local commit stays."""
    demo = build_demo(tmp_path)
    sha = git(demo.repo, "log", "--format=%H", "-1", "--grep=legacy checkout")
    argv = ["revert", sha, "--repo", str(demo.repo), "--yes", "--branch", "--push"]
    done = driftui(*argv, "--remote", "nowhere")
    assert done.returncode == 3, done.stderr
    assert "Push failed, the local commit" in done.stdout
    assert git(demo.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/driftui/")


def test_a_revert_stopped_during_its_push_says_where_the_commit_is(tmp_path: Path) -> None:
    """A remote that accepts and never answers; SIGTERM while git waits on it."""
    import signal
    import socket
    import threading
    import time

    demo = build_demo(tmp_path)
    sha = git(demo.repo, "log", "--format=%H", "-1", "--grep=legacy checkout")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    git(demo.repo, "remote", "add", "silent", f"git://127.0.0.1:{listener.getsockname()[1]}/x")
    env = {**os.environ, KEY_ENV: DEMO_KEY_PHRASE}
    argv = ["revert", sha, "--repo", str(demo.repo), "--yes", "--push", "--remote", "silent"]
    child = subprocess.Popen(
        [sys.executable, "-m", "driftui", *argv], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        for _ in range(300):
            if accepted:
                break
            time.sleep(0.1)
        assert accepted, "git never connected"
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    head = git(demo.repo, "rev-parse", "--short=12", "HEAD")
    assert child.returncode == 3, out + err
    assert f"revert commit {head} is on branch main, not pushed" in out
