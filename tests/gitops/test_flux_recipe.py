"""A Flux Kustomization's options as the kustomize edits its generator makes."""

from __future__ import annotations

import json

from driftui.gitops.app_source import scan_source
from driftui.gitops.app_specs import flux_kustomization
from driftui.gitops.flux_recipe import flux_edits
from driftui.source.recipe import KustomizeEdits


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
            ],
            "commonMetadata": {"labels": {"tier": "front"}, "annotations": {"a": 1}},
        }
    )

    assert edits.images == ("nginx=nginx:1.27", "redis=r.example/redis@sha256:ab")
    assert json.loads(edits.appended) == {
        "patches": [{"patch": "p", "target": {"kind": "ConfigMap"}}, {"patch": "q"}]
    }
    assert (edits.labels, edits.annotations) == ((("tier", "front"),), (("a", "1"),))
    assert edits.labels_without_selector and edits.force_labels and edits.force_annotations
    assert edits.generate


def test_no_options_no_recipe() -> None:
    assert flux_edits({"postBuild": {}}) == KustomizeEdits()
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    body = {
        "metadata": {"namespace": "a", "name": "prod"},
        "spec": {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "r"}},
    }
    assert scan_source(flux_kustomization(body, repos)).recipe is None
    body["spec"] |= {"nameSuffix": "-x", "components": ["../c"]}
    recipe = scan_source(flux_kustomization(body, repos)).recipe
    assert recipe is not None and recipe.at == "apps"
    assert recipe.kustomize_edits is not None
    assert (recipe.kustomize_edits.name_suffix, recipe.kustomize_edits.components) == (
        "-x",
        ("../c",),
    )
