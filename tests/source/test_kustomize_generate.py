"""The resources Flux's generator lists for a path without a kustomization."""

from __future__ import annotations

from driftui.source.git_repo import TreeEntry
from driftui.source.kustomize_generate import generated_resources


def blob(path: str, mode: str = "100644") -> TreeEntry:
    return TreeEntry(path, mode, "blob", "0" * 40)


def test_yaml_files_and_directories_with_their_own_kustomization() -> None:
    entries = [
        blob("app/a.yaml"),
        blob("app/b.yml"),
        blob("app/c.json"),  # not .yaml/.yml: Flux leaves it out
        blob("app/notes.md"),
        blob("app/link.yaml", "120000"),  # listed, as Flux's walk lists links
        blob("app/linked-dir", "120000"),  # a link to a directory: not descended
        blob("app/shared/kustomization.yaml", "120000"),  # a linked kustomization builds
        blob("app/shared/g.yaml"),
        blob("app/sub/d.yaml"),
        blob("app/built/kustomization.yaml"),
        blob("app/built/e.yaml"),
        blob("app/built/inner/kustomization.yaml"),
        blob("other/f.yaml"),
    ]

    assert generated_resources(entries, "app") == (
        "a.yaml",
        "b.yml",
        "built",
        "link.yaml",
        "shared",
        "sub/d.yaml",
    )
    assert generated_resources(entries, "") == (
        "app/a.yaml",
        "app/b.yml",
        "app/built",
        "app/link.yaml",
        "app/shared",
        "app/sub/d.yaml",
        "other/f.yaml",
    )
