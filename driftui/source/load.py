"""The desired state: every object a Git repository declares at one commit under one path.

Plain ``.yaml``/``.yml``/``.json`` files are parsed (cached by blob SHA); directories with a
kustomization or a Chart.yaml are rendered instead, and nothing inside them is read as
plain YAML. Hidden files and directories (``.github/``, ``.driftui.yaml``) are not manifests.

Identity for duplicate detection is (group, kind, namespace, name) with the namespace *as
written*: defaulting needs discovery (which kinds are namespaced), so the engine does it
later and checks again. Both sides of a duplicate become problems; neither silently wins.

``Manifest.body`` dicts are shared with the parse cache: treat them as read-only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

from driftui.model import DesiredState, LoadProblem, Manifest, ObjectRef, SourceInfo
from driftui.runtime.pacing import give_way, paced, sorted_paced
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress
from driftui.source.blobs import PARSE_CACHE, FileObjects, ParseCache, parse_blobs
from driftui.source.git_repo import (
    DEFAULT_NETWORK_TIMEOUT,
    GitRepo,
    SourceError,
    TreeEntry,
    cache_root,
    fetched_time,
    normalise_repo_path,
    open_repo,
)
from driftui.source.kustomize_generate import with_generated
from driftui.source.limits import DEFAULT_LIMITS, DEFAULT_POLICY, LoadLimits, RenderPolicy
from driftui.source.parse_store import ParseStore
from driftui.source.recipe import RenderRecipe
from driftui.source.ref_values import read_ref_values
from driftui.source.render import (
    Capabilities,
    Renderer,
    RenderTarget,
    find_render_targets,
    is_hidden,
    is_inside,
)
from driftui.source.selection import FileSelection
from driftui.source.yaml_loader import is_manifest_path

CONFIG_FILE = ".driftui.yaml"
HelmValues = Sequence[str] | Callable[[str | None], Sequence[str]]
"""Values files, or a function of the commit's ``.driftui.yaml`` text that returns them."""
HelmCapabilities = Capabilities | Callable[[], Capabilities] | None
"""The cluster charts render for, or a function asked only when a chart is rendered
(reading the cluster's version is then not needed for a repository of plain YAML)."""

__all__ = ["SourceError", "load_desired", "load_from_repo"]


def load_desired(
    repo: str,
    ref: str = "HEAD",
    path: str = "",
    *,
    fetch: bool = False,
    helm_values: HelmValues = (),
    capabilities: HelmCapabilities = None,
    cache_dir: str | None = None,
    network_timeout: float = DEFAULT_NETWORK_TIMEOUT,
    render: RenderPolicy = DEFAULT_POLICY,
    limits: LoadLimits = DEFAULT_LIMITS,
    progress: ProgressFn = no_progress,
    files: FileSelection | None = None,
    recipe: RenderRecipe | None = None,
) -> DesiredState:
    """Open ``repo`` (path or URL), resolve ``ref`` and load everything under ``path``.

    Raises SourceError (message already redacted) when the repository, ref or path
    cannot be used at all; anything wrong with single files is a LoadProblem instead.
    """
    handle = open_repo(
        repo, fetch=fetch, network_timeout=network_timeout, cache_dir=cache_dir, refs=(ref,)
    )
    return load_from_repo(
        handle,
        ref,
        path,
        helm_values=helm_values,
        capabilities=capabilities,
        cache_dir=cache_dir,
        render=render,
        limits=limits,
        progress=progress,
        files=files,
        recipe=recipe,
    )


