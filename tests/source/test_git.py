"""The desired-state source against real Git repositories and a real Git server on loopback."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from driftui.model import Manifest, ObjectRef
from driftui.source.blobs import ParseCache, read_blob_objects, read_file_objects
from driftui.source.git_repo import SourceError, cache_path_for, needs_own_refspec, open_repo
from driftui.source.load import load_desired, load_from_repo
from tests.gitserver import make_bare, serve_git, serve_git_daemon, serve_hanging

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def cm(name: str, namespace: str | None = None, value: str = "v") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}{ns}\ndata:\n  k: {value}\n"


class Repo:
    """A throwaway work-tree repository with helpers to write files and commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "work")


@pytest.fixture
def cache_dir(tmp_path: Path) -> str:
    return str(tmp_path / "cache")


def names(state_manifests: Sequence[Manifest]) -> list[str]:
    return sorted(m.ref.name for m in state_manifests)


# -- local repositories ---------------------------------------------------------------------


def test_reads_the_commit_not_the_dirty_work_tree(repo: Repo, cache_dir: str) -> None:
    commit = repo.commit({"a.yaml": cm("a", value="committed")})
    repo.write({"a.yaml": cm("a", value="edited"), "untracked.yaml": cm("u")})
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert state.source.commit == commit
    assert state.source.repo == str(repo.path)
    assert names(state.manifests) == ["a"]
    (manifest,) = state.manifests
    assert manifest.body["data"] == {"k": "committed"}
    assert manifest.source_file == "a.yaml"
    assert manifest.blob_sha == repo.git("rev-parse", "HEAD:a.yaml")


def test_refs_branch_tag_sha_and_relative(repo: Repo, cache_dir: str) -> None:
    first = repo.commit({"a.yaml": cm("a")})
    repo.git("tag", "v1")
    repo.git("checkout", "-q", "-b", "feature")
    feature = repo.commit({"b.yaml": cm("b")})
    repo.git("checkout", "-q", "main")
    assert names(load_desired(str(repo.path), "feature", cache_dir=cache_dir).manifests) == [
        "a",
        "b",
    ]
    assert load_desired(str(repo.path), "v1", cache_dir=cache_dir).source.commit == first
    assert load_desired(str(repo.path), feature[:10], cache_dir=cache_dir).source.commit == feature
    assert load_desired(str(repo.path), "feature~1", cache_dir=cache_dir).source.commit == first
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert (state.source.ref, state.source.commit) == ("HEAD", first)


def test_bad_refs_are_refused_before_git_sees_them(repo: Repo, cache_dir: str) -> None:
    repo.commit({"a.yaml": cm("a")})
    for hostile in ("--output=/tmp/pwned", "-h", "HEAD:a.yaml", "a b", ""):
        with pytest.raises(SourceError, match="invalid ref"):
            load_desired(str(repo.path), hostile, cache_dir=cache_dir)
    with pytest.raises(SourceError, match="ref 'nope' not found"):
        load_desired(str(repo.path), "nope", cache_dir=cache_dir)


def test_bare_repository(repo: Repo, tmp_path: Path, cache_dir: str) -> None:
    commit = repo.commit({"apps/a.yaml": cm("a"), "apps/b.yml": cm("b")})
    bare = make_bare(tmp_path, "bare.git", repo.path)
    state = load_desired(str(bare), cache_dir=cache_dir)
    assert state.source.commit == commit
    assert names(state.manifests) == ["a", "b"]


def test_path_subdirectory_and_single_file(repo: Repo, cache_dir: str) -> None:
    repo.commit(
        {"apps/a.yaml": cm("a"), "apps/deep/b.json": _json_cm("b"), "other/c.yaml": cm("c")}
    )
    state = load_desired(str(repo.path), path="./apps/", cache_dir=cache_dir)
    assert state.source.path == "apps"
    assert names(state.manifests) == ["a", "b"]
    assert {m.source_file for m in state.manifests} == {"apps/a.yaml", "apps/deep/b.json"}
    single = load_desired(str(repo.path), path="other/c.yaml", cache_dir=cache_dir)
    assert names(single.manifests) == ["c"]
    with pytest.raises(SourceError, match="path 'missing' does not exist"):
        load_desired(str(repo.path), path="missing", cache_dir=cache_dir)
    with pytest.raises(SourceError, match="leaves the repository"):
        load_desired(str(repo.path), path="../etc", cache_dir=cache_dir)


