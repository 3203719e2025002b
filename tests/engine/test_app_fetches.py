"""What a scan of Flux apps asks the Git server: a GitRepository's ``spec.ref.name`` fetched
as that exact ref, and each repository fetched once per scan, a semver app's included.
Against the real control plane and a real git server on 127.0.0.1 that logs every request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_flux_sources import Source, cm, status_of
from tests.cluster.crds import GIT_REPOSITORY, KUSTOMIZATION
from tests.cluster.harness import ClusterInfo
from tests.gitops.objects import create, flux_status
from tests.gitserver import make_bare, serve_git
from tests.source.test_render_config import commit, driftui, git, make_repo

pytestmark = pytest.mark.cluster


@dataclass
class Served:
    src: Source
    work: Path
    bare: Path
    log: list[str]

    def fetches(self) -> int:
        """Fetches (and clones) of the repository: each starts with one ref advertisement."""
        return sum("/info/refs?service=git-upload-pack" in line for line in self.log)


@pytest.fixture
def served(
    cluster: ClusterInfo, gitops_crds: None, namespace: str, tmp_path: Path
) -> Iterator[Served]:
    """main at "main"; tag v1.0.0 at "1.0.0", v1.2.0 at "1.2.0"; a pull request's head
    (refs/pull/7/head, on no branch) at "pr-7"."""
    work = make_repo(tmp_path / "work", {"deploy/settings.yaml": cm("settings", "start")})
    for version in ("1.0.0", "1.2.0"):
        commit(work, {"deploy/settings.yaml": cm("settings", version)})
        git(work, "tag", f"v{version}")
    git(work, "checkout", "-q", "-b", "pr")
    commit(work, {"deploy/settings.yaml": cm("settings", "pr-7")})
    git(work, "checkout", "-q", "main")
    commit(work, {"deploy/settings.yaml": cm("settings", "main")})
    bare = make_bare(tmp_path / "srv", "deploy.git", work)
    git(bare, "update-ref", "refs/pull/7/head", git(work, "rev-parse", "pr").strip())
    git(bare, "branch", "-D", "pr")
    log: list[str] = []
    with serve_git(tmp_path / "srv", log=log) as base:
        yield Served(Source(cluster, namespace, f"{base}/deploy.git"), work, bare, log)


def app(src: Source, name: str, ref: dict[str, str]) -> None:
    create(src.cluster, GIT_REPOSITORY, src.ns, name, {"url": src.url, "ref": ref})
    ks = {
        "path": "./deploy",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": name},
    }
    create(src.cluster, KUSTOMIZATION, src.ns, name, ks, status=flux_status("True", "Succeeded"))


def report(src: Source, *apps: str) -> tuple[Any, str]:
    names = [f"--app=kustomization/{src.ns}/{a}" for a in apps]
    done = driftui(
        "report", "--format", "json", *names, "--kubeconfig", src.cluster.kubeconfig(), "-n", src.ns
    )
    return done, done.stdout


@pytest.mark.parametrize(
    ("ref", "version"),
    [
        ({"name": "refs/pull/7/head", "branch": "main"}, "pr-7"),  # name beats branch
        ({"name": "refs/tags/v1.0.0", "semver": ">=1.0.0"}, "1.0.0"),  # and semver
        ({"name": "refs/heads/main", "tag": "v1.2.0"}, "main"),  # and tag
        ({"commit": "", "semver": ">=1.0.0", "tag": "v1.0.0"}, "1.2.0"),  # semver beats tag
    ],
)
def test_a_ref_name_is_fetched_as_that_exact_ref(
    served: Served, ref: dict[str, str], version: str
) -> None:
    src = served.src
    app(src, "app", ref)
    src.applied("settings", version)

    done, doc = src.report()

    assert done.returncode == 0, done.stderr + done.stdout
    assert status_of(doc) == {"settings": "in_sync"}


def test_a_ref_name_is_fetched_again_when_it_moves(served: Served) -> None:
    src = served.src
    app(src, "app", {"name": "refs/pull/7/head"})
    src.applied("settings", "pr-7")
    first, _ = src.report()
    new = commit(served.work, {"deploy/settings.yaml": cm("settings", "pr-7b")})
    git(served.bare, "fetch", "-q", str(served.work), "main")
    git(served.bare, "update-ref", "refs/pull/7/head", new)

    again, doc = src.report()

    assert first.returncode == 0, first.stderr + first.stdout
    assert again.returncode == 1, again.stderr + again.stdout
    assert status_of(doc) == {"settings": "drifted"}  # live is pr-7, the ref is at pr-7b


REFS = {
    "ranged": {"semver": ">=1.0.0"},
    "ranged2": {"semver": "<1.2.0"},
    "branch": {"branch": "main"},
    "pull": {"name": "refs/pull/7/head"},
}


@pytest.mark.parametrize(
    "apps", [["ranged"], ["branch", "ranged"], ["ranged", "ranged2"], ["pull", "ranged", "branch"]]
)
def test_a_repository_is_fetched_once_per_scan_whatever_its_apps_ask_for(
    served: Served, apps: list[str]
) -> None:
    """A semver range is resolved from the scan's one fetch, not from a fetch of its own."""
    src = served.src
    for name in apps:
        app(src, name, REFS[name])
    report(src, *apps)  # the clone: the cache has the repository from now on
    before = served.fetches()

    done, out = report(src, *apps)

    assert done.returncode in (0, 1), done.stderr + out  # every app scanned
    assert served.fetches() - before == 1, served.log