def load_from_repo(
    repo: GitRepo,
    ref: str = "HEAD",
    path: str = "",
    *,
    helm_values: HelmValues = (),
    capabilities: HelmCapabilities = None,
    cache_dir: str | None = None,
    render: RenderPolicy = DEFAULT_POLICY,
    limits: LoadLimits = DEFAULT_LIMITS,
    progress: ProgressFn = no_progress,
    parse_cache: ParseCache = PARSE_CACHE,
    files: FileSelection | None = None,
    recipe: RenderRecipe | None = None,
) -> DesiredState:
    """Like :func:`load_desired` on an already opened repository (the explorer keeps one).

    ``files``: which files of the tree are read (an Argo CD app's directory options); all.
    ``recipe``: an app's own rendering options for the directory it names.
    """
    path = normalise_repo_path(path)
    commit = repo.resolve(ref)
    found, entries = _tree_entries(repo, ref, commit, path, files)
    config_text = read_config_text(repo, commit)
    values = helm_values(config_text) if callable(helm_values) else helm_values

    targets = find_render_targets(entries, path, found[1]) if found[0] == "tree" else []
    if found[0] == "tree":
        recipe, targets = with_generated(recipe, entries, found[1], targets)
    unused = _unused_recipe(recipe, targets)
    plain, results = _cap_files(plain_manifest_files(entries, path, targets), limits.max_files)
    total = len(plain) + len(targets)
    progress(ProgressEvent("files parsed", 0, total))
    blobs = [(e.path, e.sha) for e in plain]
    with ParseStore(cache_root(cache_dir)) as store:
        results += parse_blobs(repo, blobs, parse_cache, limits.max_bytes, store)
    results += [FileObjects(problems=[unused])] if unused else []
    progress(ProgressEvent("files parsed", len(plain), total))
    if targets:
        renderer = Renderer(
            helm_values=values,
            capabilities=capabilities,
            cache_dir=cache_dir,
            policy=render,
            limits=limits,
            parse_cache=parse_cache,
            recipe=recipe,
            ref_values=read_ref_values(recipe.at_commit(commit) if recipe else None, cache_dir),
        )
        whole = repo.object_at(commit, "")  # renders that reach outside key on the whole tree
        results += renderer.render_all(repo, commit, whole[1] if whole else commit, targets)
        progress(ProgressEvent("files parsed", total, total))
    return _desired_state(repo, ref, commit, path, config_text, results)


def _tree_entries(
    repo: GitRepo, ref: str, commit: str, path: str, files: FileSelection | None
) -> tuple[tuple[str, str], list[TreeEntry]]:
    """(type, sha) of ``path`` at ``commit``, and the entries under it that are read."""
    found = repo.object_at(commit, path)
    if found is None:
        raise SourceError(f"path {path!r} does not exist at {ref} ({commit[:12]})")
    entries = repo.list_tree(commit, path)
    if files is not None:
        entries = files.with_ignore_files(repo, commit, path, entries).entries(entries, path)
    return found, entries


def _desired_state(
    repo: GitRepo,
    ref: str,
    commit: str,
    path: str,
    config_text: str | None,
    results: Sequence[FileObjects],
) -> DesiredState:
    """The loaded objects and problems, named by where they came from."""
    state = DesiredState(
        source=SourceInfo(
            repo=repo.display,
            ref=ref,
            commit=commit,
            path=path,
            stale=repo.stale,
            fetched=fetched_time(repo.git_dir) if repo.is_remote else "",
        ),
        config_text=config_text,
    )
    _collect(state, results)
    if repo.stale:
        state.warnings.append(f"stale: {repo.stale_reason}")
    return state


def _unused_recipe(
    recipe: RenderRecipe | None, targets: Sequence[RenderTarget]
) -> LoadProblem | None:
    """A problem when the app sets kustomize options but its path is no kustomization: its
    operator's build fails there, so nothing it would deploy can be shown."""
    if recipe is None or not recipe.kustomize_edits:
        return None
    if any(t.tool == "kustomize" and recipe.applies_to(t.path) for t in targets):
        return None
    where = recipe.at or "."
    return LoadProblem(where, f"kustomize options are set, but {where} has no kustomization")


