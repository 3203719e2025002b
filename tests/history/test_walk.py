"""Per-object history against real Git repositories built in tmp dirs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftui.history import (
    HISTORY_CACHE,
    HistoryError,
    field_blame,
    object_history,
    value_at,
)
from driftui.model import KeyedItem, ObjectRef
from driftui.runtime.progress import ProgressEvent
from driftui.source.git_log import log
from driftui.source.git_repo import open_repo
from driftui.source.render import Renderer

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tess Author",
    "GIT_AUTHOR_EMAIL": "tess@example.com",
    "GIT_COMMITTER_NAME": "Tess Author",
    "GIT_COMMITTER_EMAIL": "tess@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class Repo:
    """A tiny scripted repository: write documents, commit, return shas."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = 1_700_000_000
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{self.clock} +0000"
        return subprocess.run(
            ["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    def write(self, path: str, *docs: dict[str, Any], header: str = "") -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        body = "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs)
        target.write_text(header + body)

    def commit(self, message: str) -> str:
        self.clock += 3600
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def mv(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def rm(self, path: str) -> None:
        self.git("rm", "-q", path)

    @property
    def path(self) -> str:
        return str(self.root)


def deployment(name: str, image: str = "app:1", replicas: int = 1, **meta: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **meta}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "app", "image": image}]}},
        },
    }


def configmap(name: str, namespace: str = "shop", **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }


WEB = ObjectRef("apps", "Deployment", "shop", "web")
SETTINGS = ObjectRef("", "ConfigMap", "shop", "settings")


def subjects(repo: Repo, ref: ObjectRef, **kwargs: Any) -> list[str]:
    return [e.subject for e in object_history(repo.path, "HEAD", ref, **kwargs)]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_objects_sharing_a_file_have_separate_histories(repo: Repo) -> None:
    repo.write("app.yaml", deployment("web", namespace="shop"), configmap("settings", a="1"))
    repo.commit("add app")
    repo.write(
        "app.yaml", deployment("web", "app:2", namespace="shop"), configmap("settings", a="1")
    )
    repo.commit("bump web")
    repo.write(
        "app.yaml", deployment("web", "app:2", namespace="shop"), configmap("settings", a="2")
    )
    repo.commit("change settings")
    assert subjects(repo, WEB) == ["bump web", "add app"]
    assert subjects(repo, SETTINGS) == ["change settings", "add app"]


def test_entries_carry_commit_metadata_and_both_versions(repo: Repo) -> None:
    repo.write("app.yaml", deployment("web", namespace="shop"))
    first = repo.commit("add web")
    repo.write("app.yaml", deployment("web", "app:2", namespace="shop"))
    second = repo.commit("bump web\n\nlonger body")
    newest, oldest = object_history(repo.path, "main", WEB)
    assert (newest.sha, oldest.sha) == (second, first)
    assert newest.short == second[:12]
    assert (newest.author, newest.email) == ("Tess Author", "tess@example.com")
    assert newest.date == "2023-11-15T00:13:20+00:00"
    assert newest.subject == "bump web"
    assert newest.change == "modified" and oldest.change == "created"
    assert oldest.before is None
    assert newest.before == oldest.after
    assert newest.after is not None
    assert newest.after["spec"]["template"]["spec"]["containers"][0]["image"] == "app:2"
    assert newest.file == "app.yaml"


def test_commit_touching_the_file_but_not_the_object_is_excluded(repo: Repo) -> None:
    repo.write("app.yaml", deployment("web", namespace="shop"))
    repo.commit("add web")
    repo.write("app.yaml", deployment("web", namespace="shop"), header="# owned by team shop\n")
    repo.commit("comment only")
    repo.write("app.yaml", deployment("web", namespace="shop"), configmap("settings", a="1"))
    repo.commit("add settings next to web")
    assert subjects(repo, WEB) == ["add web"]


