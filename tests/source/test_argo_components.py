"""An Argo CD app's kustomize ``components`` with ``ignoreMissingComponents``: the repo
server adds only the components it finds (``os.Stat`` from the kustomization's directory)
with ``kustomize edit add component``; without the option a missing one fails the build.
The oracle is the real ``kustomize build`` of the kustomization that edit leaves."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from driftui.gitops.app_source import scan_source
from driftui.gitops.app_specs import argo_app
from driftui.model import DesiredState
from driftui.source.load import load_desired
from tests.source.test_flux_generated import FILES, bodies
from tests.source.test_render_config import CACHE, make_repo
from tests.source.test_render_recipe import docs, run

KUSTOMIZATION = "resources: [cm.yaml]\n"


def load(repo: Path, **kustomize: Any) -> DesiredState:
    """The path ``deploy`` as an Argo CD app with these kustomize options scans it."""
    source = {"repoURL": "https://git.example/r.git", "path": "deploy", "kustomize": kustomize}
    body = {
        "metadata": {"namespace": "argocd", "name": "app"},
        "spec": {"source": source, "destination": {"namespace": "shop"}},
    }
    app_source = scan_source(argo_app(body))
    return load_desired(
        str(repo), "HEAD", "deploy", recipe=app_source.recipe, files=app_source.files,
        cache_dir=CACHE,
    )  # fmt: skip


def argo_built(repo: Path, tmp_path: Path, components: list[str]) -> dict[Any, Any]:
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    run("kustomize", "edit", "add", "component", *components, cwd=copy / "deploy")
    return docs(run("kustomize", "build", str(copy / "deploy"), cwd=copy))


def test_missing_components_are_not_added_with_ignore_missing_components(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", {**FILES, "deploy/kustomization.yaml": KUSTOMIZATION})
    components = ["../components/extra", "../components/gone"]

    state = load(repo, components=components, ignoreMissingComponents=True)

    assert state.problems == []
    assert bodies(state) == argo_built(repo, tmp_path, components[:1])
    assert ("ConfigMap", "extra") in bodies(state)


def test_without_it_a_missing_component_fails_that_app(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**FILES, "deploy/kustomization.yaml": KUSTOMIZATION})

    state = load(repo, components=["../components/extra", "../components/gone"])

    assert state.manifests == []
    assert ["components/gone" in p.message for p in state.problems] == [True]
