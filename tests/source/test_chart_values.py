"""A Flux HelmChart's ``valuesFiles`` against the oracle: the real ``helm template`` of the
chart whose ``values.yaml`` the test itself replaced with the files' merge, as
source-controller packages it, with the HelmRelease's values on top."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from driftui.gitops.app_source import scan_source
from driftui.gitops.app_specs import App, flux_helm_release
from driftui.source.load import load_desired
from driftui.source.recipe import RenderRecipe
from tests.source.test_render_config import CACHE, make_repo
from tests.source.test_render_recipe import CHART, docs, run


def release(**chart: Any) -> App:
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    ref = {"kind": "GitRepository", "name": "r"}
    spec = {"chart": "./charts/web", "sourceRef": ref, **chart}
    body = {
        "metadata": {"namespace": "a", "name": "web"},
        "spec": {"chart": {"spec": spec}, "values": {"extra": "inline"}},
    }
    app = flux_helm_release(body, repos)
    assert app is not None
    return app


def recipe_of(app: App) -> RenderRecipe:
    recipe = scan_source(app).recipe
    assert recipe is not None
    return recipe


def loaded(repo: Path, recipe: RenderRecipe) -> tuple[dict[tuple[str, str], Any], Any]:
    state = load_desired(str(repo), "HEAD", "charts/web", recipe=recipe, cache_dir=CACHE)
    return {(m.ref.kind, m.ref.name): m.body for m in state.manifests}, state.problems


def test_values_files_replace_the_charts_defaults_in_order(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    # the deprecated valuesFile comes first; paths are from the repository's root
    app = release(valuesFile="charts/web/values-prod.yaml", valuesFiles=["./shared/common.yaml"])

    bodies, problems = loaded(repo, recipe_of(app))

    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / "charts/web/values.yaml").write_text("colour: green\nsize: 5\n")
    (tmp_path / "inline.yaml").write_text("extra: inline\n")
    oracle = run(
        *("helm", "template", "web", "charts/web", "--namespace", "a"),
        *("--values", str(tmp_path / "inline.yaml"), "--include-crds"),
        cwd=copy,
    )
    assert problems == []
    assert bodies == docs(oracle)
    data = bodies[("ConfigMap", "web-settings")]["data"]
    # the chart's default tag is gone: valuesFiles replace values.yaml, not merge under it
    assert (data["colour"], data["size"], data["tag"], data["extra"]) == (
        "green",
        "5",
        None,  # no tag at all
        "inline",
    )


def test_a_missing_values_file_fails_the_chart_unless_it_may_be_missing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)
    files = ["charts/web/gone.yaml", "charts/web/values-prod.yaml"]

    strict, problems = loaded(repo, recipe_of(release(valuesFiles=files)))
    lenient, none = loaded(
        repo, recipe_of(release(valuesFiles=files, ignoreMissingValuesFiles=True))
    )

    assert strict == {}
    assert [(p.path, p.message) for p in problems] == [
        ("charts/web", "no values file found at path 'charts/web/gone.yaml' (valuesFiles)")
    ]
    assert none == []
    assert lenient[("ConfigMap", "web-settings")]["data"]["colour"] == "green"


def test_a_values_file_path_stops_at_the_repositorys_root(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CHART)

    bodies, problems = loaded(repo, recipe_of(release(valuesFiles=["../../shared/common.yaml"])))

    assert problems == []  # securejoin: ../.. from the root is the root
    assert bodies[("ConfigMap", "web-settings")]["data"]["size"] == "5"
