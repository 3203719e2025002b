"""Keep a kustomization's bases inside the checkout, and remote bases off unless allowed.

kustomize's ``--load-restrictor LoadRestrictionsRootOnly`` (its default) holds each
kustomization's *files* below that kustomization's own root, but a base is a new root:
``resources: [../../../elsewhere]`` renders any directory on the host. So before kustomize
runs, every kustomization it would load is walked from the target (``resources``,
``bases``, ``components`` and the generator/transformer/validator lists, which may also
name kustomizations), each local entry is resolved with symlinks, and anything that leads
outside the checkout is refused. Entries that kustomize would fetch (git or HTTP URLs)
are refused too unless remote bases are allowed; they are not followed, since their
content is not in the checkout. The renderer's environment stops git fetching as well,
so a URL form this walk does not recognise still fetches nothing.

Flux builds with ``LoadRestrictionsNone``: kustomize then reads *any* file a kustomization
names (a patch, a generator's ``files``, ``crds``...), not only below its root. For such a
build (``files=True``) every file-path field is resolved and held inside the checkout too,
as Flux's file system bound to the checkout holds it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import yaml

from driftui.model import LoadProblem
from driftui.source.checkout import is_inside

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
REFERENCE_FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
MAX_KUSTOMIZATION_BYTES = 1024 * 1024
# What kustomize's repospec and HTTP loaders take as remote (generously: a false alarm
# only refuses a render, a miss is still stopped by the environment).
_REMOTE = re.compile(
    r"^([a-z][a-z0-9+.-]*::|[a-z][a-z0-9+.-]*://|[^/@\s]+@[^/:\s]+:|gh:|"
    r"(github|gitlab|bitbucket)\.(com|org)/)|(\?|&)(ref|version|submodules|timeout)=|_git/",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScopeProblem:
    path: str  # the kustomization file, relative to the checkout
    message: str


def is_remote(entry: str) -> bool:
    return bool(_REMOTE.search(entry))


def check_scope(
    directory: str, root: str, allow_remote: bool, *, files: bool = False
) -> list[ScopeProblem]:
    """Problems with the kustomizations reachable from ``directory`` (an absolute path
    below ``root``, the checkout); empty when kustomize may run. ``files``: the build is
    not root-only, so the file paths it names are checked as well."""
    problems: list[ScopeProblem] = []
    seen: set[str] = set()
    pending = [os.path.realpath(directory)]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for found in _kustomizations(current):
            problems += _check_file(found, root, allow_remote, pending, files)
    return problems


def out_of_scope(
    label: str, directory: str, root: str, allow_remote: bool, *, files: bool
) -> LoadProblem | None:
    """A problem naming the kustomization whose base (or, with ``files``, any file it
    names) leads out, or is remote and off; ``label`` names what is then not rendered."""
    found = check_scope(directory, root, allow_remote, files=files)
    if not found:
        return None
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    message = f"{found[0].message}{more}: {label} is not rendered"
    return LoadProblem(found[0].path, message)


def _check_file(
    found: str, root: str, allow_remote: bool, pending: list[str], files: bool
) -> list[ScopeProblem]:
    """One kustomization file's entries; local directories inside are queued in ``pending``."""
    rel = os.path.relpath(found, root).replace(os.sep, "/")
    references = _references(found, files)
    if references is None:
        return [ScopeProblem(rel, "cannot read it to check its bases; not rendered")]
    problems = []
    current = os.path.dirname(found)
    for field, entry in references:
        message, follow = _check_entry(entry, current, root, allow_remote)
        if message is not None:
            problems.append(ScopeProblem(rel, f"{field}: {message}"))
        if follow is not None:
            pending.append(follow)
    return problems


def _check_entry(
    entry: str, current: str, root: str, allow_remote: bool
) -> tuple[str | None, str | None]:
    """(what is wrong with one entry, or None; a directory to walk next, or None)."""
    if entry.lower().startswith(("file:", "git::file:")):  # a clone of a repo on this host
        return f"{entry!r} leads outside the repository", None
    if is_remote(entry):  # not followed: its content is not in the checkout
        return (
            None if allow_remote else f"remote base {entry!r} is off (--allow-remote-bases)"
        ), None
    resolved = os.path.realpath(os.path.join(current, entry))
    if not is_inside(resolved, root):
        return f"{entry!r} leads outside the repository", None
    return None, resolved if os.path.isdir(resolved) else None


def _kustomizations(directory: str) -> list[str]:
    """Every kustomization file there (kustomize itself refuses more than one)."""
    return [
        os.path.join(directory, name)
        for name in KUSTOMIZATION_FILES
        if os.path.isfile(os.path.join(directory, name))
    ]


def _references(path: str, files: bool = False) -> list[tuple[str, str]] | None:
    """(field, entry) for every string entry of the reference lists (and, with ``files``,
    every file path); None when the file cannot be checked (too large, or YAML that PyYAML
    rejects but kustomize might not)."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_KUSTOMIZATION_BYTES + 1)
        if len(text) > MAX_KUSTOMIZATION_BYTES:
            return None
        doc: Any = yaml.safe_load(text)
    except (OSError, yaml.YAMLError, RecursionError, ValueError):
        return None
    if doc is None:
        return []
    if not isinstance(doc, dict):
        return None
    found = [
        (field, entry.strip())
        for field in REFERENCE_FIELDS
        if isinstance(doc.get(field), list)
        for entry in doc[field]
        if isinstance(entry, str) and entry.strip()
    ]
    return found + _file_paths(doc) if files else found


# Fields of a kustomization that name files kustomize reads: (field, key in each item, or
# "" for a list of paths / a single path)
_FILE_FIELDS = (
    *(("crds", ""), ("configurations", ""), ("patchesStrategicMerge", "")),
    *(("patches", "path"), ("patchesJson6902", "path"), ("replacements", "path")),
    *(("openapi", "path"), ("helmGlobals", "chartHome"), ("helmGlobals", "configHome")),
    *(("helmCharts", "valuesFile"), ("helmCharts", "additionalValuesFiles")),
    *(("configMapGenerator", "files"), ("configMapGenerator", "envs")),
    *(("configMapGenerator", "env"), ("secretGenerator", "files")),
    *(("secretGenerator", "envs"), ("secretGenerator", "env")),
)


def _file_paths(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, path) for every file path a kustomization names (a generator's ``key=path``
    by its path; an inline patch, which has a line break, is no path)."""
    found: list[tuple[str, str]] = []
    for field, key in _FILE_FIELDS:
        value = doc.get(field)
        for item in value if isinstance(value, list) else [value]:
            held = item if not key else item.get(key) if isinstance(item, dict) else None
            for entry in held if isinstance(held, list) else [held]:
                if not isinstance(entry, str) or not entry.strip() or "\n" in entry:
                    continue
                path = entry.split("=", 1)[-1] if field.endswith("Generator") else entry
                found.append((field, path.strip()))
    return found
