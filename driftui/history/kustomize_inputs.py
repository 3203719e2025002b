"""The paths a kustomization reads from outside its own directory (``../base``).

A rendered directory's history must include commits that changed only its bases: they
change the render as much as an edit inside the directory does.
"""

from __future__ import annotations

import posixpath

import yaml

from driftui.source.git_repo import GitRepo
from driftui.source.render import KUSTOMIZATION_FILES, is_inside
from driftui.source.yaml_loader import SafeLoader

_KUSTOMIZE_REFERENCES = ("resources", "bases", "components", "patchesStrategicMerge")
_MAX_BASE_DEPTH = 8


def kustomize_inputs(repo: GitRepo, commit: str, directory: str) -> list[str]:
    """The directory plus every path its kustomization reaches through ``../`` references."""
    inputs = [directory]
    pending = [(directory, 0)]
    while pending:
        current, depth = pending.pop()
        for name in KUSTOMIZATION_FILES:
            found = repo.object_at(commit, f"{current}/{name}" if current else name)
            if found is not None and found[0] == "blob":
                break
        else:
            continue
        try:
            doc = yaml.load(repo.read_blob(found[1]), Loader=SafeLoader)  # safe loader
        except yaml.YAMLError:
            continue
        if not isinstance(doc, dict):
            continue
        refs = [
            r for key in _KUSTOMIZE_REFERENCES for r in doc.get(key) or [] if isinstance(r, str)
        ]
        refs += [p["path"] for p in doc.get("patches") or [] if isinstance(p, dict) and "path" in p]
        for ref in refs:
            if "://" in ref or not ref.startswith(".."):
                continue
            target = posixpath.normpath(posixpath.join(current, ref))
            if target.startswith("..") or any(is_inside(target, i) for i in inputs):
                continue
            inputs.append(target)
            if depth < _MAX_BASE_DEPTH:
                pending.append((target, depth + 1))
    return inputs
