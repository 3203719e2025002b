"""An app's other sources and the repositories its values files come from, loaded for a scan.

An Argo CD Application with ``spec.sources`` deploys the objects of every source as one app,
and its charts may read values files from a ``ref:`` source's repository. The scan loads the
first source as any source; this loads the others, rendered as their own recipes say, and
fetches each repository once per run (``ScanOptions.fetched`` is shared by every app of a
run), with the user's own Git access.
"""

from __future__ import annotations

from collections.abc import Callable

from driftui.engine.options import ScanOptions
from driftui.gitops.app_source import repo_key
from driftui.model import DesiredState
from driftui.source.capabilities import Capabilities
from driftui.source.git_repo import open_repo
from driftui.source.load import load_desired


def _first_fetch(opts: ScanOptions, url: str, fetch: bool) -> bool:
    """Fetch ``url`` now? In a run of apps (``opts.fetched`` shared by them): the first time
    any app names it. Otherwise as the caller asks."""
    if opts.fetched is None:
        return fetch
    key = repo_key(url)
    wanted = key not in opts.fetched
    opts.fetched.add(key)
    return wanted


def fetch_ref_repos(opts: ScanOptions, fetch: bool) -> None:
    """Before the app's first source loads (and fetches its own repository): bring the
    repositories of ``$ref`` values files up to date, once each."""
    _first_fetch(opts, opts.repo, fetch)  # the first source's load fetches it
    for recipe in [opts.recipe, *(s.recipe for s in opts.sources)]:
        helm = recipe.helm if recipe is not None else None
        for value_file in helm.value_files if helm is not None else ():
            if value_file.ref_repo and _first_fetch(opts, value_file.ref_repo, fetch):
                open_repo(value_file.ref_repo, fetch=True, cache_dir=opts.cache_dir)


def load_more_sources(
    opts: ScanOptions, capabilities: Callable[[], Capabilities], fetch: bool
) -> list[DesiredState]:
    """The desired state of each of the app's other sources, in the app's order."""
    states = []
    for spec in opts.sources:
        states.append(
            load_desired(
                spec.repo,
                spec.ref,
                spec.path,
                fetch=spec.fetch and _first_fetch(opts, spec.repo, fetch),
                capabilities=capabilities,
                cache_dir=opts.cache_dir,
                render=opts.render,
                files=spec.files,
                recipe=spec.recipe,
            )
        )
    return states
