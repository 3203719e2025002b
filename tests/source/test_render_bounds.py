"""Renders see only the checkout and stay within bounds: real Git, real helm and kustomize.

Each limit ends in a LoadProblem naming the file, and the rest of the repository loads.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftui.source.blobs import ParseCache
from driftui.source.git_repo import open_repo
from driftui.source.limits import LoadLimits, MiB, RenderPolicy
from driftui.source.load import load_desired, load_from_repo
from driftui.source.sandbox import renderer_env
from tests.gitserver import make_bare, serve_git
from tests.source.test_git import Repo, cm

LINKS = 20


def names(state: object) -> list[str]:
    return sorted(m.ref.name for m in state.manifests)  # type: ignore[attr-defined]


def climb(target: Path) -> str:
    """A relative path that reaches ``/`` from any shallow directory, then ``target``."""
    return "../" * LINKS + str(target).lstrip("/")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "work")


@pytest.fixture
def secret(tmp_path: Path) -> str:
    text = "token: HOST-SECRET-5f1d"
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "kubeconfig").write_text(text + "\n")
    return text


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: leak\nversion: 0.1.0\n",
    "chart/.helmignore": "d\n",
    "chart/templates/cm.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: chart-cm\n"
        'data:\n  read: {{ .Files.Get "a.link" | quote }}\n'
    ),
    "plain.yaml": cm("plain"),
}


# -- links ----------------------------------------------------------------------------------


def test_a_symlink_chain_leading_out_refuses_the_render(
    repo: Repo, tmp_path: Path, secret: str
) -> None:
    repo.write(CHART)
    # Alone, a.link stays inside (d/ twenty times, then up twenty); once d -> . exists, out.
    os.symlink("d/" * LINKS + climb(tmp_path / "host" / "kubeconfig"), repo.path / "chart/a.link")
    os.symlink(".", repo.path / "chart/d")
    repo.commit({})
    state = load_desired(str(repo.path), cache_dir=str(tmp_path / "cache"))
    assert [(p.path, p.message) for p in state.problems] == [
        ("chart/a.link", "symlink leads outside the repository: chart is not rendered")
    ]
    assert names(state) == ["plain"]  # plain files are read from Git, not from the checkout
    assert secret not in repr([m.body for m in state.manifests])


def test_links_that_stay_inside_still_render(repo: Repo, tmp_path: Path) -> None:
    repo.write({**CHART, "shared/value.txt": "from-inside"})
    os.symlink("../shared/value.txt", repo.path / "chart/a.link")
    repo.commit({})
    state = load_desired(str(repo.path), cache_dir=str(tmp_path / "cache"))
    assert state.problems == []
    (chart,) = [m for m in state.manifests if m.ref.name == "chart-cm"]
    assert chart.body["data"] == {"read": "from-inside"}


# -- kustomize bases --------------------------------------------------------------------------


def test_kustomize_bases_must_resolve_inside_the_checkout(
    repo: Repo, tmp_path: Path, secret: str
) -> None:
    elsewhere = tmp_path / "host" / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (elsewhere / "cm.yaml").write_text(cm("host-secret", value=secret.replace(": ", "-")))
    repo.commit(
        {
            "base/kustomization.yaml": "resources: [cm.yaml]\n",
            "base/cm.yaml": cm("shared"),
            "apps/ok/kustomization.yaml": "resources: [../../base]\nnamePrefix: ok-\n",
            "apps/out/kustomization.yaml": "resources: [../nested]\n",
            "apps/nested/kustomization.yaml": f"components: []\nresources:\n- {climb(elsewhere)}\n",
        }
    )
    state = load_desired(str(repo.path), path="apps", cache_dir=str(tmp_path / "cache"))
    found = {(p.path, p.message) for p in state.problems}
    message = f"resources: {climb(elsewhere)!r} leads outside the repository"
    assert found == {
        ("apps/nested/kustomization.yaml", f"{message}: apps/nested is not rendered"),
        ("apps/nested/kustomization.yaml", f"{message}: apps/out is not rendered"),
    }
    assert names(state) == ["ok-shared"]


@pytest.fixture
def remote_base(tmp_path: Path) -> Iterator[str]:
    source = Repo(tmp_path / "base-src")
    source.commit({"base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm("far")})
    served = tmp_path / "srv"
    served.mkdir()
    make_bare(served, "bases.git", source.path)
    with serve_git(served) as url:
        yield f"{url}/bases.git//base?ref=main"


def test_remote_bases_are_off_unless_the_user_allows_them(
    repo: Repo, tmp_path: Path, remote_base: str
) -> None:
    repo.commit({"k/kustomization.yaml": f"resources:\n- {remote_base}\n"})
    cache = str(tmp_path / "cache")
    off = load_desired(str(repo.path), cache_dir=cache)
    assert [(p.path, p.message) for p in off.problems] == [
        (
            "k/kustomization.yaml",
            f"resources: remote base {remote_base!r} is off (--allow-remote-bases): k is not rendered",
        )
    ]
    on = load_desired(str(repo.path), cache_dir=cache, render=RenderPolicy(allow_remote_bases=True))
    assert on.problems == []
    assert names(on) == ["far"]


def test_a_renderers_git_fetches_nothing_while_remote_bases_are_off(
    tmp_path: Path, remote_base: str
) -> None:
    """The walk may miss a URL form kustomize knows; git in the renderer's environment
    still refuses every transport."""
    url = remote_base.split("//base")[0]
    home = str(tmp_path / "home")
    os.mkdir(home)
    for allowed, expected in ((False, 128), (True, 0)):
        env = renderer_env(RenderPolicy(allow_remote_bases=allowed), home)
        done = subprocess.run(["git", "ls-remote", "--", url], env=env, capture_output=True)
        assert done.returncode == expected, done.stderr


def test_remote_bases_fetch_without_the_users_git_credentials(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Repo(tmp_path / "base-src")
    source.commit({"base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm("far")})
    served = tmp_path / "srv"
    served.mkdir()
    make_bare(served, "bases.git", source.path)
    home = tmp_path / "user-home"
    home.mkdir()
    helper = "!f() { echo username=alice; echo password=s3cret; }; f"
    (home / ".gitconfig").write_text(f"[credential]\n\thelper = {helper!r}\n".replace("'", '"'))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    with serve_git(served, auth=("alice", "s3cret")) as url:
        repo.commit({"k/kustomization.yaml": f"resources:\n- {url}/bases.git//base?ref=main\n"})
        isolated = RenderPolicy(allow_remote_bases=True)
        state = load_desired(str(repo.path), cache_dir=str(tmp_path / "c1"), render=isolated)
        assert [p.path for p in state.problems] == ["k"]
        assert state.problems[0].message.startswith("kustomize failed:")
        trusting = RenderPolicy(allow_remote_bases=True, user_git_config=True)
        state = load_desired(str(repo.path), cache_dir=str(tmp_path / "c2"), render=trusting)
        assert state.problems == []
        assert names(state) == ["far"]


# -- bounds --------------------------------------------------------------------------------


def chart(template: str) -> dict[str, str]:
    return {
        "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "chart/templates/cm.yaml": template,
        "plain.yaml": cm("plain"),
    }


def test_a_chart_that_allocates_without_end_stops_at_the_memory_cap(
    repo: Repo, tmp_path: Path
) -> None:
    repo.commit(chart('x: "{{ range until 2000000000 }}xxxxxxxxxxxxxxxx{{ end }}"\n'))
    policy = RenderPolicy(memory_bytes=2048 * MiB, timeout=600)
    state = load_desired(str(repo.path), cache_dir=str(tmp_path / "cache"), render=policy)
    assert [(p.path, p.message) for p in state.problems] == [
        ("chart", "helm ran out of its memory limit (2048 MiB)")
    ]
    assert names(state) == ["plain"]


def test_the_render_timeout_is_the_users(repo: Repo, tmp_path: Path) -> None:
    repo.commit(chart("{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n"))
    policy = RenderPolicy(timeout=1.5)
    state = load_desired(str(repo.path), cache_dir=str(tmp_path / "cache"), render=policy)
    assert [(p.path, p.message) for p in state.problems] == [("chart", "helm timed out after 1.5s")]
    assert names(state) == ["plain"]


def test_render_output_is_capped(repo: Repo, tmp_path: Path) -> None:
    repo.commit(chart("{{ range until 200000 }}# {{ . }} padding padding padding\n{{ end }}"))
    policy = RenderPolicy(max_output_bytes=1 * MiB)
    state = load_desired(str(repo.path), cache_dir=str(tmp_path / "cache"), render=policy)
    assert [(p.path, p.message) for p in state.problems] == [
        ("chart", "helm wrote more than 1 MiB of output")
    ]


def test_a_tree_too_large_to_write_out_is_not_rendered(repo: Repo, tmp_path: Path) -> None:
    repo.commit({**CHART, "chart/a.link": "text", "more/x.yaml": cm("x")})
    repo_ = open_repo(str(repo.path))
    files = LoadLimits(max_tree_files=4)
    state = load_from_repo(repo_, limits=files, cache_dir=str(tmp_path / "c1"))
    assert [(p.path, p.message) for p in state.problems] == [
        ("more/x.yaml", "the tree holds more than 4 files: chart is not rendered")
    ]
    size = LoadLimits(max_tree_bytes=100)
    state = load_from_repo(repo_, limits=size, cache_dir=str(tmp_path / "c2"))
    (problem,) = state.problems
    assert problem.message == "the tree's files exceed 100 bytes in total: chart is not rendered"
    assert names(state) == ["plain", "x"]


def test_files_and_bytes_per_load_are_capped_naming_the_file(repo: Repo, tmp_path: Path) -> None:
    repo.commit({f"m/{i}.yaml": cm(f"c{i}") for i in range(5)})
    handle = open_repo(str(repo.path))
    state = load_from_repo(handle, limits=LoadLimits(max_files=3), parse_cache=ParseCache())
    assert [(p.path, p.message) for p in state.problems] == [
        ("m/3.yaml", "not loaded: more than 3 manifest files (this file and 1 more)")
    ]
    assert names(state) == ["c0", "c1", "c2"]
    each = len(cm("c0"))
    state = load_from_repo(handle, limits=LoadLimits(max_bytes=2 * each), parse_cache=ParseCache())
    assert len(state.problems) == 1
    assert state.problems[0].message.startswith("not loaded: manifest files exceed")
    assert state.problems[0].message.endswith("in total (this file and 2 more)")
    assert len(state.manifests) == 2


def test_rendered_bytes_per_load_are_capped_naming_the_directory(
    repo: Repo, tmp_path: Path
) -> None:
    template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\n"
    files = {}
    for name in ("a", "b"):
        files[f"{name}/Chart.yaml"] = f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
        files[f"{name}/templates/cm.yaml"] = template
    repo.commit(files)
    limits = LoadLimits(max_bytes=120)  # one chart's output (85 bytes), not two
    state = load_from_repo(open_repo(str(repo.path)), limits=limits, cache_dir=str(tmp_path / "c"))
    assert [(p.path, p.message) for p in state.problems] == [
        ("b", "not loaded: rendered output exceeds 120 bytes in total")
    ]
    assert names(state) == ["a"]