def test_history_follows_a_renamed_file(repo: Repo) -> None:
    repo.write("apps/web.yaml", deployment("web", namespace="shop"))
    repo.commit("add web")
    repo.write("apps/web.yaml", deployment("web", "app:2", namespace="shop"))
    repo.commit("bump to 2")
    repo.mv("apps/web.yaml", "apps/shop/web-deployment.yaml")
    repo.commit("rename file")
    repo.write("apps/shop/web-deployment.yaml", deployment("web", "app:3", namespace="shop"))
    repo.commit("bump to 3")
    history = object_history(repo.path, "HEAD", WEB)
    assert [e.subject for e in history] == ["bump to 3", "bump to 2", "add web"]
    assert [e.file for e in history] == [
        "apps/shop/web-deployment.yaml",
        "apps/web.yaml",
        "apps/web.yaml",
    ]


def test_rename_with_a_change_is_listed(repo: Repo) -> None:
    repo.write("a.yaml", deployment("web", namespace="shop"), configmap("settings", a="1", b="2"))
    repo.commit("add")
    repo.mv("a.yaml", "b.yaml")
    repo.write(
        "b.yaml", deployment("web", "app:2", namespace="shop"), configmap("settings", a="1", b="2")
    )
    repo.commit("rename and bump")
    history = object_history(repo.path, "HEAD", WEB)
    assert [e.subject for e in history] == ["rename and bump", "add"]
    assert history[0].file == "b.yaml"
    assert subjects(repo, SETTINGS) == ["add"]


def test_object_moved_between_files_unchanged_is_not_a_change(repo: Repo) -> None:
    repo.write("apps.yaml", deployment("web", namespace="shop"), configmap("settings", a="1"))
    repo.commit("add both")
    repo.write("apps.yaml", deployment("web", namespace="shop"), configmap("settings", a="2"))
    repo.commit("settings a=2")
    repo.write("apps.yaml", deployment("web", namespace="shop"))
    repo.write("config/settings.yaml", configmap("settings", a="2"))
    repo.commit("move settings to its own file")
    repo.write("config/settings.yaml", configmap("settings", a="3"))
    repo.commit("settings a=3")
    history = object_history(repo.path, "HEAD", SETTINGS)
    assert [e.subject for e in history] == ["settings a=3", "settings a=2", "add both"]
    assert [e.file for e in history] == ["config/settings.yaml", "apps.yaml", "apps.yaml"]
    assert subjects(repo, WEB) == ["add both"]


def test_object_moved_with_a_change_shows_both_versions(repo: Repo) -> None:
    repo.write("one.yaml", configmap("settings", a="1"), configmap("other", x="1"))
    repo.commit("add")
    repo.write("one.yaml", configmap("other", x="1"))
    repo.write("two.yaml", configmap("settings", a="9"))
    repo.commit("move and change")
    newest = object_history(repo.path, "HEAD", SETTINGS)[0]
    assert newest.subject == "move and change"
    assert newest.before is not None and newest.after is not None
    assert (newest.before["data"], newest.after["data"]) == ({"a": "1"}, {"a": "9"})
    assert newest.file == "two.yaml"


def test_missing_namespace_matches_the_default_namespace(repo: Repo) -> None:
    repo.write("web.yaml", deployment("web"))
    repo.commit("add web without namespace")
    repo.write("web.yaml", deployment("web", namespace="default"))
    repo.commit("write the namespace out")
    repo.write("web.yaml", deployment("web", "app:2", namespace="default"))
    repo.commit("bump")
    default_web = ObjectRef("apps", "Deployment", "default", "web")
    assert subjects(repo, default_web) == ["bump", "add web without namespace"]
    prod_web = ObjectRef("apps", "Deployment", "prod", "web")
    assert subjects(repo, prod_web) == []
    # Seen from namespace "prod", writing "default" out moved the object away: a delete.
    prod_history = object_history(repo.path, "HEAD", prod_web, default_namespace="prod")
    assert [(e.subject, e.change) for e in prod_history] == [
        ("write the namespace out", "deleted"),
        ("add web without namespace", "created"),
    ]


