"""A Flux Kustomization's options as the kustomize edits its generator makes, and a
HelmRelease's as helm-controller's ``helm template``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from driftui.gitops.app_source import AppSourceError, scan_source
from driftui.gitops.app_specs import App, flux_helm_release, flux_kustomization
from driftui.gitops.flux_recipe import flux_edits, release_name
from driftui.source.recipe import KustomizeEdits, RenderRecipe


def test_options_become_edits_that_override_and_generate_a_missing_kustomization() -> None:
    edits = flux_edits(
        {
            "namePrefix": "p-",
            "images": [
                {"name": "nginx", "newTag": "1.27"},
                {
                    "name": "redis",
                    "newName": "r.example/redis",
                    "digest": "sha256:ab",
                    "newTag": "7",
                },
                {"newTag": "no-name"},  # no name: nothing to match
            ],
            "patches": [
                {"patch": "p", "target": {"kind": "ConfigMap", "name": ""}},
                {"patch": "q"},
                {"patch": "r", "target": {}},  # every object, as kustomize reads it
                {"patch": "s", "target": {"name": ""}},
                {"patch": "t", "target": None},
            ],
            "commonMetadata": {"labels": {"tier": "front"}, "annotations": {"a": 1}},
        }
    )

    # a tag and a digest both stay, as Flux's generator keeps them
    assert edits.images == ("nginx=nginx:1.27", "redis=r.example/redis:7@sha256:ab")
    assert json.loads(edits.appended) == {
        "patches": [
            {"patch": "p", "target": {"kind": "ConfigMap"}},
            {"patch": "q"},
            {"patch": "r", "target": {}},
            {"patch": "s", "target": {}},
            {"patch": "t"},
        ]
    }
    # commonMetadata is set on the built objects, not by kustomize (gitops/flux_metadata)
    assert (edits.labels, edits.annotations) == ((), ())
    assert edits.generate


def test_no_options_no_edits_but_built_as_flux_builds() -> None:
    assert flux_edits({"postBuild": {}}) == KustomizeEdits()
    assert flux_edits({"commonMetadata": {"labels": {"a": "b"}}}) == KustomizeEdits()
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    body: dict[str, Any] = {
        "metadata": {"namespace": "a", "name": "prod"},
        "spec": {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "r"}},
    }
    bare = scan_source(flux_kustomization(body, repos)).recipe
    assert bare == RenderRecipe("apps", None, load_anywhere=True)  # LoadRestrictionsNone
    assert bare.loads_anywhere("apps/sub") and not bare.loads_anywhere("apps2")
    body["spec"] |= {"nameSuffix": "-x", "components": ["../c"], "ignoreMissingComponents": True}
    app = flux_kustomization(body, repos)
    recipe = scan_source(app).recipe
    assert recipe is not None and recipe.at == "apps"
    assert recipe.kustomize_edits is not None
    assert (recipe.kustomize_edits.name_suffix, recipe.kustomize_edits.components) == (
        "-x",
        ("../c",),
    )
    assert recipe.kustomize_edits.ignore_missing_components
    assert app.problem == ""
    # alone it changes nothing: no components to leave out, no kustomization generated
    assert flux_edits({"ignoreMissingComponents": True}) == KustomizeEdits()


def helm_release(**spec: object) -> App:
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    chart = {"chart": "./charts/web", "sourceRef": {"kind": "GitRepository", "name": "r"}}
    body = {
        "metadata": {"namespace": "a", "name": "web"},
        "spec": {"chart": {"spec": chart}, **spec},
    }
    app = flux_helm_release(body, repos)
    assert app is not None
    return app


def test_release_name_as_helm_controller_names_it() -> None:
    assert release_name({}, "web") == "web"
    assert release_name({"targetNamespace": "prod"}, "web") == "prod-web"
    assert release_name({"targetNamespace": "prod", "releaseName": "r"}, "web") == "r"
    long = "n" * 30
    shortened = release_name({"targetNamespace": long}, long)
    assert len(shortened) == 53 and shortened.startswith(f"{long}-{long[:9]}-")
    assert shortened != release_name({"targetNamespace": long + "x"}, long)


def test_a_helm_release_scans_its_chart_in_its_namespace_with_its_values() -> None:
    source = scan_source(helm_release(values={"colour": "red"}))

    assert (source.path, source.namespace, source.force_namespace) == ("charts/web", "a", False)
    assert source.recipe is not None and source.recipe.helm is not None
    assert source.recipe.helm.release_name == "web"
    assert source.recipe.helm.namespace == "a"
    assert json.loads(source.recipe.helm.values) == {"colour": "red"}


def test_post_renderers_travel_with_the_recipe_in_order() -> None:
    renderers = [
        {"kustomize": {"images": [{"name": "nginx", "newTag": "1.27"}]}},
        {"kustomize": {}},  # still runs: kustomize rewrites the output
        {"other": {}},  # not a kind helm-controller knows
    ]
    source = scan_source(helm_release(postRenderers=renderers))

    assert source.recipe is not None and source.recipe.helm is not None
    assert json.loads(source.recipe.helm.post_renderers) == [
        {"images": [{"name": "nginx", "newTag": "1.27"}]},
        {},
    ]


@pytest.mark.parametrize(
    "component",
    ["https://github.com/x/y//c", "git@github.com:x/y", "github.com/x/y", "/abs/c", "file:///c"],
)
def test_a_component_that_is_not_local_and_relative_is_refused_as_flux_refuses_it(
    component: str,
) -> None:
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    spec = {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "r"}}
    body = {"metadata": {"namespace": "a", "name": "prod"}, "spec": spec}
    spec["components"] = ["../local", component]

    with pytest.raises(
        AppSourceError, match=re.escape(f"component path '{component}' must be local")
    ):
        scan_source(flux_kustomization(body, repos))
    spec["components"] = ["../local", "file-like/dir", "gh:"]  # "gh:" alone is a name
    assert scan_source(flux_kustomization(body, repos)).recipe is not None
