"""A Flux Kustomization's path rendered as kustomize-controller renders it, against the
oracle: the real ``kustomize build`` of the kustomization Flux's generator writes (fluxcd/pkg
kustomize generator). Components it leaves out with ``ignoreMissingComponents``, a patch
whose target is ``{}``, and the symlinked manifests its walk lists (never one leading out
of the checkout)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftui.gitops.app_source import scan_source
from driftui.gitops.app_specs import flux_kustomization
from driftui.model import DesiredState
from driftui.source.kustomize_edits import EditFailed, write_generated
from driftui.source.load import load_desired
from driftui.source.recipe import KustomizeEdits
from tests.source.test_render_config import CACHE, git, make_repo
from tests.source.test_render_recipe import docs, run


def config_map(name: str, **data: str) -> str:
    return yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    )


FILES = {
    "deploy/cm.yaml": config_map("settings", a="1"),
    "deploy/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: token}\n",
    "components/extra/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\n"
    ),
    "components/extra/extra.yaml": config_map("extra", e="1"),
    "common/shared.yaml": config_map("shared", s="1"),
    "deploy/notes/inner.txt": config_map("inner", i="1"),  # not .yaml: listed only by a link
}


def load(repo: Path, **spec: Any) -> DesiredState:
    """The path ``deploy`` as an app with ``spec`` scans it."""
    repos = {("a", "r"): {"spec": {"url": "https://git.example/r.git"}}}
    body = {
        "metadata": {"namespace": "a", "name": "app"},
        "spec": {"path": "./deploy", "sourceRef": {"kind": "GitRepository", "name": "r"}, **spec},
    }
    source = scan_source(flux_kustomization(body, repos))
    return load_desired(
        str(repo), "HEAD", "deploy", recipe=source.recipe, files=source.files, cache_dir=CACHE
    )


def flux_built(repo: Path, tmp_path: Path, generated: dict[str, Any]) -> dict[Any, Any]:
    """kustomize-controller's build of the kustomization its generator writes: no load
    restriction (its file system is bound to the artifact instead)."""
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    (copy / "deploy" / "kustomization.yaml").write_text(yaml.safe_dump(generated))
    restrictor = "--load-restrictor=LoadRestrictionsNone"
    return docs(run("kustomize", "build", restrictor, str(copy / "deploy"), cwd=copy))


def bodies(state: DesiredState) -> dict[Any, Any]:
    return {(m.ref.kind, m.ref.name): m.body for m in state.manifests}


def test_missing_components_are_left_out_with_ignore_missing_components(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    components = ["../components/extra", "../components/gone"]

    state = load(repo, components=components, ignoreMissingComponents=True)

    generated = {"resources": ["cm.yaml", "secret.yaml"], "components": components[:1]}
    assert state.problems == []
    assert bodies(state) == flux_built(repo, tmp_path, generated)
    assert ("ConfigMap", "extra") in bodies(state)


def test_a_missing_component_fails_the_build_without_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)

    for ignore in ({}, {"ignoreMissingComponents": False}):
        state = load(repo, components=["../components/extra", "../components/gone"], **ignore)

        assert state.manifests == []
        assert ["components/gone" in p.message for p in state.problems] == [True]


def test_an_empty_target_patches_every_object(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    patch = "- op: add\n  path: /metadata/labels\n  value: {patched: 'yes'}\n"
    for target in ({}, {"kind": "", "name": ""}):  # empty fields are no selector either
        state = load(repo, patches=[{"patch": patch, "target": target}])

        generated = {
            "resources": ["cm.yaml", "secret.yaml"],
            "patches": [{"patch": patch, "target": {}}],
        }
        assert state.problems == []
        assert bodies(state) == flux_built(repo, tmp_path, generated)
        assert {m.ref.name: m.body["metadata"]["labels"] for m in state.manifests} == {
            "settings": {"patched": "yes"},
            "token": {"patched": "yes"},
        }
        shutil.rmtree(tmp_path / "copy")


def linked(repo: Path, links: dict[str, str]) -> None:
    for name, target in links.items():
        os.symlink(target, repo / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")


def test_symlinked_manifests_inside_the_checkout_are_listed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    # one into a sibling directory (kustomize's root-only build alone would refuse it), one
    # inside the path to a file only the link names as a manifest
    linked(
        repo,
        {"deploy/shared.yaml": "../common/shared.yaml", "deploy/inner.yaml": "notes/inner.txt"},
    )

    state = load(repo, namePrefix="p-")

    resources = ["cm.yaml", "inner.yaml", "secret.yaml", "shared.yaml"]
    generated = {"resources": resources, "namePrefix": "p-"}
    assert state.problems == []
    assert bodies(state) == flux_built(repo, tmp_path, generated)
    assert {m.ref.name for m in state.manifests} == {"p-settings", "p-token", "p-shared", "p-inner"}


def test_a_symlink_leading_out_of_the_checkout_is_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(config_map("leaked", password="hunter2"))
    repo = make_repo(tmp_path / "repo", FILES)
    linked(repo, {"deploy/leak.yaml": str(outside), "deploy/up.yaml": "../../outside.yaml"})

    state = load(repo, namePrefix="p-")

    assert state.manifests == []
    assert [p.message for p in state.problems] == [
        "symlink leads outside the repository (and 1 more): deploy is not rendered"
    ]


@pytest.mark.parametrize("target", ["/etc/hostname", "../../outside.yaml"])
def test_the_generated_kustomization_refuses_a_link_leading_out(
    tmp_path: Path, target: str
) -> None:
    """Again when writing it, whatever wrote the tree (the checkout refuses such a tree)."""
    (tmp_path / "outside.yaml").write_text(config_map("leaked"))
    root = tmp_path / "root"
    (root / "deploy").mkdir(parents=True)
    os.symlink(target, root / "deploy" / "leak.yaml")
    edits = KustomizeEdits(name_prefix="p-", generate=True, resources=("leak.yaml",))

    with pytest.raises(EditFailed, match=r"leak\.yaml: symlink leads outside the repository"):
        write_generated(edits, str(root / "deploy"), str(root))
    assert not (root / "deploy" / "kustomization.yaml").exists()
