"""Blob contents read through cat-file: a few through the repository's persistent process,
many through one pipelined process of their own. Both must give what git itself gives."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Generator

import pytest

from driftui.source import git_repo
from driftui.source.git_repo import BlobBudgetExceeded, GitRepo, SourceError, open_local
from tests.source.test_git import Repo, cm

MANY = 40  # past the pipelined reader's threshold
FEW = 3


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepo, list[str], Repo]:
    work = Repo(tmp_path_factory.mktemp("blobs") / "repo")
    work.commit({f"m/{i:02d}.yaml": cm(f"c{i}", value="v" * i) for i in range(MANY)})
    opened = open_local(str(work.path))
    entries = sorted(opened.list_tree(opened.resolve("HEAD"), "m"), key=lambda e: e.path)
    return opened, [e.sha for e in entries if e.mode != "040000"], work


def git_says(work: Repo, sha: str) -> bytes:
    """The oracle: the blob's content as ``git cat-file blob`` prints it."""
    done = subprocess.run(
        ["git", "-C", str(work.path), "cat-file", "blob", sha], capture_output=True, check=True
    )
    return done.stdout


@pytest.mark.parametrize("count", [FEW, MANY], ids=["persistent", "pipelined"])
def test_blobs_come_in_the_order_asked_as_git_gives_them(
    repo: tuple[GitRepo, list[str], Repo], count: int
) -> None:
    opened, shas, work = repo
    asked = [*reversed(shas[:count]), shas[0]]  # a repeat is read once
    read = list(opened.iter_blobs(asked))
    assert [sha for sha, _ in read] == list(dict.fromkeys(asked))
    assert all(data == git_says(work, sha) for sha, data in read)


@pytest.mark.parametrize("count", [FEW, MANY], ids=["persistent", "pipelined"])
def test_the_budget_stops_before_the_blob_that_would_pass_it(
    repo: tuple[GitRepo, list[str], Repo], count: int
) -> None:
    opened, shas, work = repo
    sizes = [len(git_says(work, sha)) for sha in shas[:count]]
    budget = sum(sizes[:2]) + sizes[2] - 1  # two fit, the third does not
    read: list[str] = []
    with pytest.raises(BlobBudgetExceeded) as raised:
        for sha, _ in opened.iter_blobs(shas[:count], budget):
            read.append(sha)
    assert read == shas[:2]
    assert raised.value.sha == shas[2]


@pytest.mark.parametrize("count", [FEW, MANY], ids=["persistent", "pipelined"])
def test_a_missing_object_is_named(repo: tuple[GitRepo, list[str], Repo], count: int) -> None:
    opened, shas, _ = repo
    absent = "0123456789abcdef" * 2 + "01234567"
    with pytest.raises(SourceError, match="object 0123456789ab is missing"):
        list(opened.iter_blobs([*shas[: count - 1], absent]))


def test_stopping_early_leaves_no_process_or_thread_behind(
    repo: tuple[GitRepo, list[str], Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened, shas, _ = repo
    started: list[subprocess.Popen[bytes]] = []
    feed = git_repo._feed

    def watched(popen: subprocess.Popen[bytes], names: bytes) -> None:
        started.append(popen)
        feed(popen, names)

    monkeypatch.setattr(git_repo, "_feed", watched)
    blobs = opened.iter_blobs(shas)
    assert isinstance(blobs, Generator)
    next(blobs)
    blobs.close()
    assert len(started) == 1 and started[0].poll() is not None  # the process is gone
    assert not [t for t in threading.enumerate() if t.name == "driftui-cat-file"]
