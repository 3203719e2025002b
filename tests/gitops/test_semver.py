"""A GitRepository's ``spec.ref``: source-controller's precedence, and the tag its semver
range picks (Masterminds/semver ranges, strict tags, the latest of equal versions)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from driftui.gitops.app_specs import git_revision
from driftui.gitops.git_semver import highest_tag
from driftui.gitops.semver_range import SemverError, parse_range, tag_version
from driftui.source.git_repo import open_repo
from tests.source.test_render_config import commit, git, make_repo


@pytest.mark.parametrize(
    ("ref", "revision"),
    [
        ({"commit": "abc123", "name": "refs/heads/x", "semver": "1.x", "tag": "v1"}, "abc123"),
        ({"name": "refs/heads/x", "semver": "1.x", "tag": "v1", "branch": "b"}, "refs/heads/x"),
        ({"semver": ">=1.0", "tag": "v1", "branch": "b"}, "semver:>=1.0"),  # beats the tag
        ({"tag": "v1", "branch": "b"}, "v1"),
        ({"branch": "b"}, "b"),
        ({}, "master"),
    ],
)
def test_git_revision_follows_source_controllers_precedence(
    ref: dict[str, str], revision: str
) -> None:
    assert git_revision({"spec": {"ref": ref}}) == revision


@pytest.mark.parametrize(
    ("expression", "tag", "matches"),
    [
        (">=1.0.0 <2.0.0", "v1.5.0", True),
        (">=1.0.0 <2.0.0", "2.0.0", False),
        (">=1.0.0, <2.0.0", "1.0.0", True),
        ("^1.2", "1.9.9", True),
        ("^1.2", "2.0.0", False),
        ("^0.2.3", "0.2.9", True),
        ("^0.2.3", "0.3.0", False),
        ("^0.0.3", "0.0.4", False),
        ("~1.2.3", "1.2.9", True),
        ("~1.2.3", "1.3.0", False),
        ("~1", "1.9.0", True),
        ("1.2.x", "1.2.7", True),
        ("1.2.x", "1.3.0", False),
        ("*", "5.0.0", True),
        ("*", "5.0.0-rc.1", False),  # a pre-release only where the range names one
        (">=1.0.0-0", "1.1.0-rc.1", True),
        ("1.2 - 1.4", "1.4.9", True),
        ("1.2 - 1.4", "1.5.0", False),
        ("<1 || >=3", "3.1.0", True),
        ("<1 || >=3", "2.1.0", False),
        ("!=1.2.3", "1.2.3", False),
        ("!=1.2.3", "1.2.4", True),
        (">1.2", "1.2.9", False),  # > of a partial version: the next minor
        ("<=1.2", "1.2.9", True),
    ],
)
def test_ranges_match_as_masterminds_semver_does(expression: str, tag: str, matches: bool) -> None:
    version = tag_version(tag)
    assert version is not None
    assert parse_range(expression).check(version) is matches


@pytest.mark.parametrize("tag", ["1.2", "v01.2.3", "1.2.3-01", "release-1.2.3", "1.2.3.4"])
def test_tags_that_are_not_strict_semver_are_never_picked(tag: str) -> None:
    assert tag_version(tag) is None


@pytest.mark.parametrize("expression", ["", "foo", ">=1.0 ||", "1.2.3.4"])
def test_a_malformed_range_is_an_error(expression: str) -> None:
    with pytest.raises(SemverError, match="improper constraint"):
        parse_range(expression)


def _tag(repo: Path, name: str, when: int) -> None:
    env = {"GIT_COMMITTER_DATE": f"{when} +0000"}
    os.environ.update(env)
    try:
        git(repo, "tag", "-a", "-m", name, name)
    finally:
        os.environ.pop("GIT_COMMITTER_DATE")


def test_the_highest_matching_tag_is_picked_and_the_latest_of_equal_versions(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", {"a.yaml": "a: 1\n"})
    for number, name in enumerate(["v1.0.0", "v1.2.0+build.2", "v2.0.0", "v1.3.0-rc.1", "x"]):
        commit(repo, {"a.yaml": f"a: {number}\n"})
        _tag(repo, name, 1_700_000_000 + number)
    commit(repo, {"a.yaml": "a: 9\n"})
    _tag(repo, "v1.2.0+build.1", 1_800_000_000)  # equal to +build.2 but tagged later

    opened = open_repo(str(repo))

    assert highest_tag(opened, ">=1.0.0 <2.0.0") == "v1.2.0+build.1"
    assert highest_tag(opened, "1.0.x") == "v1.0.0"
    assert highest_tag(opened, "~1.3.0-0") == "v1.3.0-rc.1"
    # every part of a range must name a pre-release to accept one (Masterminds' rule)
    with pytest.raises(SemverError, match=re.escape("no match found for semver: >=1.3.0-0 <2")):
        highest_tag(opened, ">=1.3.0-0 <2")