def plain_manifest_files(
    entries: Sequence[TreeEntry], root_path: str, targets: Sequence[RenderTarget]
) -> list[TreeEntry]:
    """Manifest-named regular files that are neither hidden nor inside a rendered directory."""
    return [
        e
        for e in paced(entries)
        if e.type == "blob"
        and e.mode != "120000"
        and is_manifest_path(e.name)
        and not is_hidden(e.path, root_path)
        and not any(is_inside(e.path, t.path) for t in targets)
    ]


def _cap_files(files: list[TreeEntry], max_files: int) -> tuple[list[TreeEntry], list[FileObjects]]:
    """The first ``max_files`` files by path, and a problem naming the first one left out."""
    if len(files) <= max_files:
        return files, []
    files = sorted(files, key=lambda e: e.path)
    left = len(files) - max_files
    others = f" and {left - 1} more" if left > 1 else ""
    message = f"not loaded: more than {max_files:,} manifest files (this file{others})"
    return files[:max_files], [FileObjects(problems=[LoadProblem(files[max_files].path, message)])]


def read_config_text(repo: GitRepo, commit: str) -> str | None:
    """``.driftui.yaml`` at the repository root at ``commit``, if there is one."""
    found = repo.object_at(commit, CONFIG_FILE)
    if found is None or found[0] != "blob":
        return None
    return repo.read_blob(found[1]).decode("utf-8", "replace")


def _collect(state: DesiredState, results: Sequence[FileObjects]) -> None:
    manifests: list[Manifest] = []
    for result in results:
        manifests += result.manifests
        state.problems += result.problems
        state.skipped += result.skipped
    kept, duplicates = split_duplicates(manifests)
    state.manifests = sorted_paced(kept, _file, _line)
    state.problems += duplicates
    state.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))


def _file(manifest: Manifest) -> str:
    return manifest.source_file


def _line(manifest: Manifest) -> int:
    return manifest.line


def split_duplicates(manifests: Sequence[Manifest]) -> tuple[list[Manifest], list[LoadProblem]]:
    """Objects declared once, and one problem per declaration of a repeated identity."""
    by_ref: dict[ObjectRef, list[Manifest]] = defaultdict(list)
    for manifest in manifests:
        give_way()
        by_ref[manifest.ref].append(manifest)
    kept: list[Manifest] = []
    problems: list[LoadProblem] = []
    for ref, group in paced(by_ref.items()):
        if len(group) == 1:
            kept.append(group[0])
            continue
        problems += _duplicate_problems(ref, group)
    return kept, problems


def _duplicate_problems(ref: ObjectRef, group: Sequence[Manifest]) -> list[LoadProblem]:
    """One problem per declaration, naming up to three others: linear in the group's size."""
    first = group[:4]
    problems = []
    for manifest in group:
        others = [_where(m) for m in first if m is not manifest][:3]
        extra = len(group) - 1 - len(others)
        shown = ", ".join(others) + (f" and {extra} more" if extra > 0 else "")
        message = f"duplicate identity {ref}: also declared at {shown}"
        problems.append(LoadProblem(manifest.source_file, message, manifest.line, ref=ref))
    return problems


def _where(manifest: Manifest) -> str:
    return f"{manifest.source_file}:{manifest.line}"


def join_desired(states: Sequence[DesiredState]) -> DesiredState:
    """One desired state of an app's several sources (Argo CD ``spec.sources``): the first
    source names the state, every source adds its objects; an identity two sources declare
    is a duplicate like any other."""
    first = states[0]
    if len(states) == 1:
        return first
    # each object names its own source: its source_file is relative to that repository
    kept, duplicates = split_duplicates(
        [replace(m, origin=state.source) for state in states for m in state.manifests]
    )
    joined = DesiredState(
        source=first.source,
        manifests=sorted(kept, key=lambda m: (m.source_file, m.line)),
        problems=[p for state in states for p in state.problems] + duplicates,
        skipped=sum(state.skipped for state in states),
        config_text=first.config_text,
        warnings=list(dict.fromkeys(w for state in states for w in state.warnings)),
        sources=tuple(state.source for state in states),
    )
    joined.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return joined
