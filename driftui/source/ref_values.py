"""Values files from another source of the same app: Argo CD's ``$ref/path/values.yaml``.

A multi-source Application names a repository with ``ref: values`` and its charts read
``$values/env/prod.yaml`` from that repository's checkout at that source's revision. driftui
reads the file straight from Git (the ref repository is fetched once per scan, with the
user's own access, like every source); the renderer writes it next to, never into, the
chart's checkout. A path that climbs out of the repository is refused, as Argo CD refuses it.
"""

from __future__ import annotations

import posixpath

from driftui.source.git_repo import GitRepo, SourceError, open_repo
from driftui.source.helm_args import RefValues
from driftui.source.recipe import RenderRecipe, ValueFile


def read_ref_values(recipe: RenderRecipe | None, cache_dir: str | None) -> RefValues:
    """The content of every ``$ref`` values file the recipe names (None: not there)."""
    if recipe is None or recipe.helm is None:
        return {}
    wanted = [f for f in recipe.helm.value_files if f.ref_repo]
    commits: dict[tuple[str, str], tuple[GitRepo, str]] = {}
    out: dict[ValueFile, bytes | None] = {}
    for value_file in wanted:
        path = posixpath.normpath(value_file.path.lstrip("/"))
        if path == ".." or path.startswith("../"):
            raise SourceError(f"values file {value_file.label!r} leads outside its repository")
        key = (value_file.ref_repo, value_file.ref_revision or "HEAD")
        if key not in commits:
            repo = open_repo(key[0], cache_dir=cache_dir)  # fetched already, by the scan
            commits[key] = (repo, repo.resolve(key[1]))
        repo, commit = commits[key]
        found = repo.object_at(commit, path)
        out[value_file] = repo.read_blob(found[1]) if found and found[0] == "blob" else None
    return out