def test_deleted_object_history_is_found(repo: Repo) -> None:
    repo.write("web.yaml", deployment("web", namespace="shop"))
    repo.write("cm.yaml", configmap("settings", a="1"))
    repo.commit("add")
    repo.write("web.yaml", deployment("web", "app:2", namespace="shop"))
    repo.commit("bump")
    repo.rm("web.yaml")
    repo.commit("remove web")
    repo.write("cm.yaml", configmap("settings", a="2"))
    repo.commit("unrelated")
    history = object_history(repo.path, "HEAD", WEB)
    assert [e.change for e in history] == ["deleted", "modified", "created"]
    assert history[0].after is None and history[0].file == "web.yaml"


def test_history_through_a_merge(repo: Repo) -> None:
    repo.write("web.yaml", deployment("web", namespace="shop"))
    repo.write("cm.yaml", configmap("settings", a="1"))
    repo.commit("add")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("web.yaml", deployment("web", "app:2", namespace="shop"))
    repo.commit("feature: bump web")
    repo.git("checkout", "-q", "main")
    repo.write("cm.yaml", configmap("settings", a="2"))
    repo.commit("main: settings")
    repo.clock += 60
    repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    assert subjects(repo, WEB) == ["feature: bump web", "add"]
    assert subjects(repo, SETTINGS) == ["main: settings", "add"]


def test_path_scope_and_json_lists(repo: Repo) -> None:
    item = configmap("settings", a="1")
    listed: dict[str, Any] = {"apiVersion": "v1", "kind": "List", "items": [item]}
    (repo.root / "prod").mkdir()
    (repo.root / "prod" / "all.json").write_text(json.dumps(listed))
    repo.write("staging/settings.yaml", configmap("settings", a="0"))
    repo.commit("add")
    item["data"] = {"a": "2"}
    (repo.root / "prod" / "all.json").write_text(json.dumps(listed))
    repo.commit("prod a=2")
    assert subjects(repo, SETTINGS, path="prod") == ["prod a=2", "add"]
    assert subjects(repo, SETTINGS, path="staging") == ["add"]
    assert subjects(repo, SETTINGS, path="nowhere") == []


def test_older_ref_and_repeated_calls_agree(repo: Repo) -> None:
    repo.write("web.yaml", deployment("web", namespace="shop"))
    first = repo.commit("add")
    repo.write("web.yaml", deployment("web", "app:2", namespace="shop"))
    repo.commit("bump")
    HISTORY_CACHE.clear()
    cold = object_history(repo.path, "HEAD", WEB)
    warm = object_history(repo.path, "HEAD", WEB)
    assert cold == warm and len(cold) == 2
    assert [e.sha for e in object_history(repo.path, first, WEB)] == [first]


@pytest.mark.parametrize("ref", ["-n1", "--all", "--output=/tmp/x", "main:web.yaml", ""])
def test_refs_that_look_like_options_are_refused(repo: Repo, ref: str) -> None:
    repo.write("web.yaml", deployment("web", namespace="shop"))
    repo.commit("add")
    with pytest.raises(HistoryError):
        object_history(repo.path, ref, WEB)


def test_unknown_ref_and_non_repo_are_clear_errors(repo: Repo, tmp_path: Path) -> None:
    repo.write("web.yaml", deployment("web", namespace="shop"))
    repo.commit("add")
    with pytest.raises(HistoryError, match="not found"):
        object_history(repo.path, "no-such-branch", WEB)
    with pytest.raises(HistoryError, match="not a Git repository"):
        object_history(str(tmp_path), "HEAD", WEB)


def test_field_blame_names_the_commit_that_set_each_value(repo: Repo) -> None:
    repo.write("web.yaml", deployment("web", namespace="shop", replicas=1))
    created = repo.commit("add web")
    repo.write("web.yaml", deployment("web", "app:2", namespace="shop", replicas=1))
    bumped = repo.commit("bump image")
    repo.write("web.yaml", deployment("web", "app:2", namespace="shop", replicas=3))
    scaled = repo.commit("scale")
    image = ("spec", "template", "spec", "containers", KeyedItem((("name", "app"),)), "image")
    replicas = ("spec", "replicas")
    name = ("metadata", "name")
    never = ("spec", "paused")
    blame = field_blame(repo.path, "HEAD", WEB, [image, replicas, name, never])
    assert blame[image].sha == bumped
    assert blame[replicas].sha == scaled
    assert blame[name].sha == created
    assert never not in blame


