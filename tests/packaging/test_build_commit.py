"""--version names the checkout's commit for an editable install, read without running git."""

from __future__ import annotations

from pathlib import Path

import git

from driftui.build_info import _git_head


def test_an_editable_checkout_names_its_head_commit(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path / "checkout")
    (tmp_path / "checkout" / "README").write_text("x\n")
    repo.index.add(["README"])
    actor = git.Actor("driftui", "driftui@localhost")
    sha = repo.index.commit("first", author=actor, committer=actor).hexsha
    assert _git_head(tmp_path / "checkout") == sha


def test_a_directory_that_is_no_repository_names_no_commit(tmp_path: Path) -> None:
    assert _git_head(tmp_path) == ""
