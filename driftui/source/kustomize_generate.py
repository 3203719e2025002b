"""Flux's kustomization for a path that has none.

kustomize-controller builds every path with kustomize: where the path holds no
kustomization, its generator writes one whose ``resources`` are the path's ``.yaml``/``.yml``
files, walked depth first, with a sub-directory that has a kustomization of its own listed
as a directory instead of descended into. Its walk lists symlinks too (it does not descend
a linked directory) and its build reads them through its root-bound file system; here the
checkout refuses a tree with a link leading out of it before anything is read
(:mod:`.checkout`), and the scope check resolves every listed file again. Before that,
driftui reads such a path as plain files; once the app's options (prefix, images,
patches...) must be applied, the path is rendered through the generated kustomization as
Flux renders it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from driftui.source.git_repo import TreeEntry
from driftui.source.kustomize_scope import KUSTOMIZATION_FILES
from driftui.source.recipe import RenderRecipe
from driftui.source.render import RenderTarget, is_inside


def with_generated(
    recipe: RenderRecipe | None,
    entries: Sequence[TreeEntry],
    tree_sha: str,
    targets: list[RenderTarget],
) -> tuple[RenderRecipe | None, list[RenderTarget]]:
    """The recipe (with the generated ``resources``) and the render targets once the
    recipe's path gets Flux's generated kustomization; unchanged when it needs none."""
    edits = recipe.kustomize_edits if recipe else None
    if recipe is None or edits is None or not edits.generate:
        return recipe, targets
    if any(t.tool == "kustomize" and recipe.applies_to(t.path) for t in targets):
        return recipe, targets
    at = recipe.at
    resources = generated_resources(entries, at)
    edits = replace(edits, resources=resources)
    kept = [t for t in targets if not is_inside(t.path, at)]
    target = RenderTarget(at, tree_sha, "kustomize", "")
    return replace(recipe, kustomize_edits=edits), sorted([*kept, target], key=lambda t: t.path)


def generated_resources(entries: Sequence[TreeEntry], at: str) -> tuple[str, ...]:
    """The ``resources`` Flux's generator lists for the files ``entries`` hold below ``at``."""
    blobs = [e for e in entries if e.type == "blob" and is_inside(e.path, at)]  # links too
    built = sorted(
        {_parent(e.path) for e in blobs if e.name in KUSTOMIZATION_FILES and _parent(e.path) != at}
    )
    outer = [d for d in built if not any(d != o and is_inside(d, o) for o in built)]
    found = [_rel(d, at) for d in outer]
    for entry in blobs:
        if os.path.splitext(entry.name)[1] not in (".yaml", ".yml"):
            continue
        if any(is_inside(entry.path, d) for d in outer):
            continue
        found.append(_rel(entry.path, at))
    return tuple(sorted(found))


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _rel(path: str, at: str) -> str:
    return path[len(at) :].lstrip("/") if at else path