def test_value_at_follows_keyed_items_positions_and_defaults() -> None:
    body = {
        "spec": {
            "ports": [{"port": 80}, {"port": 443, "protocol": "UDP"}],
            "flags": ["a", "b"],
            "enabled": True,
        }
    }
    tcp80 = KeyedItem((("port", "80"), ("protocol", "TCP")))
    assert value_at(body, ("spec", "ports", tcp80, "port")) == 80
    udp = KeyedItem((("port", "443"), ("protocol", "UDP")))
    assert value_at(body, ("spec", "ports", udp)) == {"port": 443, "protocol": "UDP"}
    assert value_at(body, ("spec", "flags", 1)) == "b"
    assert value_at(body, ("spec", "flags", KeyedItem((("", "a"),)))) == "a"
    missing = value_at(body, ("spec", "flags", 5))
    assert missing is value_at(body, ("spec", "nope"))
    assert missing is value_at(None, ("spec",))


def test_log_lists_renames_moves_and_odd_subjects(tmp_path: Path) -> None:
    """What each commit changed, read from its trees: a rename is a deletion and an
    addition, files in subdirectories keep their full path, a subject keeps odd bytes."""
    repo = Repo(tmp_path / "r")
    repo.write("old name.yaml", deployment("web"))
    repo.write("keep/a.yaml", deployment("a"))
    first = repo.commit("add")
    repo.mv("old name.yaml", "deep/new.yaml")
    repo.write("keep/a.yaml", deployment("a", image="app:2"))
    repo.write("added.yaml", deployment("b"))
    second = repo.commit("sub\x1fwith sep\n\nbody")
    opened = open_repo(repo.path)
    newest, oldest = log(opened, second, [])
    assert (newest.sha, newest.parents, oldest.sha, oldest.parents) == (second, [first], first, [])
    assert (newest.author, newest.email) == ("Tess Author", "tess@example.com")
    assert newest.subject == "sub\x1fwith sep"
    assert newest.date == opened.handle.git.log("-1", "--format=%aI", second)
    assert [(c.status, c.old_path, c.new_path) for c in newest.changes] == [
        ("A", "added.yaml", "added.yaml"),
        ("A", "deep/new.yaml", "deep/new.yaml"),
        ("M", "keep/a.yaml", "keep/a.yaml"),
        ("D", "old name.yaml", "old name.yaml"),
    ]
    assert [c.new_path for c in oldest.changes] == ["keep/a.yaml", "old name.yaml"]
    (only,) = log(opened, second, [":(literal)deep/new.yaml"])
    assert only.sha == second


# -- property: the history lists exactly the commits that changed the object -------------

FILES = ["a.yaml", "b.yaml", "dir/c.yaml"]
step = st.one_of(
    st.tuples(st.just("change"), st.integers(0, 9)),
    st.tuples(st.just("move"), st.sampled_from(FILES)),
    st.tuples(st.just("other"), st.integers(0, 9)),
    st.tuples(st.just("rename"), st.sampled_from(FILES)),
)


@settings(
    max_examples=12,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, min_size=1, max_size=6))
