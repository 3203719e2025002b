"""A GitRepository's ``spec.ref.semver``: the tag source-controller checks out.

source-controller lists the repository's tags, keeps those fluxcd/pkg ``ParseVersion`` reads
and the range accepts, and takes the highest; versions equal but for build metadata are put
in the order of their tags' time (the tagger's, or the commit's for a lightweight tag), the
latest winning. The repository is the user's own clone, fetched (once per scan, with their access)
before the range is resolved.
"""

from __future__ import annotations

import functools

import git

from driftui.gitops.semver_range import SemverError, Version, parse_range, tag_version
from driftui.source.git_repo import GitRepo

SEMVER_PREFIX = "semver:"  # how app_specs.git_revision writes a range


def tags(repo: GitRepo) -> list[tuple[str, int]]:
    """(tag, its time in Unix seconds) for every tag of ``repo``."""
    try:
        with repo.lock:
            out: str = repo.handle.git.for_each_ref(
                "--format=%(refname:strip=2)%00%(creatordate:unix)", "refs/tags"
            )
    except git.GitCommandError as exc:
        raise repo.error(exc, "for-each-ref") from None
    found = []
    for line in out.splitlines():
        name, _, when = line.partition("\0")
        found.append((name, int(when) if when.isdigit() else 0))
    return found


def _order(left: tuple[Version, int], right: tuple[Version, int]) -> int:
    by_version = left[0].compare(right[0])
    return by_version or (left[1] > right[1]) - (left[1] < right[1])


def highest_tag(repo: GitRepo, semver: str) -> str:
    """The tag of ``repo`` that source-controller picks for the range ``semver``."""
    try:
        wanted = parse_range(semver)
    except SemverError as exc:
        raise SemverError(f"semver parse error: {exc}") from None
    matched = []
    for name, when in tags(repo):
        version = tag_version(name)
        if version is not None and wanted.check(version):
            matched.append((version, when))
    if not matched:
        raise SemverError(f"no match found for semver: {semver}")
    return max(matched, key=functools.cmp_to_key(_order))[0].original
