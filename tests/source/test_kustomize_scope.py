"""Which kustomize bases may load: inside the checkout, and remote ones only when allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from driftui.source.kustomize_scope import check_scope, is_remote


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize(
    "entry",
    [
        "https://github.com/org/repo//base?ref=v1",
        "git@github.com:org/repo.git//base",
        "ssh://git@host/org/repo.git",
        "git::https://host/org/repo",
        "github.com/org/repo/base?ref=main",
        "gh:org/repo",
        "https://dev.azure.com/org/proj/_git/repo",
    ],
)
def test_url_forms_kustomize_fetches_are_remote(entry: str) -> None:
    assert is_remote(entry)


@pytest.mark.parametrize("entry", ["../base", "base", "./deploy.yaml", "a/b/c"])
def test_local_paths_are_not_remote(entry: str) -> None:
    assert not is_remote(entry)


def test_file_urls_lead_outside_even_with_remote_bases_on(tmp_path: Path) -> None:
    write(tmp_path, {"k/kustomization.yaml": "resources:\n- file:///srv/private.git//base\n"})
    (problem,) = check_scope(str(tmp_path / "k"), str(tmp_path), allow_remote=True)
    assert problem.path == "k/kustomization.yaml"
    assert (
        problem.message == "resources: 'file:///srv/private.git//base' leads outside the repository"
    )


def test_bases_are_followed_through_links_and_components(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(
        root,
        {
            "app/kustomization.yaml": "resources: [../linked]\ncomponents: [../comp]\n",
            "real/kustomization.yaml": "resources: [cm.yaml]\n",
            "comp/kustomization.yaml": "resources:\n- ../../outside\n",
        },
    )
    os.symlink("real", root / "linked")
    (tmp_path / "outside").mkdir()
    problems = check_scope(str(root / "app"), str(root), allow_remote=False)
    assert [(p.path, p.message) for p in problems] == [
        ("comp/kustomization.yaml", "resources: '../../outside' leads outside the repository")
    ]


def test_a_kustomization_that_cannot_be_read_is_not_rendered(tmp_path: Path) -> None:
    write(tmp_path, {"k/kustomization.yaml": "resources: [a\n  - : {"})
    (problem,) = check_scope(str(tmp_path / "k"), str(tmp_path), allow_remote=False)
    assert problem.message == "cannot read it to check its bases; not rendered"


# -- Flux's LoadRestrictionsNone build: every file path is held inside the checkout ----------

FILE_FIELDS = [
    "resources: [{p}]",
    "crds: [{p}]",
    "patches: [{{path: {p}}}]",
    "patchesStrategicMerge: [{p}]",
    "configMapGenerator: [{{name: x, files: [key={p}]}}]",
    "secretGenerator: [{{name: x, envs: [{p}]}}]",
    "configMapGenerator: [{{name: x, env: {p}}}]",
    "replacements: [{{path: {p}}}]",
    "openapi: {{path: {p}}}",
]


@pytest.mark.parametrize("field", FILE_FIELDS)
@pytest.mark.parametrize("path", ["../../../../../../../../etc/passwd", "/etc/passwd", "link"])
def test_a_file_outside_the_checkout_is_refused_when_not_root_only(
    tmp_path: Path, field: str, path: str
) -> None:
    root = tmp_path / "repo"
    write(root, {"deploy/kustomization.yaml": field.format(p=path) + "\n"})
    os.symlink("/etc/passwd", root / "deploy" / "link")

    found = check_scope(str(root / "deploy"), str(root), False, files=True)

    assert [p.path for p in found] == ["deploy/kustomization.yaml"]
    assert "leads outside the repository" in found[0].message


@pytest.mark.parametrize("field", FILE_FIELDS)
def test_a_file_beside_the_kustomization_inside_the_checkout_may_load(
    tmp_path: Path, field: str
) -> None:
    root = tmp_path / "repo"
    write(root, {"deploy/kustomization.yaml": field.format(p="../common/x.yaml") + "\n"})
    write(root, {"common/x.yaml": "a: b\n"})

    assert check_scope(str(root / "deploy"), str(root), False, files=True) == []


def test_an_inline_patch_is_no_file_path(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    patch = "patchesStrategicMerge:\n- |\n  kind: X\n  metadata: {name: /etc/passwd}\n"
    write(root, {"deploy/kustomization.yaml": patch})

    assert check_scope(str(root / "deploy"), str(root), False, files=True) == []