def test_history_lists_exactly_the_changing_commits(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, Any]]
) -> None:
    repo = Repo(tmp_path_factory.mktemp("prop") / "repo")
    files: dict[str, list[dict[str, Any]]] = {
        "a.yaml": [configmap("settings", v="0")],
        "b.yaml": [configmap("other", v="0")],
    }

    def flush() -> None:
        for found in list(repo.root.rglob("*.yaml")):
            if found.relative_to(repo.root).as_posix() not in files:
                found.unlink()
        for name, docs in files.items():
            repo.write(name, *docs)

    def holder() -> str:
        return next(
            p for p, docs in files.items() if any(d["metadata"]["name"] == "settings" for d in docs)
        )

    flush()
    expected = [repo.commit("step 0")]
    for number, (action, arg) in enumerate(steps, start=1):
        where = holder()
        mine = next(d for d in files[where] if d["metadata"]["name"] == "settings")
        changed = False
        if action == "change":
            changed = mine["data"]["v"] != str(arg)
            mine["data"]["v"] = str(arg)
        elif action == "move" and arg != where:
            files[where].remove(mine)
            files.setdefault(arg, []).append(mine)
        elif action == "other":
            other = next(
                d for docs in files.values() for d in docs if d["metadata"]["name"] == "other"
            )
            other["data"]["v"] = str(arg)
        elif action == "rename" and arg not in files:
            files[arg] = files.pop(where)
        files = {p: d for p, d in files.items() if d}
        flush()
        sha = repo.commit(f"step {number}")
        if changed:
            expected.append(sha)
    got = [e.sha for e in object_history(repo.path, "HEAD", SETTINGS)]
    assert got == list(reversed(expected))


# -- rendered sources ---------------------------------------------------------------------


def test_history_follows_an_object_through_kustomize_renders(repo: Repo, tmp_path: Path) -> None:
    def overlay(tag: str) -> str:
        return (
            f"namespace: prod\nresources:\n- ../../base\nimages:\n- name: app\n  newTag: '{tag}'\n"
        )

    (repo.root / "base").mkdir()
    (repo.root / "base/kustomization.yaml").write_text("resources:\n- web.yaml\n")
    repo.write("base/web.yaml", deployment("web", image="app:1", replicas=1))
    (repo.root / "overlays/prod").mkdir(parents=True)
    (repo.root / "overlays/prod/kustomization.yaml").write_text(overlay("2"))
    (repo.root / "overlays/prod/README.md").write_text("prod overlay\n")
    created = repo.commit("add base and prod overlay")
    repo.write("base/web.yaml", deployment("web", image="app:1", replicas=3))
    scaled = repo.commit("base: 3 replicas")
    (repo.root / "overlays/prod/README.md").write_text("prod overlay, see runbook\n")
    repo.commit("overlay readme only")
    repo.write("elsewhere/settings.yaml", configmap("settings", a="1"))
    repo.commit("unrelated")
    (repo.root / "overlays/prod/kustomization.yaml").write_text(overlay("3"))
    tagged = repo.commit("prod: app 3")

    prod_web = ObjectRef("apps", "Deployment", "prod", "web")
    renderer = Renderer(cache_dir=str(tmp_path / "render-cache"))
    history = object_history(repo.path, "HEAD", prod_web, renderer=renderer)
    assert [e.sha for e in history] == [tagged, scaled, created]
    assert all(e.file == "overlays/prod" for e in history)
    newest = history[0]
    assert newest.before is not None and newest.after is not None
    image = ("spec", "template", "spec", "containers", KeyedItem((("name", "app"),)), "image")
    assert (value_at(newest.before, image), value_at(newest.after, image)) == ("app:2", "app:3")
    assert value_at(history[1].after, ("spec", "replicas")) == 3
    blame = field_blame(
        repo.path, "HEAD", prod_web, [image, ("spec", "replicas")], renderer=renderer
    )
    assert blame[image].sha == tagged and blame[("spec", "replicas")].sha == scaled


def test_the_walk_counts_commits_examined_against_commits_listed(repo: Repo) -> None:
    repo.write("app.yaml", deployment("web", namespace="shop"), configmap("settings", a="1"))
    repo.commit("add app")
    repo.write("app.yaml", deployment("web", namespace="shop"), configmap("settings", a="2"))
    repo.commit("change settings")
    repo.write("app.yaml", deployment("web", "app:2", namespace="shop"), configmap("settings"))
    repo.commit("bump web")
    events: list[ProgressEvent] = []
    entries = object_history(repo.path, "HEAD", WEB, progress=events.append)
    assert [e.subject for e in entries] == ["bump web", "add app"]
    assert {e.stage for e in events} == {"commits examined"}
    assert [(e.done, e.total) for e in events] == [(0, 3), (1, 3), (2, 3), (3, 3), (3, 3)]