def _json_cm(name: str) -> str:
    return f'{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "{name}"}}}}'


def test_hidden_files_are_not_manifests_and_config_is_returned(repo: Repo, cache_dir: str) -> None:
    config = "ignore: []\n"
    repo.commit(
        {
            ".driftui.yaml": config,
            ".github/workflows/ci.yml": "on: push\n",
            "a.yaml": cm("a"),
            "notes.md": "apiVersion: v1\n",
            "values.txt": cm("txt"),
        }
    )
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert names(state.manifests) == ["a"]
    assert state.config_text == config
    assert state.skipped == 0
    assert state.problems == []


def test_bad_files_are_problems_and_the_rest_loads(repo: Repo, cache_dir: str) -> None:
    repo.commit(
        {
            "good.yaml": cm("good") + "---\nnot: an object\n",
            "broken.yaml": cm("x") + "  bad: [\n",
            "binary.yaml": "",
        }
    )
    (repo.path / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    repo.git("commit", "-q", "-am", "binary")
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert names(state.manifests) == ["good"]
    assert state.skipped == 1
    assert [(p.path, p.line) for p in state.problems] == [("binary.yaml", 1), ("broken.yaml", 8)]
    assert "not UTF-8" in state.problems[0].message
    assert state.problems[1].message.startswith("YAML error:")


def test_duplicate_identity_reports_both_and_keeps_neither(repo: Repo, cache_dir: str) -> None:
    repo.commit(
        {
            "one.yaml": cm("same", "prod"),
            "two.yaml": "# moved here\n" + cm("same", "prod").replace("v1", "v1", 1),
            "other-ns.yaml": cm("same", "dev"),
            "no-ns.yaml": cm("same"),  # namespace as written: not defaulted here
        }
    )
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    ref = ObjectRef("", "ConfigMap", "prod", "same")
    assert sorted(m.source_file for m in state.manifests) == ["no-ns.yaml", "other-ns.yaml"]
    dupes = [p for p in state.problems if p.ref == ref]
    assert [(p.path, p.line) for p in dupes] == [("one.yaml", 1), ("two.yaml", 2)]
    assert dupes[0].message == f"duplicate identity {ref}: also declared at two.yaml:2"
    assert dupes[1].message == f"duplicate identity {ref}: also declared at one.yaml:1"


def test_version_does_not_count_for_identity(repo: Repo, cache_dir: str) -> None:
    deploy = "apiVersion: apps/{v}\nkind: Deployment\nmetadata: {{name: web, namespace: a}}\n"
    repo.commit({"a.yaml": deploy.format(v="v1"), "b.yaml": deploy.format(v="v1beta2")})
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert state.manifests == []
    assert {p.ref for p in state.problems} == {ObjectRef("apps", "Deployment", "a", "web")}


def test_hostile_file_names_load_as_files(repo: Repo, cache_dir: str) -> None:
    repo.commit({"--help.yaml": cm("h"), "-rf/x.yaml": cm("r"), "sp ace$(id).yaml": cm("s")})
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert names(state.manifests) == ["h", "r", "s"]


def test_parse_cache_reuses_blobs_across_commits(repo: Repo, cache_dir: str) -> None:
    repo.commit({"a.yaml": cm("a"), "b.yaml": cm("b")})
    handle = open_repo(str(repo.path))
    cache = ParseCache()
    load_from_repo(handle, cache_dir=cache_dir, parse_cache=cache)
    parsed_once = cache.misses
    repo.commit({"b.yaml": cm("b", value="new")})
    state = load_from_repo(handle, cache_dir=cache_dir, parse_cache=cache)
    assert [m.body["data"]["k"] for m in state.manifests] == ["v", "new"]
    assert len(cache._items) == 3  # a, old b, new b: a was parsed once for both commits
    assert cache.misses > parsed_once


def test_history_helpers_read_one_file_at_one_commit(repo: Repo) -> None:
    old = repo.commit({"a.yaml": cm("a", value="old")})
    repo.commit({"a.yaml": cm("a", value="new")})
    handle = open_repo(str(repo.path))
    at_old = read_file_objects(handle, old, "a.yaml")
    assert [m.body["data"]["k"] for m in at_old.manifests] == ["old"]
    blob = repo.git("rev-parse", "HEAD:a.yaml")
    at_head = read_blob_objects(handle, blob, "a.yaml")
    assert at_head.manifests[0].blob_sha == blob
    assert at_head.manifests[0].body["data"]["k"] == "new"
    assert read_file_objects(handle, old, "gone.yaml").manifests == []


# -- rendered directories -------------------------------------------------------------------


def need(tool: str) -> None:
    """Renderers are part of the test toolchain: a missing one fails, it never skips."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not on PATH (build it with `python -m tests.cluster build`)")


KUSTOMIZE_REPO = {
    "base/kustomization.yaml": "resources: [cm.yaml]\n",
    "base/cm.yaml": cm("settings"),
    "overlays/prod/kustomization.yaml": (
        "namespace: prod\nresources: [../../base, extra.yaml]\nlabels:\n- pairs: {env: prod}\n"
    ),
    "overlays/prod/extra.yaml": cm("extra"),
    "plain/p.yaml": cm("plain"),
}


def test_kustomize_directory_is_rendered(repo: Repo, cache_dir: str) -> None:
    need("kustomize")
    repo.commit(KUSTOMIZE_REPO)
    state = load_desired(str(repo.path), path="overlays/prod", cache_dir=cache_dir)
    assert state.problems == []
    assert sorted((m.ref.namespace, m.ref.name) for m in state.manifests) == [
        ("prod", "extra"),
        ("prod", "settings"),
    ]
    tree = repo.git("rev-parse", "HEAD:overlays/prod")
    for manifest in state.manifests:
        assert manifest.source_file == "overlays/prod"
        assert manifest.blob_sha == tree
        assert manifest.body["metadata"]["labels"] == {"env": "prod"}


def test_files_inside_rendered_directories_are_not_plain_yaml(repo: Repo, cache_dir: str) -> None:
    need("kustomize")
    repo.commit(KUSTOMIZE_REPO)
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    # base and overlays/prod are both rendered; their cm.yaml/extra.yaml are not read twice
    assert sorted((m.source_file, m.ref.namespace, m.ref.name) for m in state.manifests) == [
        ("base", "", "settings"),
        ("overlays/prod", "prod", "extra"),
        ("overlays/prod", "prod", "settings"),
        ("plain/p.yaml", "", "plain"),
    ]


def test_base_change_outside_the_directory_is_not_served_from_cache(
    repo: Repo, cache_dir: str
) -> None:
    need("kustomize")
    repo.commit(KUSTOMIZE_REPO)
    load_desired(str(repo.path), path="overlays/prod", cache_dir=cache_dir)
    repo.commit({"base/cm.yaml": cm("settings", value="changed")})
    state = load_desired(str(repo.path), path="overlays/prod", cache_dir=cache_dir)
    by_name = {m.ref.name: m for m in state.manifests}
    assert by_name["settings"].body["data"] == {"k": "changed"}


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "chart/values.yaml": "replicas: 2\n",
    "chart/values-prod.yaml": "replicas: 5\n",
    "chart/templates/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\n"
        "spec:\n  replicas: {{ .Values.replicas }}\n"
    ),
    "chart/templates/bad-name.yaml": "# a template, not a manifest: {{ .Values.x }\n",
}


def test_helm_chart_is_rendered_with_values(repo: Repo, cache_dir: str) -> None:
    need("helm")
    chart = {k: v for k, v in CHART.items() if "bad-name" not in k}
    repo.commit(chart)
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert state.problems == []
    (deploy,) = state.manifests
    assert deploy.ref == ObjectRef("apps", "Deployment", "", "chart-web")
    assert deploy.body["spec"]["replicas"] == 2
    assert deploy.source_file == "chart"
    assert deploy.blob_sha == repo.git("rev-parse", "HEAD:chart")
    prod = load_desired(str(repo.path), helm_values=["values-prod.yaml"], cache_dir=cache_dir)
    assert prod.manifests[0].body["spec"]["replicas"] == 5
    from_config = load_desired(
        str(repo.path), helm_values=lambda _config: ["values-prod.yaml"], cache_dir=cache_dir
    )
    assert from_config.manifests[0].body["spec"]["replicas"] == 5
    missing = load_desired(str(repo.path), helm_values=["nope.yaml"], cache_dir=cache_dir)
    assert [(p.path, p.message) for p in missing.problems] == [
        ("chart", "values file 'nope.yaml' not found for this chart")
    ]


def test_helm_failure_is_a_problem_naming_the_directory(repo: Repo, cache_dir: str) -> None:
    need("helm")
    repo.commit({**CHART, "ok.yaml": cm("ok")})
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert names(state.manifests) == ["ok"]
    (problem,) = state.problems
    assert problem.path == "chart"
    assert problem.message.startswith("helm failed:")
    assert "bad-name.yaml" in problem.message
    assert "driftui-render-" not in problem.message  # temp checkout paths are not shown


def test_missing_tools_are_named_with_the_directory(
    repo: Repo, cache_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit({**KUSTOMIZE_REPO, **CHART})
    only_git = tmp_path / "bin"
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    monkeypatch.setenv("PATH", str(only_git))
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert sorted(str(p) for p in state.problems) == [
        "base: cannot render: kustomize not found on PATH (nor kubectl for kubectl kustomize)",
        "chart: cannot render: helm not found on PATH",
        "overlays/prod: cannot render: kustomize not found on PATH"
        " (nor kubectl for kubectl kustomize)",
    ]
    assert names(state.manifests) == ["plain"]


def test_kubectl_kustomize_is_the_fallback(
    repo: Repo, cache_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("kubectl")
    repo.commit(KUSTOMIZE_REPO)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "kubectl"):
        (bin_dir / tool).symlink_to(os.path.realpath(shutil.which(tool) or tool))
    monkeypatch.setenv("PATH", str(bin_dir))
    state = load_desired(str(repo.path), path="overlays/prod", cache_dir=cache_dir)
    assert state.problems == []
    assert names(state.manifests) == ["extra", "settings"]


# -- remote repositories over a real Git server ---------------------------------------------


@pytest.fixture
def server_root(tmp_path: Path) -> Path:
    root = tmp_path / "srv"
    root.mkdir()
    return root


@pytest.fixture
def published(repo: Repo, server_root: Path) -> Iterator[tuple[Repo, Path]]:
    repo.commit({"a.yaml": cm("a")})
    bare = make_bare(server_root, "app.git", repo.path)
    repo.git("remote", "add", "origin", str(bare))
    yield repo, bare


def test_remote_clone_then_fetch_on_refresh(
    published: tuple[Repo, Path], server_root: Path, cache_dir: str
) -> None:
    repo, _ = published
    with serve_git(server_root) as base:
        url = f"{base}/app.git"
        first = load_desired(url, cache_dir=cache_dir)
        assert names(first.manifests) == ["a"]
        assert first.source.repo == url
        assert first.warnings == []
        assert (cache_path_for(url, cache_dir) / "HEAD").exists()

        second_commit = repo.commit({"b.yaml": cm("b")})
        repo.git("push", "-q", "origin", "main")
        without_fetch = load_desired(url, cache_dir=cache_dir)
        assert without_fetch.source.commit == first.source.commit
        refreshed = load_desired(url, fetch=True, cache_dir=cache_dir)
        assert refreshed.source.commit == second_commit
        assert names(refreshed.manifests) == ["a", "b"]
        assert load_desired(url, "origin/main", cache_dir=cache_dir).source.commit == second_commit


def test_remote_that_disappears_keeps_last_commit_and_is_stale(
    published: tuple[Repo, Path], server_root: Path, cache_dir: str
) -> None:
    with serve_git(server_root) as base:
        url = f"{base}/app.git"
        first = load_desired(url, cache_dir=cache_dir)
    state = load_desired(url, fetch=True, cache_dir=cache_dir, network_timeout=10)
    assert state.source.commit == first.source.commit
    assert names(state.manifests) == ["a"]
    (warning,) = state.warnings
    assert warning.startswith(f"stale: fetch from {url} failed:")
    assert "using the last fetched commit" in warning
    handle = open_repo(url, fetch=True, cache_dir=cache_dir, network_timeout=10)
    assert handle.stale
    assert "failed" in handle.stale_reason


def test_remote_that_hangs_times_out_and_is_stale(
    published: tuple[Repo, Path], server_root: Path, cache_dir: str
) -> None:
    with serve_git(server_root) as base:
        url = f"{base}/app.git"
        first = load_desired(url, cache_dir=cache_dir)
    port = urlsplit(base).port
    assert port is not None
    with serve_hanging(port):
        state = load_desired(url, fetch=True, cache_dir=cache_dir, network_timeout=2)
    assert state.source.commit == first.source.commit
    assert state.warnings[0].startswith(f"stale: fetch from {url} timed out after 2s")


def test_unreachable_remote_without_cache_is_an_error(server_root: Path, cache_dir: str) -> None:
    failed = r"clone of http://127\.0\.0\.1:\d+/none\.git failed"
    with serve_git(server_root) as base, pytest.raises(SourceError, match=failed):
        load_desired(f"{base}/none.git", cache_dir=cache_dir)
    assert not any(Path(cache_dir, "repos").glob("[0-9a-f]*[0-9a-f]"))  # no half clone left


def test_credentials_in_url_never_appear(
    published: tuple[Repo, Path], server_root: Path, cache_dir: str
) -> None:
    password = "s3cr3t-p4ss"
    with serve_git(server_root, auth=("alice", password)) as base:
        host = base.removeprefix("http://")
        url = f"http://alice:{password}@{host}/app.git"
        state = load_desired(url, cache_dir=cache_dir)
        assert names(state.manifests) == ["a"]
        assert state.source.repo == f"{base}/app.git"
        clone = cache_path_for(url, cache_dir)
        assert clone == cache_path_for(f"{base}/app.git", cache_dir)
        assert password not in (clone / "config").read_text()
        assert "alice" not in (clone / "config").read_text()

        wrong = f"http://alice:wr0ng-pass@{host}/app.git"
        with pytest.raises(SourceError) as refused:
            load_desired(wrong, fetch=True, cache_dir=str(Path(cache_dir) / "other"))
        assert "wr0ng-pass" not in str(refused.value)
        assert "alice" not in str(refused.value)
        token_url = f"http://tok3n-value@{host}/app.git"
        with pytest.raises(SourceError) as refused_token:
            load_desired(token_url, cache_dir=str(Path(cache_dir) / "token"))
        assert "tok3n-value" not in str(refused_token.value)
        assert repr(open_repo(url, cache_dir=cache_dir)).count(password) == 0
    stale = load_desired(url, fetch=True, cache_dir=cache_dir, network_timeout=10)
    assert stale.warnings
    assert all(password not in w for w in stale.warnings)


def test_git_daemon_remote(published: tuple[Repo, Path], server_root: Path, cache_dir: str) -> None:
    repo, _ = published
    with serve_git_daemon(server_root) as base:
        state = load_desired(f"{base}/app.git", cache_dir=cache_dir)
    assert state.source.commit == repo.git("rev-parse", "HEAD")
    assert names(state.manifests) == ["a"]


def test_file_url_is_cloned_like_a_remote(published: tuple[Repo, Path], cache_dir: str) -> None:
    _, bare = published
    url = bare.as_uri()
    state = load_desired(url, cache_dir=cache_dir)
    assert names(state.manifests) == ["a"]
    assert (cache_path_for(url, cache_dir) / "HEAD").exists()


def test_json_files_from_git_are_parsed_as_json(repo: Repo, cache_dir: str) -> None:
    doc = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {}, "data": {}}'
    repo.commit({"bad.json": doc, "good.json": doc.replace(', "data": {}}', "}")})
    state = load_from_repo(open_repo(str(repo.path)), cache_dir=cache_dir, parse_cache=ParseCache())
    assert [str(p) for p in state.problems] == ["bad.json:1: JSON error: duplicate key 'data'"]
    assert [m.ref.name for m in state.manifests] == ["a"]


# -- what GitPython runs: bounded, refused when unsafe, never redirected, never leaking ------


def test_a_clone_from_a_hung_remote_is_killed_after_the_timeout(cache_dir: str) -> None:
    """GitPython's clone has no timeout of its own: driftui's deadline kills git's group."""
    with serve_hanging() as base:
        url = f"{base}/app.git"
        with pytest.raises(SourceError) as hung:
            load_desired(url, cache_dir=cache_dir, network_timeout=2)
    assert str(hung.value) == f"clone of {url} timed out after 2s"
    assert not list(Path(cache_dir, "repos").iterdir())[1:]  # only the lock file is left
    assert not list(Path(cache_dir, "repos").glob(".clone-*"))


class _Recording(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_failed_clone_says_why_in_one_redacted_line(
    published: tuple[Repo, Path], server_root: Path, cache_dir: str
) -> None:
    """git's stderr becomes the one line that says why, with no credential in it, and
    GitPython's own log lines (which quote git) carry none either."""
    records: list[logging.LogRecord] = []
    handler = _Recording(records)
    logger = logging.getLogger("git")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with serve_git(server_root, auth=("alice", "s3cr3t")) as base:
            host = base.removeprefix("http://")
            with pytest.raises(SourceError) as refused:
                load_desired(f"http://alice:wr0ng-pass@{host}/app.git", cache_dir=cache_dir)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    message = str(refused.value)
    assert message.startswith(f"clone of {base}/app.git failed: ")
    assert "\n" not in message and "cmdline" not in message
    assert "wr0ng-pass" not in message and "alice" not in message
    assert records, "GitPython logged nothing: the check below would be empty"
    assert not [r for r in records if "wr0ng-pass" in r.getMessage()]


@pytest.mark.parametrize("hostile", ["ext::sh -c touch% {marker}", "--upload-pack=touch {marker}"])
def test_command_running_urls_are_refused(tmp_path: Path, cache_dir: str, hostile: str) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(SourceError):
        load_desired(hostile.format(marker=marker), fetch=True, cache_dir=cache_dir)
    assert not marker.exists()


def test_git_dir_in_the_environment_does_not_redirect_reads(
    repo: Repo, tmp_path: Path, cache_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a git hook, GIT_DIR points at the hook's repository: driftui reads the one
    it was given (GitPython's discovery and every git it starts would follow GIT_DIR)."""
    mine = repo.commit({"mine.yaml": cm("mine")})
    other = Repo(tmp_path / "other")
    other.commit({"theirs.yaml": cm("theirs")})
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.path))
    state = load_desired(str(repo.path), cache_dir=cache_dir)
    assert names(state.manifests) == ["mine"]
    assert state.source.commit == mine


def test_a_full_ref_name_is_fetched_as_itself_never_as_a_pattern() -> None:
    assert needs_own_refspec("refs/pull/7/head")
    assert not any(needs_own_refspec(r) for r in ("refs/heads/main", "refs/tags/v1", "main"))
    for hostile in ("refs/pull/*", "refs/a:refs/b", "refs/-x/../y", "refs/x.lock"):
        with pytest.raises(SourceError):
            needs_own_refspec(hostile)
