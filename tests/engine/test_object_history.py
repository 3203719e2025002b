"""What each commit changed in one object, field by field (deepdiff), in `history` and in a
revert preview: exact lists on a real repository with known commits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from driftui.__main__ import explorer_parts
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from tests.actions.test_revert import commit, empty_snapshot, hermetic_git, write
from tests.tui.conftest import TestExplorer, scanned, settle

__all__ = ["hermetic_git"]  # test_revert's autouse fixture: no user git config, fixed identity

WEB = "spec.template.spec.containers[name=web]"


def web(image: str, env: list[dict[str, str]], replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": replicas,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "proxy", "image": "envoy:1"},
                        {"name": "web", "image": image, "env": env},
                    ]
                }
            },
        },
    }


def cli(*argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "driftui", *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository; test_revert's autouse fixture gives git a fixed identity."""
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return path


def test_history_and_revert_list_exactly_the_fields_each_commit_changed(
    repo: Path, tmp_path: Path
) -> None:
    write(repo, "apps/web.yaml", web("web:1", [{"name": "A", "value": "1"}]))
    commit(repo, "add web")
    write(
        repo,
        "apps/web.yaml",
        web("web:2", [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
    )
    bumped = commit(repo, "bump web, add B")
    scaled = web("web:2", [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], replicas=5)
    write(repo, "apps/web.yaml", scaled)
    commit(repo, "scale web")

    history = cli(
        "history", "deployment/web", "-n", "shop", "--repo", str(repo), "--format", "json"
    )
    fields = {c["subject"]: c["fields"] for c in history["commits"]}
    assert fields["scale web"] == [
        {"path": "spec.replicas", "type": "changed", "before": 2, "after": 5},
    ]
    assert fields["bump web, add B"] == [
        {"path": f"{WEB}.env[name=B]", "type": "added", "before": None,
         "after": {"name": "B", "value": "2"}},
        {"path": f"{WEB}.image", "type": "changed", "before": "web:1", "after": "web:2"},
    ]  # fmt: skip
    assert [f["path"] for f in fields["add web"]] == ["spec"]  # a create: all of it is new

    snap = empty_snapshot(tmp_path)
    argv = ["revert", bumped, "--dry-run", "--format", "json", "--repo", str(repo)]
    preview = cli(*argv, "--live", str(snap))
    (obj,) = preview["objects"]
    assert obj["fields"] == [  # the revert undoes exactly that commit, on top of the later one
        {"path": f"{WEB}.env[name=B]", "type": "removed",
         "before": {"name": "B", "value": "2"}, "after": None},
        {"path": f"{WEB}.image", "type": "changed", "before": "web:2", "after": "web:1"},
    ]  # fmt: skip


async def test_the_history_tab_lists_the_fields_above_the_diff(repo: Path, tmp_path: Path) -> None:
    write(repo, "apps/web.yaml", web("web:1", []))
    commit(repo, "add web")
    write(repo, "apps/web.yaml", web("web:2", []))
    commit(repo, "bump web")
    snap = empty_snapshot(tmp_path)
    gate = MutationGate(read_only=True)
    scanner = Scanner(ScanOptions(repo=str(repo), live_snapshot=str(snap), read_only=True), gate)
    app = TestExplorer(scanner.scan, **explorer_parts(scanner, gate))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        (result,) = scanned(app).results
        assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
        await pilot.press("5")
        await settle(pilot)
        history = app.query_one("#history-list", OptionList)
        history.highlighted = 0
        history.action_select()
        await settle(pilot)
        lines = "\n".join(app.detail.view_lines("history-view"))
    assert lines.splitlines()[0] == f'changed {WEB}.image: "web:1" -> "web:2"'
