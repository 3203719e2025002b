"""The demo repository: ``commits.yaml`` and ``files/`` built into a real Git repository.

Each commit copies ``files/<id>/`` over the work tree, applies its moves and deletions and
commits with the author and date the list names (shifted by the caller), so ``git log``,
renames and blame behave as in any repository.
"""

from __future__ import annotations

import os
import shutil
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import git
import yaml
from git.index.typ import IndexEntry

from driftui.source.git_process import scrub_environment

DATA = Path(__file__).resolve().parent
COMMITS = DATA / "commits.yaml"
FILES = DATA / "files"


@dataclass(frozen=True)
class DemoCommit:
    id: str
    author: tuple[str, str]  # name, email
    date: datetime
    message: str
    move: dict[str, str] = field(default_factory=dict)
    delete: tuple[str, ...] = ()


def _date(value: Any) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_commits(path: Path = COMMITS) -> list[DemoCommit]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    authors = {key: parseaddr(value) for key, value in doc["authors"].items()}
    return [
        DemoCommit(
            id=str(item["id"]),
            author=authors[item["author"]],
            date=_date(item["date"]),
            message=str(item["message"]),
            move=dict(item.get("move") or {}),
            delete=tuple(item.get("delete") or ()),
        )
        for item in doc["commits"]
    ]


def _apply(commit: DemoCommit, work: Path) -> tuple[list[str], list[str]]:
    """Change the work tree as the commit says; return (paths to add, paths to remove)."""
    added: list[str] = []
    source = FILES / commit.id
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = file.relative_to(source).as_posix()
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, work / relative)
        added.append(relative)
    for old, new in commit.move.items():
        (work / new).parent.mkdir(parents=True, exist_ok=True)
        (work / old).rename(work / new)
        added.append(new)
    for gone in commit.delete:
        (work / gone).unlink()
    return added, [*commit.move, *commit.delete]


def _git_date(when: datetime) -> str:
    return f"{int(when.timestamp())} +0000"  # git's own format: no locale, no guessing


def _stat_index(repo: git.Repo, work: Path) -> None:
    """Record each file's stat in the index, as ``git add`` does: GitPython leaves zeros,
    and ``git revert`` in the demo would refuse a work tree it cannot tell is clean."""
    index = repo.index
    for key, entry in list(index.entries.items()):
        st = os.lstat(work / entry.path)
        ctime = struct.pack(">LL", int(st.st_ctime), st.st_ctime_ns % 1_000_000_000)
        mtime = struct.pack(">LL", int(st.st_mtime), st.st_mtime_ns % 1_000_000_000)
        dev, ino, uid, gid, size = (
            value & 0xFFFFFFFF  # the index keeps 32 bits of each
            for value in (st.st_dev, st.st_ino, st.st_uid, st.st_gid, st.st_size)
        )
        index.entries[key] = IndexEntry(
            (
                entry.mode,
                entry.binsha,
                entry.flags,
                entry.path,
                ctime,
                mtime,
                dev,
                ino,
                uid,
                gid,
                size,
            )
        )
    index.write()


def build_repo(work: Path, commits: list[DemoCommit], shift: timedelta = timedelta(0)) -> None:
    """Create the repository at ``work`` (a new directory), every date moved by ``shift``."""
    work.mkdir(parents=True)
    scrub_environment()  # git init would follow a GIT_DIR set around us, not `work`
    repo = git.Repo.init(work, initial_branch="main")
    with repo.config_writer() as config:  # who commits a revert made in the demo
        config.set_value("user", "name", "driftui demo")
        config.set_value("user", "email", "demo@driftui.invalid")
        config.set_value("commit", "gpgsign", "false")
    for commit in commits:
        added, removed = _apply(commit, work)
        if removed:
            repo.index.remove(removed)
        repo.index.add(added)
        who = git.Actor(*commit.author)
        when = _git_date(commit.date + shift)
        repo.index.commit(
            commit.message + "\n",
            author=who,
            committer=who,
            author_date=when,
            commit_date=when,
            skip_hooks=True,
        )
    _stat_index(repo, work)
    repo.close()
